import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { LoadProcessMessage } from './bench-load-process.js';
import { createBenchDatabase, DEFAULT_BENCH_DATABASE_URL, type BenchDatabase } from './bench-postgres.js';
import {
  BENCH_FIGURES,
  benchServerKinds,
  isClean,
  ratioOf,
  summarizeServer,
  type BenchServerKind,
  type BenchServerResult,
  type BenchServerSummary,
} from './bench-result.js';
import { buildCompiledRuntime, currentRuntime, isRunningTypeScript, projectRoot, script, type ChildRuntime } from './bench-runtime.js';
import { BENCH_TOKEN, logTail, spawnServer, stopProcess, type ServerProcess } from './bench-servers.js';
import { describeMachine, readClockTicksPerSecond } from './process-stats.js';

/** The benchmark's command-line options. */
export const benchOptionsSchema = z.object({
  clients: z.coerce.number().int().min(1).max(20_000).default(500),
  seconds: z.coerce.number().positive().max(3600).default(10),
  rounds: z.coerce.number().int().min(1).max(50).default(3),
  /** Warm-up of the closed loop before the measured window, in seconds (default: min(2, seconds)). */
  warmup: z.coerce.number().min(0).max(600).optional(),
  /** Idle sessions opened to measure memory per connected session. */
  idleSessions: z.coerce.number().int().min(0).max(20_000).default(1000),
  /** Comma-separated subset of candor,echo,botkit. */
  servers: z
    .string()
    .default(benchServerKinds.join(','))
    .transform((value) => value.split(',').map((part) => part.trim()))
    .pipe(z.array(z.enum(benchServerKinds)).min(1)),
  /**
   * How the servers and the load process run: `compiled` (default) compiles src/ to JavaScript once
   * before the rounds and runs plain node, as a deployed Candor would; `tsx` runs the TypeScript through
   * tsx, as `npm start` does (slower to start: the loader's hooks and transforms).
   */
  runtime: z.enum(['compiled', 'tsx']).default('compiled'),
  /** Where Candor stores: a fresh SQLite file per round, or a fresh database per round on `databaseUrl`'s server. */
  store: z.enum(['sqlite', 'postgres']).default('sqlite'),
  /** Candor processes on the one Postgres database, the sessions spread over them. */
  instances: z.coerce.number().int().min(1).max(16).default(1),
  /** The Postgres server (and a database on it to connect to first); its role needs CREATEDB. */
  databaseUrl: z.url({ protocol: /^postgres(ql)?$/ }).default(DEFAULT_BENCH_DATABASE_URL),
  /** Write a V8 CPU profile of each Candor server run into this folder. */
  profileDir: z.string().min(1).optional(),
  json: z.boolean().default(false),
}).refine((options) => options.instances === 1 || options.store === 'postgres', { message: 'several instances need --store postgres', path: ['instances'] });

/** Parsed benchmark options. */
export type BenchOptions = z.infer<typeof benchOptionsSchema>;

/** One round against one server: a fresh load process, then a freshly spawned server. */
async function runOnce(
  kind: BenchServerKind,
  round: number,
  workDir: string,
  options: BenchOptions,
  ticksPerSecond: number,
  runtime: ChildRuntime,
): Promise<BenchServerResult> {
  const secret = randomBytes(32).toString('base64url');
  const load = spawn(process.execPath, [...runtime.nodeFlags, script(runtime, 'bench-load-process')], { cwd: projectRoot, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const messages: LoadProcessMessage[] = [];
  let notify: (() => void) | null = null;
  load.on('message', (message) => {
    messages.push(message as LoadProcessMessage);
    notify?.();
  });
  const loadExited = new Promise<void>((resolve) => load.once('exit', () => resolve()));
  async function nextMessage(timeoutMs: number): Promise<LoadProcessMessage> {
    const deadline = Date.now() + timeoutMs;
    while (messages.length === 0) {
      if (load.exitCode !== null) throw new Error(`the load process exited (${load.exitCode}) without a result`);
      if (Date.now() > deadline) throw new Error('the load process did not answer in time');
      await Promise.race([new Promise<void>((resolve) => (notify = resolve)), sleep(200)]);
    }
    return messages.shift() as LoadProcessMessage;
  }

  const servers: ServerProcess[] = [];
  const isPostgres = kind === 'candor' && options.store === 'postgres';
  let database: BenchDatabase | null = null;
  try {
    load.send({
      type: 'prepare',
      kind,
      clients: options.clients,
      idleSessions: options.idleSessions,
      seconds: options.seconds,
      warmupSeconds: options.warmup ?? Math.min(2, options.seconds),
      ticksPerSecond,
      token: { secret, ...BENCH_TOKEN },
    });
    const ready = await nextMessage(60_000);
    if (ready.type !== 'ready') throw new Error(`load process: ${ready.type === 'failed' ? ready.error : 'unexpected message'}`);
    if (isPostgres) database = await createBenchDatabase(options.databaseUrl);
    const instances = kind === 'candor' ? options.instances : 1;
    for (let instance = 1; instance <= instances; instance += 1) {
      const name = instances === 1 ? `${kind}-${round}` : `${kind}-${round}-${instance}`;
      servers.push(await spawnServer({ kind, name, secret, databaseUrl: database?.url ?? null, profileDir: options.profileDir }, workDir, runtime));
    }
    const spawnedAt = Date.now();
    const serverPids = servers.map((server) => server.child.pid);
    if (serverPids.some((pid) => pid === undefined)) throw new Error(`${kind} server did not start`);
    const postgres = database === null ? null : { url: database.url, database: database.name };
    load.send({ type: 'go', urls: servers.map((server) => server.url), serverPids, spawnedAt, postgres });
    const budget = 120_000 + (options.seconds + (options.warmup ?? 2)) * 1000 + (options.clients + options.idleSessions) * 20;
    const answer = await nextMessage(budget);
    const logs = () => servers.map((server) => `--- ${kind} server log ${server.logFile} ---\n${logTail(server.logFile)}`).join('\n');
    if (answer.type === 'failed') throw new Error(`load process against ${kind}: ${answer.error}\n${logs()}`);
    if (answer.type !== 'result') throw new Error('load process: unexpected message');
    if (servers.some((server) => server.child.exitCode !== null)) throw new Error(`${kind} server exited during the run\n${logs()}`);
    return answer.result;
  } finally {
    if (load.exitCode === null) load.kill('SIGTERM');
    await loadExited;
    await Promise.all(servers.map((server) => stopProcess(server.child)));
    await database?.drop();
  }
}

/** Starts Candor once and waits for it to listen: trains or loads the NLU cache and warms the compile cache. */
async function warmCandor(workDir: string, options: BenchOptions, runtime: ChildRuntime): Promise<void> {
  // The NLU cache does not depend on the store, so a SQLite file is enough to warm it.
  const server = await spawnServer({ kind: 'candor', name: 'candor-warm', secret: randomBytes(32).toString('base64url'), databaseUrl: null }, workDir, runtime);
  try {
    const deadline = Date.now() + 180_000;
    while (!readFileSync(server.logFile, 'utf8').includes('listening ')) {
      if (server.child.exitCode !== null) throw new Error(`Candor did not start\n${logTail(server.logFile)}`);
      if (Date.now() > deadline) throw new Error('Candor did not start within 180 s');
      await sleep(50);
    }
  } finally {
    await stopProcess(server.child);
  }
}

/** The benchmark's report: machine, options, per-server medians, ratios and checks. */
export interface BenchReport {
  command: string;
  machine: ReturnType<typeof describeMachine> & { loadAverageEnd: number[]; node: string };
  options: {
    clients: number;
    seconds: number;
    rounds: number;
    idleSessions: number;
    servers: BenchServerKind[];
    runtime: BenchOptions['runtime'];
    store: BenchOptions['store'];
    instances: number;
    /** The Postgres server's host and port (never its credentials); null on SQLite. */
    postgresServer: string | null;
  };
  servers: Partial<Record<BenchServerKind, BenchServerSummary & { perRound: BenchServerResult[] }>>;
  ratios: { candorToEcho: Record<string, number | null> | null; candorToBotkit: Record<string, number | null> | null };
  ok: boolean;
}

const columns: { figure: (typeof BENCH_FIGURES)[number]; label: string }[] = [
  { figure: 'repliesPerSec', label: 'replies/s' },
  { figure: 'p50Ms', label: 'p50 ms' },
  { figure: 'p95Ms', label: 'p95 ms' },
  { figure: 'p99Ms', label: 'p99 ms' },
  { figure: 'cpuUsPerReply', label: 'CPU µs/reply' },
  { figure: 'postgresCpuUsPerReply', label: 'Postgres CPU µs/reply' },
  { figure: 'rssEndMb', label: 'RSS end MB' },
  { figure: 'rssPerSessionKb', label: 'RSS/session KB' },
  { figure: 'coldStartMs', label: 'cold start ms' },
];

/** Formats the report as a Markdown table, one row per server and per ratio. */
export function formatBenchTable(report: BenchReport): string {
  const header = `| server | ${columns.map((column) => column.label).join(' | ')} | lost/dup/wrong |`;
  const rule = `|---|${columns.map(() => '---:').join('|')}|---:|`;
  const rows: string[] = [];
  for (const kind of report.options.servers) {
    const summary = report.servers[kind];
    if (!summary) continue;
    const checks = summary.checks;
    const label = kind === 'candor' ? candorLabel(report.options) : kind;
    rows.push(`| ${label} | ${columns.map((column) => show(summary.figures[column.figure])).join(' | ')} | ${checks.lost}/${checks.duplicated}/${checks.wrong} |`);
  }
  for (const [label, ratio] of [
    ['Candor / echo', report.ratios.candorToEcho],
    ['Candor / Botkit', report.ratios.candorToBotkit],
  ] as const) {
    if (ratio) rows.push(`| ${label} | ${columns.map((column) => show(ratio[column.figure] ?? null, '×')).join(' | ')} | |`);
  }
  return [header, rule, ...rows].join('\n');
}

/** `candor` on SQLite; `candor (postgres)` or `candor (postgres ×2)` on Postgres. */
function candorLabel(options: BenchReport['options']): string {
  if (options.store === 'sqlite') return 'candor';
  return `candor (postgres${options.instances > 1 ? ` ×${options.instances}` : ''})`;
}

function show(value: number | null, suffix = ''): string {
  return value === null ? '–' : `${value}${suffix}`;
}

/** Runs the benchmark: servers one at a time, alternating, for the given rounds. */
export async function runChatBenchmark(options: BenchOptions, progress: (line: string) => void): Promise<BenchReport> {
  const machine = describeMachine(loadavg(), availableParallelism());
  const ticksPerSecond = readClockTicksPerSecond();
  const workDir = mkdtempSync(join(tmpdir(), 'candor-bench-'));
  const perServer = new Map<BenchServerKind, BenchServerResult[]>(options.servers.map((kind) => [kind, []]));
  try {
    let runtime = currentRuntime();
    if (options.runtime === 'compiled' && isRunningTypeScript) {
      progress('compiling src/ to JavaScript for the servers and the load process…');
      runtime = await buildCompiledRuntime(workDir);
    }
    if (options.servers.includes('candor')) {
      progress('warming Candor once (NLU cache, compile cache)…');
      await warmCandor(workDir, options, runtime);
    }
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const kind of options.servers) {
        progress(`round ${round}/${options.rounds}: ${kind} with ${options.clients} clients for ${options.seconds} s…`);
        const result = await runOnce(kind, round, workDir, options, ticksPerSecond, runtime);
        perServer.get(kind)?.push(result);
        progress(
          `  ${kind}: ${result.repliesPerSec} replies/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.cpuUsPerReply} µs CPU/reply` +
            `${result.postgresCpuUsPerReply === null ? '' : ` + ${result.postgresCpuUsPerReply} µs Postgres CPU/reply`}, ` +
            `${result.rssPerSessionKb} KB/session, cold start ${result.coldStartMs} ms, lost/dup/wrong ${result.lost}/${result.duplicated}/${result.wrong}` +
            `${result.movedSessions > 0 ? `, ${result.crossInstanceReplies}/${result.movedSessions} moved sessions answered on the new instance (${result.redeliveredAfterMove} earlier replies sent again there, dropped as the widget does)` : ''}`,
        );
      }
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  const servers: BenchReport['servers'] = {};
  for (const [kind, results] of perServer) servers[kind] = { ...summarizeServer(results), perRound: results };
  const candor = servers.candor;
  const ratios = {
    candorToEcho: candor && servers.echo ? ratioOf(candor, servers.echo) : null,
    candorToBotkit: candor && servers.botkit ? ratioOf(candor, servers.botkit) : null,
  };
  const ok = Object.values(servers).every((summary) => summary !== undefined && isClean(summary));
  return {
    command:
      `npm run bench:chat -- --clients ${options.clients} --seconds ${options.seconds} --rounds ${options.rounds}${options.runtime === 'tsx' ? ' --runtime tsx' : ''}` +
      `${options.store === 'postgres' ? ` --store postgres${options.instances > 1 ? ` --instances ${options.instances}` : ''}` : ''}`,
    machine: { ...machine, loadAverageEnd: loadavg().map((value) => Math.round(value * 100) / 100), node: process.version },
    options: {
      clients: options.clients,
      seconds: options.seconds,
      rounds: options.rounds,
      idleSessions: options.idleSessions,
      servers: options.servers,
      runtime: options.runtime,
      store: options.store,
      instances: options.instances,
      postgresServer: options.store === 'postgres' ? new URL(options.databaseUrl).host : null,
    },
    servers,
    ratios,
    ok,
  };
}

const BENCH_USAGE = `usage: npm run bench:chat -- [--clients N] [--seconds S] [--rounds R] [--warmup S] [--idle-sessions N]
                       [--servers candor,echo,botkit] [--runtime compiled|tsx] [--profile-dir DIR] [--json]
                       [--store sqlite|postgres] [--instances N] [--database-url postgres://…]
  Candor, a bare websocket echo server and stock Botkit under the same closed-loop load; every reply checked.
  With --store postgres each round gets a fresh database on the server of --database-url (default
  DATABASE_URL, else ${DEFAULT_BENCH_DATABASE_URL}), dropped after; --instances N runs N Candor processes on it.
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      'idle-sessions': { type: 'string' },
      servers: { type: 'string' },
      'profile-dir': { type: 'string' },
      runtime: { type: 'string' },
      store: { type: 'string' },
      instances: { type: 'string' },
      'database-url': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(BENCH_USAGE);
    return;
  }
  const parsed = benchOptionsSchema.safeParse({
    clients: values.clients,
    seconds: values.seconds,
    rounds: values.rounds,
    warmup: values.warmup,
    idleSessions: values['idle-sessions'],
    servers: values.servers,
    profileDir: values['profile-dir'],
    runtime: values.runtime,
    store: values.store,
    instances: values.instances,
    databaseUrl: values['database-url'] ?? (process.env['DATABASE_URL'] || undefined),
    json: values.json ?? false,
  });
  if (!parsed.success) {
    process.stderr.write(`bench:chat: invalid options\n${z.prettifyError(parsed.error)}\n`);
    process.exit(2);
  }
  const options = parsed.data;
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const machine = describeMachine(loadavg(), availableParallelism());
  progress(`machine: ${machine.cores} cores, ${machine.model}, load average ${machine.loadAverage.join(' ')}, node ${process.version}`);
  const report = await runChatBenchmark(options, progress);
  process.stdout.write(`\n${formatBenchTable(report)}\n\n`);
  process.stdout.write(`machine: ${report.machine.cores} cores, ${report.machine.model}; load average at start ${report.machine.loadAverage.join(' ')}, at end ${report.machine.loadAverageEnd.join(' ')}\n`);
  for (const [kind, summary] of Object.entries(report.servers)) {
    if (summary && !isClean(summary)) {
      const { checks } = summary;
      process.stdout.write(`${kind}: ${checks.lost} lost, ${checks.duplicated} duplicated, ${checks.wrong} wrong of ${checks.sent} sent; ${checks.crossInstanceReplies} of ${checks.movedSessions} moved sessions answered on the new instance\n`);
      for (const problem of summary.problems) process.stdout.write(`  ${problem}\n`);
    }
  }
  process.stdout.write(report.ok ? 'every reply arrived once and was the expected one\n' : 'FAILED: lost, duplicated or wrong replies\n');
  if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exitCode = report.ok ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench:chat failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
