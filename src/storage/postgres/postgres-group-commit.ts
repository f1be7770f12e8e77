import type { PoolClient } from 'pg';
import { CandorError } from '../../core/candor-error.js';
import type { PostgresConnection } from './postgres-connection.js';

/** Writes the batch in one statement (one round trip, one commit) and returns each write's outcome, in the batch's order. */
export type GroupStatement<Write, Outcome> = (client: PoolClient, batch: readonly Write[]) => Promise<Outcome[]>;

/** How a group commit forms its batches. */
export interface GroupCommitOptions<Write> {
  /** Most writes in one statement. */
  maxBatch: number;
  /** Writes with the same key never share a batch (a statement may not update one row twice); the later one waits for the next. */
  keyOf?: (write: Write) => string;
}

interface QueuedWrite<Write, Outcome> {
  write: Write;
  resolve: (outcome: Outcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit on Postgres, as SQLite's `writeInGroup` does it: the writes asked for while no batch
 * could start share one statement, so many writes cost one round trip and one WAL flush. A batch is
 * formed when a connection is free, not when the first write arrives: while every connection waits
 * on a commit, writes gather, and the batch grows with the load without a tuned delay. Each caller's
 * promise resolves only once its write is committed. A statement that fails for a reason other than
 * an outage is run again write by write, so a failing write fails alone. The reads that start turns
 * are batched the same way (a read is then a "write" that commits nothing).
 */
export class PostgresGroupCommit<Write, Outcome> {
  private queued: Array<QueuedWrite<Write, Outcome>> = [];
  /** True while a batch is scheduled or waiting for a connection: it takes everything queued by then. */
  private isBatchComing = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly connection: PostgresConnection,
    private readonly statement: GroupStatement<Write, Outcome>,
    private readonly options: GroupCommitOptions<Write>,
  ) {}

  /** Queues a write for the next batch; resolves with its outcome once committed. */
  write(write: Write): Promise<Outcome> {
    return new Promise<Outcome>((resolve, reject) => {
      this.queued.push({ write, resolve, reject });
      this.startBatch();
    });
  }

  /** Resolves once every queued write has been committed or has failed (before the pool is closed). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0 || this.queued.length > 0) {
      if (this.inFlight.size === 0) {
        // A batch is scheduled for the next turn of the event loop (or is now): let it start.
        this.startBatch();
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      await Promise.allSettled([...this.inFlight]);
    }
  }

  private startBatch(): void {
    if (this.isBatchComing || this.queued.length === 0) return;
    this.isBatchComing = true;
    // On the next turn of the event loop, so the writes of this one (a poll phase's turns) join it.
    setImmediate(() => {
      const running = this.runBatch().finally(() => this.inFlight.delete(running));
      this.inFlight.add(running);
    });
  }

  private async runBatch(): Promise<void> {
    let batch: Array<QueuedWrite<Write, Outcome>> | null = null;
    try {
      await this.connection.withClient(async (client) => {
        batch = this.takeBatch();
        // Writes queued from now on go in the next batch, on another connection (or this one, once free).
        this.isBatchComing = false;
        this.startBatch();
        if (batch.length === 0) return;
        settle(batch, await this.statement(client, batch.map((queued) => queued.write)));
      });
    } catch (error) {
      if (batch === null) {
        // No connection: the writes waiting for this batch fail with it.
        batch = this.takeBatch();
        this.isBatchComing = false;
        this.startBatch();
      }
      await this.isolate(batch, error);
    }
  }

  /** After a failed batch: an outage fails every write; otherwise each write is tried alone. */
  private async isolate(batch: Array<QueuedWrite<Write, Outcome>>, error: unknown): Promise<void> {
    const isOutage = error instanceof CandorError && error.code === 'storage_unavailable';
    if (isOutage || batch.length === 1) {
      for (const queued of batch) queued.reject(error);
      return;
    }
    for (const queued of batch) {
      try {
        settle([queued], await this.connection.withClient((client) => this.statement(client, [queued.write])));
      } catch (alone) {
        queued.reject(alone);
      }
    }
  }

  /** Up to maxBatch queued writes, in order, skipping a write whose key is already in the batch (it stays first in line). */
  private takeBatch(): Array<QueuedWrite<Write, Outcome>> {
    const { keyOf, maxBatch } = this.options;
    if (keyOf === undefined) return this.queued.splice(0, maxBatch);
    const batch: Array<QueuedWrite<Write, Outcome>> = [];
    const left: Array<QueuedWrite<Write, Outcome>> = [];
    const keys = new Set<string>();
    for (const queued of this.queued) {
      const key = keyOf(queued.write);
      if (batch.length < maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(queued);
      } else {
        left.push(queued);
      }
    }
    this.queued = left;
    return batch;
  }
}

function settle<Write, Outcome>(batch: Array<QueuedWrite<Write, Outcome>>, outcomes: Outcome[]): void {
  batch.forEach((queued, index) => queued.resolve(outcomes[index] as Outcome));
}
