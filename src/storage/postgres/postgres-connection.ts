import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { CandorError } from '../../core/candor-error.js';

/** One pg Pool shared by every part of the Postgres store: named queries, borrowed clients and transactions. */
export class PostgresConnection {
  constructor(readonly pool: pg.Pool) {}

  /** Runs one named (prepared) statement and returns its rows. */
  async query(name: string, text: string, values: unknown[]): Promise<QueryResultRow[]> {
    return this.withClient(async (client) => (await client.query({ name, text, values })).rows);
  }

  /** Borrows a connection; a failure to get one is an outage, a failing statement is classified by its SQLSTATE. */
  async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new CandorError('storage_unavailable', 'could not connect to Postgres', { cause: error });
    }
    let broken: Error | undefined;
    // Checked out, the client has no pool listener; a connection lost between two statements must not
    // become an unhandled 'error' event (the statement in progress, if any, fails on its own).
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      const failure = storageError(error);
      if (failure.code === 'storage_unavailable') broken = failure;
      throw failure;
    } finally {
      client.off('error', onError);
      // Releasing with an error destroys the connection instead of returning a broken one to the pool.
      client.release(broken);
    }
  }

  /** Runs `work` in one transaction on one borrowed client, rolled back when it throws. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          throw new CandorError('storage_unavailable', 'Postgres transaction failed, and so did its rollback', {
            cause: new AggregateError([error, rollbackError]),
          });
        }
        throw error;
      }
    });
  }

  /** Ends the pool (once). */
  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

/**
 * Connection loss, shutdown and resource exhaustion are outages; constraint and data errors from the
 * server, and programming errors on our side, are bugs.
 */
function storageError(error: unknown): CandorError {
  if (error instanceof CandorError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const isServerError = error instanceof pg.DatabaseError;
  const isOurBug = error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError;
  // pg reports a dropped connection as a plain Error without a code, so anything else is taken as an outage.
  const isOutage = isServerError ? /^(08|53|57P|58)/.test(code) : !isOurBug;
  return new CandorError(isOutage ? 'storage_unavailable' : 'internal', `Postgres ${isServerError ? 'statement' : 'call'} failed${code ? ` (${code})` : ''}`, {
    cause: error,
  });
}
