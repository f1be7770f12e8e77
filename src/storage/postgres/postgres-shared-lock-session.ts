import type pg from 'pg';
import type { PoolClient } from 'pg';
import { CandorError } from '../../core/candor-error.js';

/** A lock or unlock asked for, waiting for the next statement. */
interface LockRequest {
  key: string;
  isUnlock: boolean;
  /** With whether the key was taken (or released), and the connection the statement ran on. */
  resolve: (isDone: boolean, holder: HolderConnection) => void;
  reject: (error: unknown) => void;
}

/**
 * Every lock and unlock asked for in one turn of the event loop, in one statement: `pg_try_advisory_lock`
 * never waits, so many locks can be taken on one connection at once; the row's place keeps the order.
 */
const LOCK_BATCH_SQL = `
  SELECT CASE WHEN r.is_unlock THEN pg_advisory_unlock($1, hashtext(r.key)) ELSE pg_try_advisory_lock($1, hashtext(r.key)) END AS ok
  FROM unnest($2::text[], $3::boolean[]) WITH ORDINALITY AS r(key, is_unlock, n)
  ORDER BY r.n`;

/** One connection holding conversation locks; when it is lost, so are its locks (the server releases them). */
interface HolderConnection {
  client: PoolClient;
  isLost: boolean;
}

/**
 * Conversation locks held as session-level advisory locks on one shared connection, taken and released
 * in batches: the locks and unlocks asked for in one turn of the event loop cost one round trip
 * together, and the number of conversations locked at once is not bounded by the pool.
 * A try fails when another session holds the key or waits for it (Postgres queues a try behind
 * waiters), so the caller then waits its turn on a dedicated connection. Session locks count: a key
 * taken twice on this connection (two conversations whose ids hash alike, or the next turn of a
 * conversation asked for before the previous unlock was sent) is free again after two unlocks.
 */
export class PostgresSharedLockSession {
  private requests: LockRequest[] = [];
  private isFlushScheduled = false;
  private holder: HolderConnection | null = null;
  private connecting: Promise<HolderConnection> | null = null;
  private isClosed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly namespace: number,
  ) {}

  /**
   * Tries to lock the key without waiting; resolves with the connection holding it (to unlock it on),
   * or null when another session holds or waits for it.
   */
  async tryLock(key: string): Promise<object | null> {
    const { isDone, holder } = await this.ask(key, false);
    return isDone ? holder : null;
  }

  /**
   * Releases a key taken by `tryLock`, without waiting: it goes in the next batch. A lock whose
   * connection was lost meanwhile is already released, and is not unlocked on the new connection.
   */
  unlock(key: string, heldOn: object): void {
    if (heldOn !== this.holder || this.holder.isLost) return;
    this.ask(key, true).catch(() => undefined);
  }

  /** Gives the shared connection back to the pool; the server releases its locks. */
  close(): void {
    this.isClosed = true;
    const holder = this.holder;
    this.holder = null;
    if (holder !== null && !holder.isLost) {
      holder.isLost = true;
      holder.client.release(true);
    }
  }

  private ask(key: string, isUnlock: boolean): Promise<{ isDone: boolean; holder: HolderConnection }> {
    return new Promise((resolve, reject) => {
      this.requests.push({ key, isUnlock, resolve: (isDone, holder) => resolve({ isDone, holder }), reject });
      if (this.isFlushScheduled) return;
      this.isFlushScheduled = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    this.isFlushScheduled = false;
    const batch = this.requests;
    this.requests = [];
    let holder: HolderConnection | null = null;
    try {
      holder = await this.connection();
      const { rows } = await holder.client.query({
        name: 'candor_conversation_locks',
        text: LOCK_BATCH_SQL,
        values: [this.namespace, batch.map((request) => request.key), batch.map((request) => request.isUnlock)],
      });
      batch.forEach((request, index) => request.resolve(rows[index]?.ok === true, holder as HolderConnection));
    } catch (error) {
      this.lose(holder);
      const failure = new CandorError('storage_unavailable', 'could not take or release conversation locks', { cause: error });
      for (const request of batch) request.reject(failure);
    }
  }

  private async connection(): Promise<HolderConnection> {
    if (this.isClosed) throw new CandorError('storage_unavailable', 'the conversation locks are closed');
    if (this.holder !== null && !this.holder.isLost) return this.holder;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connect(): Promise<HolderConnection> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new CandorError('storage_unavailable', 'could not connect to Postgres for conversation locks', { cause: error });
    }
    const holder: HolderConnection = { client, isLost: false };
    // Checked out for good, the client has no pool listener: a database restart must not become an
    // unhandled 'error' event; the locks are gone with the connection, and the next request reconnects.
    client.on('error', () => this.lose(holder));
    if (this.isClosed) {
      holder.isLost = true;
      client.release(true);
      throw new CandorError('storage_unavailable', 'the conversation locks are closed');
    }
    this.holder = holder;
    return holder;
  }

  private lose(holder: HolderConnection | null): void {
    if (holder === null || holder.isLost) return;
    holder.isLost = true;
    if (this.holder === holder) this.holder = null;
    holder.client.release(true);
  }
}
