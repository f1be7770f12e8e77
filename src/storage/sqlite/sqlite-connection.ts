import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CandorError } from '../../core/candor-error.js';
import type { Logger } from '../../core/ports/logger.js';
import { toIsoInstant } from '../stored-rows.js';
import { migrateSqlite } from './migrations.js';
import { SqliteConversationMemo } from './sqlite-conversation-memo.js';
import { startSqliteWalCheckpointer, type SqliteWalCheckpointer } from './sqlite-wal-checkpointer.js';

/** Where the SQLite store keeps its data. */
export interface SqliteStoreOptions {
  /** A file path (its folder is created) or `:memory:`; defaults to `data/candor.sqlite`. */
  path?: string;
  /** How long a write waits for another connection's lock before failing. */
  busyTimeoutMs?: number;
  /**
   * Checkpoint the WAL from a worker thread (default) instead of on the event loop after a commit;
   * ignored for `:memory:` and `file:` URIs, which keep SQLite's automatic checkpoints.
   */
  checkpointInWorker?: boolean;
  /** How often the worker checkpoints, in ms. */
  checkpointIntervalMs?: number;
  /** WAL length (in pages) from which the worker also starts the WAL over; see DEFAULT_WAL_RESTART_PAGES. */
  walRestartPages?: number;
  /** Told when the checkpoint worker fails (automatic checkpoints are then back on). */
  logger?: Logger;
}

/** The default SQLite file, relative to the working directory. */
export const DEFAULT_SQLITE_PATH = 'data/candor.sqlite';

/** How long a write waits for another connection's write lock by default, in ms. */
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** How soon queued writes try again when another connection holds the write lock, in ms. */
const LOCK_RETRY_MS = 2;

/** The WAL file is cut back to this size when the WAL starts over, and kept (reused) below it. */
const WAL_FILE_LIMIT_BYTES = 512 * 1024 * 1024;

/** SQLite's page cache per connection, in KiB (it only grows as pages are used). */
const PAGE_CACHE_KIB = 32 * 1024;

/** A hot-path write waiting for the next group commit, with the promise its caller awaits. */
interface QueuedWrite {
  work: () => void;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Runs once the write is committed (not if it fails or is rolled back). */
  onCommitted: (() => void) | undefined;
}

/**
 * A group commit starts as soon as this many writes are queued, without waiting for the end of the poll
 * phase: under load one phase reads a frame from every busy socket, and otherwise every reply would wait
 * for all of that phase's turns; committing in slices lets the first replies leave while later frames
 * are still being read.
 */
const EARLY_COMMIT_WRITES = 128;

/**
 * One SQLite connection shared by every part of the store: reads, direct writes, the group commit of
 * turns and deliveries, the memo of remembered conversations and the WAL checkpoint worker.
 */
export class SqliteConnection {
  readonly db: Database.Database;
  /** Conversations exactly as this connection last committed or read them (see SqliteConversationMemo). */
  readonly memo: SqliteConversationMemo;
  /** Writes of turns and deliveries queued for the next group commit (see {@link writeInGroup}). */
  private queued: QueuedWrite[] = [];
  private isCommitScheduled = false;
  private checkpointer: SqliteWalCheckpointer | null = null;
  private lastInstant: [string, string] = ['', ''];
  /** How long a write may wait for another connection's write lock (the `busy_timeout`). */
  private busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS;
  /** When the queued writes first found the write lock taken (ms), or null while it is free. */
  private lockWaitSince: number | null = null;
  private isLockRetryScheduled = false;
  /** Runs a batch of queued writes in one transaction, telling the caller when a write (not the commit) failed. */
  private readonly runBatch: Database.Transaction<(batch: QueuedWrite[], onWriteFailed: () => void) => void>;

  private constructor(db: Database.Database) {
    this.db = db;
    this.memo = new SqliteConversationMemo(db);
    this.runBatch = db.transaction((batch: QueuedWrite[], onWriteFailed: () => void) => {
      for (const item of batch) {
        try {
          item.work();
        } catch (error) {
          onWriteFailed();
          throw error;
        }
      }
    });
  }

  /** Opens (creating if needed) the database, sets WAL and `synchronous=NORMAL`, and applies pending migrations. */
  static open(options: SqliteStoreOptions = {}): SqliteConnection {
    const path = options.path ?? DEFAULT_SQLITE_PATH;
    try {
      if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
      const db = new Database(path);
      try {
        const busyTimeoutMs = Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
        db.pragma(`busy_timeout = ${busyTimeoutMs}`);
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('foreign_keys = ON');
        // A turn touches index pages all over the hot tables; a page cache larger than SQLite's 2 MiB
        // default keeps them in memory instead of re-reading them from the OS on the next commit.
        db.pragma(`cache_size = ${-PAGE_CACHE_KIB}`);
        migrateSqlite(db);
        const connection = new SqliteConnection(db);
        connection.busyTimeoutMs = busyTimeoutMs;
        if ((options.checkpointInWorker ?? true) && path !== ':memory:' && path !== '' && !path.startsWith('file:')) {
          connection.checkpointFromWorker(path, options);
        }
        return connection;
      } catch (error) {
        db.close();
        throw error;
      }
    } catch (error) {
      if (error instanceof CandorError) throw error;
      throw new CandorError('storage_unavailable', `could not open the SQLite store at ${path}`, { cause: error });
    }
  }

  /** Runs a read; a failure is an outage or a bug (see storageError). */
  read<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storageError(error, 'SQLite read failed');
    }
  }

  /** Runs a write in its own IMMEDIATE transaction, after committing the queued writes. */
  write<T>(work: () => T): T {
    // Writes queued earlier commit first, so writes land in the order they were asked for.
    this.commitQueued({ mayWaitForLock: true });
    try {
      // IMMEDIATE takes the write lock up front, so a read-then-write (a claim) cannot interleave with another process.
      return this.db.transaction(work).immediate();
    } catch (error) {
      throw storageError(error, 'SQLite write failed');
    }
  }

  /** A write that renames, anonymises or deletes conversations in bulk: the memo of known conversations starts over after it. */
  writeRewritingConversations<T>(work: () => T): T {
    try {
      return this.write(work);
    } finally {
      this.memo.clear();
    }
  }

  /**
   * Group commit: the writes of every turn and delivery asked for in one turn of the event loop (or
   * each slice of EARLY_COMMIT_WRITES of them) share one IMMEDIATE transaction; a failing write rolls
   * back alone and rejects only its caller. A commit writes each touched page to the WAL once instead of once per
   * write, which was the largest single cost of a turn. Each promise resolves only once its write is
   * committed, so callers that await see exactly what they saw before; a direct write commits the
   * queue first, so the order of writes is unchanged.
   */
  writeInGroup(work: () => void, onCommitted?: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ work, resolve, reject, onCommitted });
      // Every full slice tries to commit, so writes queued during a WAL restart go as soon as it ends.
      if (this.queued.length % EARLY_COMMIT_WRITES === 0) queueMicrotask(() => this.commitQueued());
      if (this.isCommitScheduled) return;
      this.isCommitScheduled = true;
      setImmediate(() => this.commitQueued());
    });
  }

  /** `toIsoInstant`, remembering the last answer: the rows of a turn (and of a group commit) share their timestamps. */
  instant(value: string): string {
    if (value === this.lastInstant[0]) return this.lastInstant[1];
    const iso = toIsoInstant(value);
    this.lastInstant = [value, iso];
    return iso;
  }

  /** Commits what is queued, stops the checkpoint worker and closes the connection. */
  async close(): Promise<void> {
    if (!this.db.open) return;
    this.commitQueued({ mayWaitForLock: true });
    const checkpointer = this.checkpointer;
    this.checkpointer = null;
    await checkpointer?.stop();
    // The last connection to close checkpoints what is left and removes the WAL.
    if (this.db.open) this.db.close();
  }

  private commitQueued(options: { mayWaitForLock?: boolean } = {}): void {
    this.isCommitScheduled = false;
    if (this.queued.length === 0) return;
    // While another connection holds the write lock, the retry timer commits everything in order; while
    // the checkpoint worker restarts the WAL, the first commit tried after it is done (or its 'done') does.
    if ((this.isLockRetryScheduled || this.checkpointer?.isHoldingWrites() === true) && options.mayWaitForLock !== true) return;
    const batch = this.queued;
    this.queued = [];
    // A group commit does not sleep on the event loop for a lock another connection holds (the WAL
    // checkpointer restarting the WAL holds it for a few ms): it finds the lock taken at once and tries
    // again on a timer, while frames keep being read, and gives up after the busy timeout as SQLite
    // would. A caller that must write now (a direct write, close) waits in SQLite's busy handler.
    const waitsForLock = options.mayWaitForLock === true;
    let failures: Map<QueuedWrite, unknown>;
    try {
      // Writes almost never fail, so the batch first runs without a savepoint per write (each cost two
      // statements and a wrapper); if one does fail, the whole batch is rolled back and run again isolated.
      failures = this.tryBatch(batch, waitsForLock) ? new Map() : this.commitIsolated(batch);
      this.lockWaitSince = null;
    } catch (error) {
      const now = Date.now();
      if (!waitsForLock && isLockTaken(error) && now - (this.lockWaitSince ?? now) < this.busyTimeoutMs) {
        this.queued = batch.concat(this.queued);
        this.lockWaitSince ??= now;
        this.retryWhenLockFrees();
        return;
      }
      this.lockWaitSince = null;
      for (const item of batch) item.reject(storageError(error, 'SQLite write failed'));
      return;
    }
    for (const item of batch) {
      if (failures.has(item)) {
        item.reject(storageError(failures.get(item), 'SQLite write failed'));
      } else {
        item.onCommitted?.();
        item.resolve();
      }
    }
    // Callers resume when the promise reactions above run, and often write again at once (a reply is
    // kept for delivery as soon as its turn is stored). Left to setImmediate, that write would wait for
    // the next turn of the event loop, behind a whole poll phase of new frames. A microtask queued now
    // runs after the first reactions and queues a nextTick, which Node runs only once every microtask is
    // done: those follow-up writes then commit together in this same phase, and replies go out sooner.
    queueMicrotask(() => process.nextTick(() => this.commitQueued()));
  }

  private retryWhenLockFrees(): void {
    if (this.isLockRetryScheduled) return;
    this.isLockRetryScheduled = true;
    setTimeout(() => {
      this.isLockRetryScheduled = false;
      this.commitQueued();
    }, LOCK_RETRY_MS);
  }

  /**
   * Commits the batch in one transaction; false (and nothing written) when one of its writes failed.
   * Unless `waitsForLock`, a write lock held by another connection throws SQLITE_BUSY at once.
   */
  private tryBatch(batch: QueuedWrite[], waitsForLock: boolean): boolean {
    let hasFailedWrite = false;
    if (!waitsForLock) this.db.pragma('busy_timeout = 0');
    try {
      this.runBatch.immediate(batch, () => {
        hasFailedWrite = true;
      });
    } catch (error) {
      if (!hasFailedWrite) throw error;
      return false;
    } finally {
      if (!waitsForLock) this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
    return true;
  }

  /** Commits the batch with each write in its own savepoint: a failing write rolls back alone. */
  private commitIsolated(batch: QueuedWrite[]): Map<QueuedWrite, unknown> {
    const failures = new Map<QueuedWrite, unknown>();
    this.db
      .transaction(() => {
        for (const item of batch) {
          try {
            // A transaction inside a transaction is a savepoint in better-sqlite3.
            this.db.transaction(item.work)();
          } catch (error) {
            // Some errors (disk full, I/O) end the whole transaction; then nothing of the batch is kept.
            if (!this.db.inTransaction) throw error;
            failures.set(item, error);
          }
        }
      })
      .immediate();
    return failures;
  }

  /**
   * A checkpoint copies the WAL into the database file and syncs it to disk; run after a commit on the
   * event loop (SQLite's default) it stalled every turn for the length of an fsync. Here the main
   * connection never checkpoints and a worker thread does, without blocking readers or writers; if the
   * worker fails, automatic checkpoints come back so the WAL cannot grow without bound.
   */
  private checkpointFromWorker(path: string, options: SqliteStoreOptions): void {
    const { checkpointIntervalMs: intervalMs, walRestartPages, logger } = options;
    this.db.pragma('wal_autocheckpoint = 0');
    // When the WAL starts over, its file is cut back to this size. Under load the WAL refills to its
    // peak within seconds, and growing the file again (allocating blocks, journalling the filesystem's
    // metadata) stalled commits on ext4: with a 64 MiB limit p99 was 1.2–1.35× Botkit's, with this one
    // 0.84–1.06× (paired runs at 500 clients). The file is cut only beyond this size.
    this.db.pragma(`journal_size_limit = ${WAL_FILE_LIMIT_BYTES}`);
    this.checkpointer = startSqliteWalCheckpointer({
      path,
      ...(intervalMs === undefined ? {} : { intervalMs }),
      ...(walRestartPages === undefined ? {} : { restartAfterPages: walRestartPages }),
      onResumeWrites: () => this.commitQueued(),
      onFailure: (reason) => {
        logger?.warn({ reason }, 'SQLite WAL checkpoints moved back to the main connection');
        this.checkpointer = null;
        if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
      },
    });
  }
}

/** True for SQLITE_BUSY: another connection holds the lock (nothing of the transaction was written). */
function isLockTaken(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code === 'SQLITE_BUSY';
}

/** Busy, locked and unopenable databases are outages; anything else (a constraint, a bad row) is a bug. */
function storageError(error: unknown, message: string): CandorError {
  if (error instanceof CandorError) return error;
  const code = error instanceof Database.SqliteError ? error.code : undefined;
  const isOutage = code !== undefined && /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|NOTADB|CORRUPT)/.test(code);
  return new CandorError(isOutage ? 'storage_unavailable' : 'internal', code ? `${message} (${code})` : message, { cause: error });
}
