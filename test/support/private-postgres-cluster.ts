import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../../src/bench/find-free-port.js';

/** A throwaway Postgres cluster of this test alone, which the test may stop and start (the shared server is never touched). */
export interface PrivatePostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`, trust auth. */
  url: string;
  port: number;
  /** Stops it (`pg_ctl stop -m fast`: open connections are terminated, as in a restart). */
  stop(): void;
  start(): void;
  /** Stops it and deletes its files. */
  remove(): void;
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (install postgresql)');
  const version = readdirSync(root).sort((x, y) => Number(y) - Number(x))[0];
  if (version === undefined) throw new Error('no PostgreSQL version under /usr/lib/postgresql');
  return join(root, version, 'bin');
}

/** Creates and starts a private cluster in a temporary folder (as the `postgres` user when running as root). */
export async function startPrivatePostgresCluster(): Promise<PrivatePostgresCluster> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'candor-pg-'));
  const data = join(dir, 'data');
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (command: string, args: string[]): void => {
    const quoted = [command, ...args].map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
    if (isRoot) execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', quoted], { stdio: 'pipe' });
    else execFileSync(command, args, { stdio: 'pipe' });
  };
  const port = await findFreePort();
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const start = () => run(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
  const stop = () => run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
  start();
  let isRunning = true;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      stop();
      isRunning = false;
    },
    start() {
      start();
      isRunning = true;
    },
    remove() {
      try {
        if (isRunning) stop();
      } finally {
        isRunning = false;
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
