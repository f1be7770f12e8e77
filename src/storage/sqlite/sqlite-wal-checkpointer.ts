import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * How often the worker copies the WAL back into the database file by default. Hot pages (the tails of
 * tables and indexes, busy conversations) are written to the WAL by nearly every commit; a checkpoint
 * copies each page once however often it was written, so every 2 s copies about a quarter of what
 * every 500 ms did under load, for a WAL of about 2 s of writes.
 */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 2000;

/** A running WAL checkpointer: a worker thread with its own connection to the database file. */
export interface SqliteWalCheckpointer {
  /** Stops the worker and closes its connection; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The worker's code, run from a string (`eval`) so it needs no separate build step under tsx, vitest
 * or compiled JS. It opens its own connection and runs `wal_checkpoint(PASSIVE)` on a timer: PASSIVE
 * never waits for and never blocks the main connection's readers or writers, and the disk sync it
 * ends with happens on this thread instead of the event loop.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = NORMAL');
let failures = 0;
function checkpoint() {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
  } catch (error) {
    failures += 1;
    parentPort.postMessage({ type: 'error', message: String(error && error.message), failures });
  }
}
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'stop') return;
  clearInterval(timer);
  try { db.close(); } finally { parentPort.close(); }
});
`;

/**
 * Starts checkpointing the WAL of the SQLite file at `path` from a worker thread, so the fsync of a
 * checkpoint never stalls the event loop. The main connection must have `wal_autocheckpoint` off;
 * `onFailure` is told when the worker errs or exits early (the caller turns autocheckpointing back on).
 */
export function startSqliteWalCheckpointer(options: {
  path: string;
  intervalMs?: number;
  onFailure: (reason: string) => void;
}): SqliteWalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path: options.path, driver, intervalMs: options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS },
    // The worker loads only better-sqlite3; loaders such as tsx are not needed there.
    execArgv: [],
  });
  // A checkpointer alone never keeps the process running.
  worker.unref();
  let isStopping = false;
  let hasReportedFailure = false;
  const reportFailure = (reason: string) => {
    if (isStopping || hasReportedFailure) return;
    hasReportedFailure = true;
    options.onFailure(reason);
  };
  worker.on('message', (message: { type?: string; message?: string; failures?: number }) => {
    // A single failed checkpoint is retried at the next tick; a run of them means checkpoints are not happening.
    if (message.type === 'error' && (message.failures ?? 0) >= 5) reportFailure(`WAL checkpoints failing: ${message.message ?? 'unknown error'}`);
  });
  worker.on('error', (error) => reportFailure(`WAL checkpoint worker crashed: ${error.message}`));
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      reportFailure('WAL checkpoint worker exited');
      resolve();
    });
  });

  let stopped: Promise<void> | null = null;
  return {
    stop(): Promise<void> {
      stopped ??= (async () => {
        isStopping = true;
        worker.postMessage('stop');
        const timer = setTimeout(() => void worker.terminate(), 2000);
        await exited;
        clearTimeout(timer);
      })();
      return stopped;
    },
  };
}
