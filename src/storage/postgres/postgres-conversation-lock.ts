import pg from 'pg';
import type { PoolClient } from 'pg';
import { CandorError } from '../../core/candor-error.js';
import { InProcessConversationLock } from '../../core/in-process-conversation-lock.js';
import type { ConversationLock } from '../../core/ports/conversation-lock.js';
import type { Logger } from '../../core/ports/logger.js';
import { PostgresSharedLockSession } from './postgres-shared-lock-session.js';

/** How to reach Postgres for conversation locks. */
export interface PostgresLockOptions {
  connectionString: string;
  /** Most conversations this instance can hold locked at once (one connection each); defaults to 10. */
  poolMax?: number;
  /** How long a turn waits for another instance before failing with `conversation_busy`; defaults to 15 s. */
  waitMs?: number;
  /** Where pool errors are reported; they carry no customer data. */
  logger?: Logger;
}

/** First key of the two-key advisory lock, so Candor's conversation locks never collide with other advisory locks. */
const LOCK_NAMESPACE = 0x43616e64; // 'Cand'

/** The SQLSTATE of `lock_timeout` expiring. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Runs the turns of one conversation one at a time across instances, with a session-level
 * `pg_advisory_lock(namespace, hashtext(conversationId))` held for the length of the work. Usually the
 * lock is taken without waiting on a connection shared by every conversation (see
 * PostgresSharedLockSession: one round trip for all the locks of a turn of the event loop, and its
 * unlocks); when another instance holds or waits for the conversation, the turn waits its turn on a
 * dedicated pooled connection, up to `waitMs`. The pool is its own: holding locks must never starve
 * the store of connections.
 */
export class PostgresConversationLock implements ConversationLock {
  private readonly pool: pg.Pool;
  private readonly waitMs: number;
  // Turns of one conversation in this instance queue here first, so they do not each hold a connection while waiting.
  private readonly local = new InProcessConversationLock();
  private readonly shared: PostgresSharedLockSession;

  constructor(options: PostgresLockOptions) {
    this.waitMs = options.waitMs ?? 15_000;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: this.waitMs,
      application_name: 'candor-lock',
      // Set at connection start, so waiting for a lock costs no statement of its own.
      options: `-c lock_timeout=${Math.trunc(this.waitMs)}`,
    });
    this.pool.on('error', (error: Error & { code?: string }) => {
      options.logger?.warn({ code: error.code ?? null }, 'postgres lock pool: idle connection failed');
    });
    this.shared = new PostgresSharedLockSession(this.pool, LOCK_NAMESPACE);
  }

  async withLock<T>(conversationId: string, work: () => Promise<T>): Promise<T> {
    return this.local.withLock(conversationId, async () => {
      const heldOn = await this.shared.tryLock(conversationId);
      if (heldOn === null) return this.withSessionLock(conversationId, work);
      try {
        return await work();
      } finally {
        // Not awaited: the unlock goes with the next batch. The next turn of this conversation here may
        // be asked for before it is sent; its lock on the same connection then counts up, not waits.
        this.shared.unlock(conversationId, heldOn);
      }
    });
  }

  /** Ends the lock pool; locks still held are released as their connections close. */
  async close(): Promise<void> {
    this.shared.close();
    if (!this.pool.ended) await this.pool.end();
  }

  private async withSessionLock<T>(conversationId: string, work: () => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken: Error | undefined;
    // A checked-out client has no pool listener: without this, a database restart while the turn runs
    // (the connection is idle, holding the lock) would be an unhandled 'error' event and end the process.
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    const release = (error: Error | undefined): void => {
      client.off('error', onError);
      client.release(error);
    };
    try {
      await this.acquire(client, conversationId);
    } catch (error) {
      if (!(error instanceof CandorError && error.code === 'conversation_busy')) broken ??= asError(error);
      release(broken);
      throw error;
    }
    try {
      return await work();
    } finally {
      if (broken === undefined) {
        try {
          await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_NAMESPACE, conversationId]);
        } catch (error) {
          // A session lock lives as long as its connection, so destroying the connection releases it.
          broken = asError(error);
        }
      }
      release(broken);
    }
  }

  private async connect(): Promise<PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw new CandorError('storage_unavailable', 'could not connect to Postgres for a conversation lock', { cause: error });
    }
  }

  private async acquire(client: PoolClient, conversationId: string): Promise<void> {
    try {
      await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_NAMESPACE, conversationId]);
    } catch (error) {
      if (error instanceof pg.DatabaseError && error.code === LOCK_NOT_AVAILABLE) {
        throw new CandorError('conversation_busy', `conversation still locked after ${this.waitMs} ms`, { cause: error });
      }
      throw new CandorError('storage_unavailable', 'could not take a conversation lock', { cause: error });
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
