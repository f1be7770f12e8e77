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
  /**
   * True while the main connection's commits must wait for a WAL restart; the first call after the
   * worker asks for one starts the hold, so it begins between two commits, never inside one.
   */
  isHoldingWrites(): boolean;
  /** Stops the worker and closes its connection; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * WAL length (in pages) from which a checkpoint also restarts the WAL by default: 65,536 pages is
 * 256 MiB. Each restart holds the main connection's commits while the last frames are copied and
 * synced (5–40 ms here), and every reply in flight waits that long, so a long WAL means fewer holds:
 * at about 100 MB of WAL a second (5,000 turns a second) the WAL restarts every 4 s instead of at every
 * 2 s checkpoint. The file stays within the store's 512 MiB `journal_size_limit` up to about 130 MB
 * of WAL a second.
 */
export const DEFAULT_WAL_RESTART_PAGES = 65_536;

/** The longest the main connection's writes are held for a WAL restart, in ms. */
const MAX_WRITE_HOLD_MS = 1000;

/** How long the worker waits for the main thread to hold its writes before restarting without it (it is then not writing), in ms. */
const MAX_WAIT_FOR_HOLD_MS = 200;

/**
 * Where a WAL restart stands, in one Int32 shared by the worker and the main thread: the worker asks
 * (`wanted`), the main thread answers at its next commit (`held`), the worker restarts the WAL and says
 * so (`done`), and the main thread's next commit goes ahead (`idle`). Shared memory, not messages, so
 * neither side waits for the other's event loop to come round.
 */
const RESTART_PHASE = { idle: 0, wanted: 1, held: 2, done: 3 } as const;

/**
 * The worker's code, run from a string (`eval`) so it needs no separate build step under tsx, vitest
 * or compiled JS. It opens its own connection and runs `wal_checkpoint(PASSIVE)` on a timer: PASSIVE
 * never waits for and never blocks the main connection's readers or writers, and the disk sync it
 * ends with happens on this thread instead of the event loop.
 *
 * Under steady writes a PASSIVE checkpoint never catches up with the end of the WAL (frames keep
 * arriving while it copies), and SQLite only starts the WAL over when a writer finds it entirely
 * copied, so the WAL would grow without bound (1.5 GB after 80,000 turns in a test). So once the WAL is
 * long, PASSIVE passes repeat until few frames arrive during one; then the worker asks the main thread
 * to hold its commits and, while it waits, keeps copying the newest frames every few ms. Once the
 * writes are held it runs a RESTART checkpoint, which has only those last few ms of frames left to copy
 * and sync, and lets the next commit start the WAL from the beginning. The main thread keeps running
 * meanwhile; only its commits wait, for the restart alone (5–40 ms here, mostly its fsync), against
 * 30–50 ms when the hold began and ended with messages, which each waited for a turn of the main loop.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
db.pragma('synchronous = NORMAL');
const phase = new Int32Array(workerData.phase);
const { idle, wanted, held, done } = workerData.phases;
let failures = 0;
function fail(error) {
  failures += 1;
  parentPort.postMessage({ type: 'error', message: String(error && error.message), failures });
}
function passive() {
  const [result] = db.pragma('wal_checkpoint(PASSIVE)');
  return result;
}
function waitForHold() {
  const deadline = Date.now() + workerData.maxWaitForHoldMs;
  while (Atomics.load(phase, 0) === wanted) {
    // The main thread is not committing, so there is nothing to hold: restart without it.
    if (Date.now() >= deadline && Atomics.compareExchange(phase, 0, wanted, held) === wanted) return;
    if (Atomics.wait(phase, 0, wanted, workerData.copyEveryMs) === 'timed-out') passive();
  }
}
function checkpoint() {
  // A restart the main thread never came back to commit after.
  Atomics.compareExchange(phase, 0, done, idle);
  try {
    let result = passive();
    failures = 0;
    if (!result || result.log < workerData.restartAfterPages) return;
    let before = -1;
    for (let pass = 0; pass < 4; pass += 1) {
      before = result.log;
      result = passive();
      if (result.log - before < 256) break;
    }
    // Nothing committed between the last two passes and every frame copied: the main connection is idle,
    // and its next commit starts the WAL over by itself.
    if (result.log === before && result.checkpointed === result.log) return;
    Atomics.store(phase, 0, wanted);
    waitForHold();
    db.pragma('wal_checkpoint(RESTART)');
  } catch (error) {
    fail(error);
  } finally {
    if (Atomics.load(phase, 0) !== idle) {
      Atomics.store(phase, 0, done);
      parentPort.postMessage({ type: 'restart-done' });
    }
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
 * checkpoint never stalls the event loop. The main connection must have `wal_autocheckpoint` off and
 * must not commit while `isHoldingWrites()`; `onResumeWrites` says when it may again, and `onFailure`
 * is told when the worker errs or exits early (the caller turns autocheckpointing back on).
 */
export function startSqliteWalCheckpointer(options: {
  path: string;
  intervalMs?: number;
  /** WAL length (in pages) from which a checkpoint also restarts the WAL. */
  restartAfterPages?: number;
  /** The main connection may commit again (writes queued during a hold can go now). */
  onResumeWrites: () => void;
  onFailure: (reason: string) => void;
}): SqliteWalCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const phase = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path: options.path,
      driver,
      intervalMs: options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
      restartAfterPages: options.restartAfterPages ?? DEFAULT_WAL_RESTART_PAGES,
      maxWaitForHoldMs: MAX_WAIT_FOR_HOLD_MS,
      copyEveryMs: 5,
      phase: phase.buffer,
      phases: RESTART_PHASE,
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
  // A worker that never finishes a restart must not hold writes for long.
  let holdStartedAt: number | null = null;
  const isHoldingWrites = (): boolean => {
    const now = Atomics.load(phase, 0);
    if (now === RESTART_PHASE.idle) return false;
    if (now === RESTART_PHASE.done) {
      Atomics.compareExchange(phase, 0, RESTART_PHASE.done, RESTART_PHASE.idle);
      holdStartedAt = null;
      return false;
    }
    if (now === RESTART_PHASE.wanted && Atomics.compareExchange(phase, 0, RESTART_PHASE.wanted, RESTART_PHASE.held) === RESTART_PHASE.wanted) {
      Atomics.notify(phase, 0);
    }
    if (holdStartedAt === null) {
      holdStartedAt = Date.now();
      // Writes queued during a hold are committed when it ends, or when it has lasted too long.
      setTimeout(options.onResumeWrites, MAX_WRITE_HOLD_MS + 1).unref();
    }
    return Date.now() - holdStartedAt < MAX_WRITE_HOLD_MS;
  };
  const resumeWrites = () => {
    Atomics.store(phase, 0, RESTART_PHASE.idle);
    holdStartedAt = null;
    options.onResumeWrites();
  };
  worker.on('message', (message: { type?: string; message?: string; failures?: number }) => {
    if (message.type === 'restart-done') {
      options.onResumeWrites();
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
    isHoldingWrites,
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
