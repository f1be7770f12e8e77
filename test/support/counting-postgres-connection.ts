import pg from 'pg';
import { migratePostgres } from '../../src/storage/postgres/migrations.js';
import { PostgresConnection } from '../../src/storage/postgres/postgres-connection.js';
import { openTestSchemas, TEST_DATABASE_URL, type TestSchemas } from './postgres-test-database.js';

/** A migrated test schema on the test database, reached through a pool whose clients record every statement they send. */
export interface CountingPostgres {
  pool: pg.Pool;
  connection: PostgresConnection;
  /** The test schemas opened for it, for a test that needs another. */
  schemas: TestSchemas;
  /** The name (or text) of every statement sent, in order: each is one round trip, and outside BEGIN/COMMIT one commit. */
  sent: string[];
  close(): Promise<void>;
}

/** Opens a fresh migrated schema whose pool (of `max` clients) counts the statements it sends. */
export async function openCountingPostgres(options: { max: number }): Promise<CountingPostgres> {
  const sent: string[] = [];
  class CountingClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      const send = this.query.bind(this) as (...args: unknown[]) => unknown;
      this.query = ((...args: unknown[]) => {
        const first = args[0];
        sent.push(typeof first === 'string' ? first : String((first as { name?: string; text?: string }).name ?? (first as { text?: string }).text));
        return send(...args);
      }) as pg.Client['query'];
    }
  }
  const schemas = await openTestSchemas(TEST_DATABASE_URL);
  const schema = schemas.next();
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: options.max, options: `-c search_path=${schema}`, Client: CountingClient });
  const connection = new PostgresConnection(pool);
  await connection.withClient((client) => migratePostgres(client, schema));
  return {
    pool,
    connection,
    schemas,
    sent,
    async close() {
      await pool.end();
      await schemas.dropAll();
    },
  };
}
