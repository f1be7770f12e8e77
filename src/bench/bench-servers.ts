import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchServerKind } from './bench-result.js';
import { projectRoot, script, type ChildRuntime } from './bench-runtime.js';
import { findFreePort } from './find-free-port.js';

/** The audience and issuer of the chat tokens the load process signs for Candor. */
export const BENCH_TOKEN = { audience: 'candor-bench', issuer: 'candor-bench' } as const;
/** Rate limits raised so a closed loop is not throttled (the defaults guard against a flooding client). */
const BENCH_RATE = '10000';

/** One server process and what it logs. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  logFile: string;
}

/** How a server is started: its kind, and for Candor where it stores and whether it writes a CPU profile. */
export interface ServerSpec {
  kind: BenchServerKind;
  /** A name for its log file (unique in the work folder). */
  name: string;
  /** The chat token secret (Candor only). */
  secret: string;
  /** Candor's Postgres database; null: a fresh SQLite file in the work folder. */
  databaseUrl: string | null;
  profileDir?: string | undefined;
}

function serverEnv(extra: Record<string, string>): Record<string, string> {
  // Only what the servers need: a benchmark must not pick up a developer's .env-style settings.
  return { NODE_ENV: 'development', ...extra };
}

/** Spawns one server; nothing is awaited after the spawn, so the spawn time is the start of the cold start. */
export async function spawnServer(spec: ServerSpec, workDir: string, runtime: ChildRuntime): Promise<ServerProcess> {
  const port = await findFreePort();
  const logFile = join(workDir, `${spec.name}.log`);
  let args: string[];
  let env: Record<string, string>;
  if (spec.kind === 'candor') {
    const profile = spec.profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${spec.profileDir}`];
    args = [...profile, ...runtime.nodeFlags, script(runtime, 'bench-candor-server')];
    env = serverEnv({
      PORT: String(port),
      HOST: '127.0.0.1',
      ...(spec.databaseUrl === null ? { SQLITE_PATH: join(workDir, `${spec.name}.sqlite`) } : { DATABASE_URL: spec.databaseUrl }),
      CHAT_TOKEN_SECRET: spec.secret,
      CHAT_TOKEN_AUDIENCE: BENCH_TOKEN.audience,
      CHAT_TOKEN_ISSUER: BENCH_TOKEN.issuer,
      CHAT_RATE_BURST: BENCH_RATE,
      CHAT_RATE_PER_SECOND: BENCH_RATE,
    });
  } else if (spec.kind === 'echo') {
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

/** Stops a server with SIGTERM (SIGKILL after 5 s) and waits for it to exit. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** The last lines of a server's log, for an error message. */
export function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}
