import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'candor-npm-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `npm start` as the README's quick start runs it, in a process group of its own so the test can see the whole tree. */
interface StartedNpm {
  npm: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: StartedNpm[] = [];

async function startWithNpm(name: string): Promise<StartedNpm> {
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      // The quick start's defaults, except a free port and a database file of the test's own.
      PORT: '0',
      SQLITE_PATH: join(scratch, `${name}.sqlite`),
      NLU_CACHE_DIR: '.cache/nlu',
    },
  });
  let output = '';
  npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not listen within 60 s:\n${output}`)), 60_000);
    const look = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    npm.stdout?.on('data', look);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`npm start exited before listening:\n${output}`));
    });
  });
  const run = { npm, port: Number(new URL(url).port), output: () => output, exited };
  started.push(run);
  return run;
}

/** True while any process of the group still exists. */
function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPortOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

afterEach(() => {
  // Whatever a failed test left behind: only the groups this file started.
  for (const run of started.splice(0)) {
    if (run.npm.pid !== undefined && isGroupAlive(run.npm.pid)) process.kill(-run.npm.pid, 'SIGKILL');
  }
});

describe('npm start', () => {
  it('stops when SIGTERM is sent to the npm process alone: the port closes and the whole process tree exits', async () => {
    const run = await startWithNpm('sigterm');
    const pid = run.npm.pid!;
    expect(await isPortOpen(run.port)).toBe(true);
    process.kill(pid, 'SIGTERM');
    expect(await waitUntil(async () => !(await isPortOpen(run.port)), 15_000)).toBe(true);
    expect(await waitUntil(() => !isGroupAlive(pid), 15_000)).toBe(true);
    await run.exited;
    expect(run.output()).toContain('"msg":"stopped"');
  }, 120_000);

  it('stops gracefully on Ctrl-C (SIGINT to the whole process group), not as a forced second signal', async () => {
    const run = await startWithNpm('sigint');
    const pid = run.npm.pid!;
    process.kill(-pid, 'SIGINT');
    expect(await waitUntil(() => !isGroupAlive(pid), 15_000)).toBe(true);
    expect(await isPortOpen(run.port)).toBe(false);
    expect(run.output()).toContain('"msg":"stopped"');
    expect(run.output()).not.toContain('second signal');
  }, 120_000);
});
