import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BENCH_FIGURES, benchServerKinds, median, ratioOf, summarizeServer, type BenchServerResult } from '../../src/bench/bench-result.js';
import { buildBenchScripts, createBenchDecisionEngine, demoIdOf } from '../../src/bench/bench-questions.js';
import { loadDemoCustomers } from '../../src/decisions/demo-customers.js';
import { TEST_DATABASE_URL } from '../support/postgres-test-database.js';

const run = promisify(execFile);
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

const figuresSchema = z.object(Object.fromEntries(BENCH_FIGURES.map((figure) => [figure, z.number().nullable()])));
const checksSchema = z.object({
  sent: z.number().int(),
  replies: z.number().int(),
  lost: z.literal(0),
  duplicated: z.literal(0),
  wrong: z.literal(0),
  movedSessions: z.number().int(),
  crossInstanceReplies: z.number().int(),
  redeliveredAfterMove: z.number().int(),
});
const reportSchema = z.object({
  command: z.string().startsWith('npm run bench:chat'),
  machine: z.object({ cores: z.number().int().positive(), model: z.string().min(1), loadAverage: z.array(z.number()).length(3), loadAverageEnd: z.array(z.number()).length(3) }),
  options: z.object({ clients: z.literal(5), seconds: z.literal(1), rounds: z.literal(1) }),
  servers: z.object(Object.fromEntries(benchServerKinds.map((kind) => [kind, z.object({ rounds: z.literal(1), figures: figuresSchema, checks: checksSchema })]))),
  ratios: z.object({ candorToEcho: figuresSchema, candorToBotkit: figuresSchema }),
  ok: z.literal(true),
});

describe('npm run bench:chat', () => {
  it('runs Candor, the echo floor and the Botkit echo with tiny numbers and prints the JSON contract last', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/bench/bench-chat-cli.ts', '--clients', '5', '--seconds', '1', '--rounds', '1', '--idle-sessions', '20', '--warmup', '0.2', '--json'], {
      cwd: projectRoot,
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const lines = stdout.trim().split('\n');
    const report = reportSchema.parse(JSON.parse(lines.at(-1) ?? ''));
    for (const kind of benchServerKinds) {
      const summary = report.servers[kind] as { figures: Record<string, number | null>; checks: { sent: number; replies: number } };
      expect(summary.checks.replies, kind).toBeGreaterThan(0);
      expect(summary.checks.replies, kind).toBe(summary.checks.sent);
      for (const figure of ['repliesPerSec', 'p50Ms', 'p99Ms', 'cpuUsPerReply', 'rssEndMb', 'coldStartMs']) expect(summary.figures[figure], `${kind} ${figure}`).toBeGreaterThan(0);
    }
    expect(stdout).toContain('| candor |');
    expect(stdout).toContain('every reply arrived once and was the expected one');
  }, 150_000);

  it('runs two Candor instances on a fresh Postgres database, moves sessions between them, reads the Postgres CPU, and drops the database', async () => {
    const before = await benchDatabases();
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'src/bench/bench-chat-cli.ts', '--clients', '20', '--seconds', '2', '--rounds', '1', '--idle-sessions', '10', '--warmup', '0.2'].concat(
        ['--servers', 'candor,botkit', '--store', 'postgres', '--instances', '2', '--database-url', TEST_DATABASE_URL, '--json'],
      ),
      { cwd: projectRoot, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 },
    );
    const report = postgresReportSchema.parse(JSON.parse(stdout.trim().split('\n').at(-1) ?? ''));
    const candor = report.servers.candor;
    expect(candor.checks.replies).toBe(candor.checks.sent);
    // Two of the 20 sessions move to the other instance mid-window; each gets its in-flight reply there.
    expect(candor.checks.movedSessions).toBe(2);
    expect(candor.checks.crossInstanceReplies).toBe(2);
    expect(candor.perRound[0]?.instances).toBe(2);
    // The server is on this machine, so its CPU is read; Botkit has no database.
    expect(candor.figures.postgresCpuUsPerReply).toBeGreaterThan(0);
    expect(report.servers.botkit.figures.postgresCpuUsPerReply).toBeNull();
    expect(stdout).toContain('| candor (postgres ×2) |');
    expect(await benchDatabases()).toEqual(before);
  }, 180_000);
});

const postgresReportSchema = z.object({
  command: z.string().endsWith('--store postgres --instances 2'),
  options: z.object({ store: z.literal('postgres'), instances: z.literal(2), postgresServer: z.string().min(1) }),
  servers: z.object({
    candor: z.object({ figures: figuresSchema, checks: checksSchema, perRound: z.array(z.object({ instances: z.number() })).length(1) }),
    botkit: z.object({ figures: figuresSchema, checks: checksSchema }),
  }),
  ratios: z.object({ candorToBotkit: figuresSchema }),
  ok: z.literal(true),
});

/** The benchmark databases on the test server (the run must leave none behind). */
async function benchDatabases(): Promise<string[]> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'candor_bench_%' ORDER BY datname`);
    return rows.map((row) => row.datname);
  } finally {
    await client.end();
  }
}

describe('bench scripts', () => {
  it('gives each benchmark customer the demo customer’s decisions under its own id', async () => {
    const engine = createBenchDecisionEngine(loadDemoCustomers());
    const lookup = await engine.lookup('demo-drop.b17');
    expect(demoIdOf('demo-drop.b17')).toBe('demo-drop');
    expect(lookup.status).toBe('found');
    if (lookup.status === 'found') {
      expect(lookup.data.customerId).toBe('demo-drop.b17');
      expect(lookup.data.decisions[0]?.decisionId).toBe('dec-7Q4M2X');
    }
    expect((await engine.lookup('nobody.b1')).status).toBe('not_found');
  });

  it('expects the drop reasons for demo-drop and leaves out questions that would hand a customer to a person', () => {
    const scripts = buildBenchScripts();
    const drop = scripts.get('demo-drop')?.en.find((script) => script.question.intent === 'limit.why_dropped');
    expect(drop?.expectedText).toContain('repayments on this credit line were made late');
    expect(drop?.expectedText).not.toContain('income has changed');
    const fraud = scripts.get('demo-fraud');
    expect(fraud?.en.some((script) => script.question.intent === 'limit.why_dropped') ?? false).toBe(false);
  });
});

describe('bench summaries', () => {
  const result = (kind: 'candor' | 'echo', repliesPerSec: number, cpuUsPerReply: number | null): BenchServerResult => ({
    kind,
    clients: 1,
    instances: 1,
    seconds: 1,
    repliesPerSec,
    p50Ms: 1,
    p95Ms: 2,
    p99Ms: 3,
    cpuUsPerReply,
    serverCpuCores: 0.5,
    postgresCpuUsPerReply: null,
    postgresCpuCores: null,
    rssEndMb: 50,
    rssPerSessionKb: 10,
    coldStartMs: 100,
    sent: 10,
    replies: 10,
    lost: 0,
    duplicated: 0,
    wrong: 0,
    movedSessions: 0,
    crossInstanceReplies: 0,
    redeliveredAfterMove: 0,
    problems: [],
  });

  it('takes the median over rounds and divides Candor by the baseline figure by figure', () => {
    expect(median([3, null, 1, 2])).toBe(2);
    expect(median([4, 1])).toBe(2.5);
    expect(median([null])).toBeNull();
    const candor = summarizeServer([result('candor', 100, 400), result('candor', 300, 200), result('candor', 200, null)]);
    const echo = summarizeServer([result('echo', 1000, 20)]);
    expect(candor.figures.repliesPerSec).toBe(200);
    expect(candor.figures.cpuUsPerReply).toBe(300);
    expect(candor.checks.sent).toBe(30);
    expect(ratioOf(candor, echo).repliesPerSec).toBe(0.2);
    expect(ratioOf(candor, echo).cpuUsPerReply).toBe(15);
  });
});
