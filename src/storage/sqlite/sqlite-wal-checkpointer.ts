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

/** WAL length (in pages) from which a checkpoint also restarts the WAL: 4,096 pages is 16 MiB. */
const RESTART_WAL_AFTER_PAGES = 4096;

/** The longest the main connection's writes are held for a WAL restart, in ms. */
const MAX_WRITE_HOLD_MS = 1000;

/**
 * The worker's code, run from a string (`eval`) so it needs no separate build step under tsx, vitest
 * or compiled JS. It opens its own connection and runs `wal_checkpoint(PASSIVE)` on a timer: PASSIVE
 * never waits for and never blocks the main connection's readers or writers, and the disk sync it
 * ends with happens on this thread instead of the event loop.
 *
 * Under steady writes a PASSIVE checkpoint never catches up with the end of the WAL (frames keep
 * arriving while it copies), and SQLite only starts the WAL over when a writer finds it entirely
 * copied, so the WAL would grow without bound (1.5 GB after 80,000 turns in a test). So once the WAL is
 * long, PASSIVE passes repeat until few frames arrive during one, and then the worker asks the main
 * thread to hold its writes ('restart-wanted'); once told to go ('restart-go') it runs a RESTART
 * checkpoint, which copies the last frames and lets the next commit start the WAL from the beginning
 * (journal_size_limit then trims the file), and says 'restart-done'. The main thread keeps running
 * meanwhile; only its commits wait, for a few milliseconds.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = NORMAL');
let failures = 0;
let isRestartAsked = false;
function fail(error) {
  failures += 1;
  parentPort.postMessage({ type: 'error', message: String(error && error.message), failures });
}
function checkpoint() {
  if (isRestartAsked) return;
  try {
    let [result] = db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
    if (!result || result.log < workerData.restartAfterPages) return;
    for (let pass = 0; pass < 4; pass += 1) {
      const before = result.log;
      [result] = db.pragma('wal_checkpoint(PASSIVE)');
      if (result.log - before < 256) break;
    }
    isRestartAsked = true;
    parentPort.postMessage({ type: 'restart-wanted' });
  } catch (error) {
    fail(error);
  }
}
function restart() {
  try {
    db.pragma('wal_checkpoint(RESTART)');
  } catch (error) {
    fail(error);
  } finally {
    isRestartAsked = false;
    parentPort.postMessage({ type: 'restart-done' });
  }
}
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'restart-go') return restart();
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
  /** The main connection's writes must wait until `resume` is called (the worker restarts the WAL meanwhile). */
  onHoldWrites: () => void;
  /** The main connection may write again. */
  onResumeWrites: () => void;
  onFailure: (reason: string) => void;
}): SqliteWalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path: options.path,
      driver,
      intervalMs: options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
      restartAfterPages: RESTART_WAL_AFTER_PAGES,
    },
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
  let isHoldingWrites = false;
  let holdTimer: NodeJS.Timeout | undefined;
  const resumeWrites = () => {
    if (!isHoldingWrites) return;
    isHoldingWrites = false;
    clearTimeout(holdTimer);
    options.onResumeWrites();
  };
  worker.on('message', (message: { type?: string; message?: string; failures?: number }) => {
    if (message.type === 'restart-wanted') {
      // This runs between commits (a commit is synchronous), so the write lock is free to hand over.
      isHoldingWrites = true;
      options.onHoldWrites();
      // A worker that never answers must not hold writes for long.
      holdTimer = setTimeout(resumeWrites, MAX_WRITE_HOLD_MS);
      holdTimer.unref();
      worker.postMessage('restart-go');
      return;
    }
    if (message.type === 'restart-done') {
      resumeWrites();
      return;
    }
    // A single failed checkpoint is retried at the next tick; a run of them means checkpoints are not happening.
    if (message.type === 'error' && (message.failures ?? 0) >= 5) reportFailure(`WAL checkpoints failing: ${message.message ?? 'unknown error'}`);
  });
  worker.on('error', (error) => {
    resumeWrites();
    reportFailure(`WAL checkpoint worker crashed: ${error.message}`);
  });
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => {
      resumeWrites();
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
