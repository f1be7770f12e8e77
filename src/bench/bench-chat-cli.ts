import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { LoadProcessMessage } from './bench-load-process.js';
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
import { describeMachine, readClockTicksPerSecond } from './process-stats.js';
import { findFreePort } from './find-free-port.js';

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
  /** Write a V8 CPU profile of each Candor server run into this folder. */
  profileDir: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

/** Parsed benchmark options. */
export type BenchOptions = z.infer<typeof benchOptionsSchema>;

const here = fileURLToPath(new URL('.', import.meta.url));
const projectRoot = join(here, '..', '..');
/** True when this CLI itself runs as TypeScript (through tsx); compiled `.js` children then need a build first. */
const isRunningTypeScript = import.meta.url.endsWith('.ts');

/** Where the children's scripts are and how node starts them. */
interface ChildRuntime {
  scriptsDir: string;
  extension: '.ts' | '.js';
  nodeFlags: string[];
}

/** The scripts next to this file, as they are: TypeScript through tsx, or JavaScript already compiled. */
function currentRuntime(): ChildRuntime {
  return isRunningTypeScript ? { scriptsDir: here, extension: '.ts', nodeFlags: ['--import', 'tsx'] } : { scriptsDir: here, extension: '.js', nodeFlags: [] };
}

/**
 * Compiles src/ to JavaScript in the work folder (the same code; TypeScript 7 takes a few seconds), so the
 * servers start as a deployed Candor would, with plain node and no loader. What the code finds next to
 * itself (package.json for ESM, node_modules, the demo fixtures, the widget's static files) is linked in.
 */
async function buildCompiledRuntime(workDir: string): Promise<ChildRuntime> {
  const outDir = join(workDir, 'build');
  const config = join(workDir, 'tsconfig.bench.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(projectRoot, 'tsconfig.json'),
      compilerOptions: {
        noEmit: false,
        outDir,
        rootDir: projectRoot,
        // Type packages are looked up beside the config file, which here is in the work folder.
        typeRoots: [join(projectRoot, 'node_modules', '@types')],
        declaration: false,
        sourceMap: false,
        incremental: false,
      },
      include: [join(projectRoot, 'src')],
    }),
  );
  // typescript's exports do not list bin/tsc; its package folder is found through package.json.
  const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
  const compiler = spawn(process.execPath, [tsc, '-p', config], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  compiler.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  compiler.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => compiler.once('exit', resolve));
  if (code !== 0) throw new Error(`compiling src/ for the benchmark failed (tsc exit ${code})\n${output.slice(-2000)}`);
  for (const entry of ['package.json', 'node_modules', 'fixtures']) symlinkSync(join(projectRoot, entry), join(outDir, entry));
  symlinkSync(join(projectRoot, 'src', 'channels', 'web', 'public'), join(outDir, 'src', 'channels', 'web', 'public'));
  return { scriptsDir: join(outDir, 'src', 'bench'), extension: '.js', nodeFlags: [] };
}

const TOKEN = { audience: 'candor-bench', issuer: 'candor-bench' } as const;
/** Rate limits raised so a closed loop is not throttled (the defaults guard against a flooding client). */
const BENCH_RATE = '10000';

/** One server process and what it logs. */
interface ServerProcess {
  child: ChildProcess;
  url: string;
  logFile: string;
}

function serverEnv(extra: Record<string, string>): Record<string, string> {
  // Only what the servers need: a benchmark must not pick up a developer's .env-style settings.
  return { NODE_ENV: 'development', ...extra };
}

function script(runtime: ChildRuntime, name: string): string {
  return join(runtime.scriptsDir, `${name}${runtime.extension}`);
}

/** Spawns one server; nothing is awaited, so the spawn time is the start of the cold start. */
async function spawnServer(
  kind: BenchServerKind,
  workDir: string,
  round: number,
  secret: string,
  options: BenchOptions,
  runtime: ChildRuntime,
): Promise<ServerProcess> {
  const port = await findFreePort();
  const logFile = join(workDir, `${kind}-${round}.log`);
  let args: string[];
  let env: Record<string, string>;
  if (kind === 'candor') {
    const profile = options.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`];
    args = [...profile, ...runtime.nodeFlags, script(runtime, 'bench-candor-server')];
    env = serverEnv({
      PORT: String(port),
      HOST: '127.0.0.1',
      SQLITE_PATH: join(workDir, `candor-${round}.sqlite`),
      CHAT_TOKEN_SECRET: secret,
      CHAT_TOKEN_AUDIENCE: TOKEN.audience,
      CHAT_TOKEN_ISSUER: TOKEN.issuer,
      CHAT_RATE_BURST: BENCH_RATE,
      CHAT_RATE_PER_SECOND: BENCH_RATE,
    });
  } else if (kind === 'echo') {
    args = [...runtime.nodeFlags, script(runtime, 'bench-echo-server'), String(port)];
    env = serverEnv({});
  } else {
    args = [...runtime.nodeFlags, script(runtime, 'bench-botkit-server')];
    env = serverEnv({ PORT: String(port) });
  }
  // The server writes its output straight to a file: Candor logs every turn at the default level.
  const log = openSync(logFile, 'w');
  const child = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: ['ignore', log, log] });
  closeSync(log);
  return { child, url: `http://127.0.0.1:${port}`, logFile };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

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

  let server: ServerProcess | null = null;
  try {
    load.send({
      type: 'prepare',
      kind,
      clients: options.clients,
      idleSessions: options.idleSessions,
      seconds: options.seconds,
      warmupSeconds: options.warmup ?? Math.min(2, options.seconds),
      ticksPerSecond,
      token: { secret, ...TOKEN },
    });
    const ready = await nextMessage(60_000);
    if (ready.type !== 'ready') throw new Error(`load process: ${ready.type === 'failed' ? ready.error : 'unexpected message'}`);
    server = await spawnServer(kind, workDir, round, secret, options, runtime);
    const spawnedAt = Date.now();
    if (server.child.pid === undefined) throw new Error(`${kind} server did not start`);
    load.send({ type: 'go', url: server.url, serverPid: server.child.pid, spawnedAt });
    const budget = 120_000 + (options.seconds + (options.warmup ?? 2)) * 1000 + (options.clients + options.idleSessions) * 20;
    const answer = await nextMessage(budget);
    if (answer.type === 'failed') throw new Error(`load process against ${kind}: ${answer.error}\n--- ${kind} server log ---\n${logTail(server.logFile)}`);
    if (answer.type !== 'result') throw new Error('load process: unexpected message');
    if (server.child.exitCode !== null) throw new Error(`${kind} server exited during the run\n${logTail(server.logFile)}`);
    return answer.result;
  } finally {
    if (load.exitCode === null) load.kill('SIGTERM');
    await loadExited;
    if (server) await stopProcess(server.child);
  }
}

/** Starts Candor once and waits for it to listen: trains or loads the NLU cache and warms the compile cache. */
async function warmCandor(workDir: string, options: BenchOptions, runtime: ChildRuntime): Promise<void> {
  const server = await spawnServer('candor', workDir, 0, randomBytes(32).toString('base64url'), { ...options, profileDir: undefined }, runtime);
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
  options: { clients: number; seconds: number; rounds: number; idleSessions: number; servers: BenchServerKind[]; runtime: BenchOptions['runtime'] };
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
    rows.push(`| ${kind} | ${columns.map((column) => show(summary.figures[column.figure])).join(' | ')} | ${checks.lost}/${checks.duplicated}/${checks.wrong} |`);
  }
  for (const [label, ratio] of [
    ['Candor / echo', report.ratios.candorToEcho],
    ['Candor / Botkit', report.ratios.candorToBotkit],
  ] as const) {
    if (ratio) rows.push(`| ${label} | ${columns.map((column) => show(ratio[column.figure] ?? null, '×')).join(' | ')} | |`);
  }
  return [header, rule, ...rows].join('\n');
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
          `  ${kind}: ${result.repliesPerSec} replies/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.cpuUsPerReply} µs CPU/reply, ` +
            `${result.rssPerSessionKb} KB/session, cold start ${result.coldStartMs} ms, lost/dup/wrong ${result.lost}/${result.duplicated}/${result.wrong}`,
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
    command: `npm run bench:chat -- --clients ${options.clients} --seconds ${options.seconds} --rounds ${options.rounds}${options.runtime === 'tsx' ? ' --runtime tsx' : ''}`,
    machine: { ...machine, loadAverageEnd: loadavg().map((value) => Math.round(value * 100) / 100), node: process.version },
    options: {
      clients: options.clients,
      seconds: options.seconds,
      rounds: options.rounds,
      idleSessions: options.idleSessions,
      servers: options.servers,
      runtime: options.runtime,
    },
    servers,
    ratios,
    ok,
  };
}

const BENCH_USAGE = `usage: npm run bench:chat -- [--clients N] [--seconds S] [--rounds R] [--warmup S] [--idle-sessions N]
                       [--servers candor,echo,botkit] [--runtime compiled|tsx] [--profile-dir DIR] [--json]
  Candor, a bare websocket echo server and stock Botkit under the same closed-loop load; every reply checked
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
      process.stdout.write(`${kind}: ${summary.checks.lost} lost, ${summary.checks.duplicated} duplicated, ${summary.checks.wrong} wrong of ${summary.checks.sent} sent\n`);
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
