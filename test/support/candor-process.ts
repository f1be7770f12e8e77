import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A Candor server running as its own process (`node --import tsx src/main.ts`). */
export interface CandorProcess {
  name: string;
  url: string;
  /** `ws://…/chat/socket`. */
  socketUrl: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr (its JSON log lines). */
  logs(): string;
  /** Resolves with the exit code (null when killed by a signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/** Settings every test process gets: any free port, loopback, the shared NLU cache, quiet logs. */
const BASE_ENV: Record<string, string> = {
  PORT: '0',
  HOST: '127.0.0.1',
  NODE_ENV: 'test',
  LOG_LEVEL: 'warn',
  NLU_CACHE_DIR: '.cache/nlu',
  CHAT_TOKEN_SECRET: 'several-instances-test-secret-0123456789',
};

/** Starts `src/main.ts` with the given settings and resolves once it prints the URL it listens on. */
export async function startCandorProcess(name: string, env: Record<string, string>, timeoutMs = 20_000): Promise<CandorProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...BASE_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening:\n${stdout}\n${stderr}`));
    });
  });
  return {
    name,
    url,
    socketUrl: `${url.replace(/^http/, 'ws')}/chat/socket`,
    child,
    logs: () => stderr,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Stops a process with SIGTERM (or SIGKILL when asked) and waits for it to end. */
export async function stopCandorProcess(candor: CandorProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  candor.kill(signal);
  return candor.exited;
}

/** Fetches a demo customer's chat token from an instance (any instance accepts it: the secret is shared). */
export async function demoToken(baseUrl: string, customerId: string): Promise<string> {
  const response = await fetch(`${baseUrl}/demo/token?customerId=${encodeURIComponent(customerId)}`);
  if (response.status !== 200) throw new Error(`no demo token for ${customerId}: ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}
