import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storageConfigSchema } from '../../src/config/storage-config.js';
import { createConversationStore } from '../../src/storage/create-conversation-store.js';
import { POSTGRES_MIGRATIONS } from '../../src/storage/postgres/migrations.js';
import { PostgresConversationStore } from '../../src/storage/postgres/postgres-conversation-store.js';
import { aMessage, aTurn, runConversationStoreContract } from './conversation-store.contract.js';
import { runOperationsStoreContract } from './operations-store.contract.js';
import { openTestSchemas, TEST_DATABASE_URL, type TestSchemas } from '../support/postgres-test-database.js';

// Never skipped: without a reachable Postgres this suite fails, in CI and locally alike.
const url = TEST_DATABASE_URL;
let schemas: TestSchemas;
let admin: pg.Pool;
/** A schema name unique to this run; the migrations create it, afterAll drops it. */
const newSchema = (): string => schemas.next();

beforeAll(async () => {
  schemas = await openTestSchemas(url);
  admin = schemas.admin;
});

afterAll(async () => {
  await schemas?.dropAll();
});

runConversationStoreContract('PostgresConversationStore', {
  newLocation: async () => {
    const schema = newSchema();
    return { open: () => PostgresConversationStore.open({ connectionString: url, schema, poolMax: 4 }) };
  },
});

runOperationsStoreContract('PostgresConversationStore', {
  newLocation: async () => {
    const schema = newSchema();
    return { open: () => PostgresConversationStore.open({ connectionString: url, schema, poolMax: 4 }) };
  },
});

describe('PostgresConversationStore', () => {
  it('applies each migration once when several instances start on a new schema at once, and again finds nothing to do', async () => {
    const schema = newSchema();
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => PostgresConversationStore.open({ connectionString: url, schema, poolMax: 2 })),
    );
    await Promise.all(stores.map((store) => store.close()));
    await (await PostgresConversationStore.open({ connectionString: url, schema })).close();
    const { rows } = await admin.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
    expect(rows.map((row) => row.version)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version));
  });

  it('keeps schemas apart: data written in one is invisible in another', async () => {
    const [a, b] = await Promise.all([
      PostgresConversationStore.open({ connectionString: url, schema: newSchema() }),
      PostgresConversationStore.open({ connectionString: url, schema: newSchema() }),
    ]);
    try {
      await a.saveTurn(aTurn('conv-1', { messages: [aMessage('m1', 'conv-1')] }));
      expect(await a.getConversation('conv-1')).not.toBeNull();
      expect(await b.getConversation('conv-1')).toBeNull();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('stores JSON as JSONB and timestamps as timestamptz', async () => {
    const schema = newSchema();
    await (await PostgresConversationStore.open({ connectionString: url, schema })).close();
    const { rows } = await admin.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = $1 AND column_name IN ('payload', 'reasons_shown', 'codes_shown', 'created_at')
       ORDER BY table_name, column_name`,
      [schema],
    );
    const types = new Set(rows.map((row) => `${row.column_name}:${row.data_type}`));
    expect(types).toEqual(new Set(['payload:jsonb', 'reasons_shown:jsonb', 'codes_shown:jsonb', 'created_at:timestamp with time zone']));
  });

  it('fails with storage_unavailable when Postgres cannot be reached', async () => {
    await expect(
      PostgresConversationStore.open({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 1000 }),
    ).rejects.toMatchObject({ name: 'CandorError', code: 'storage_unavailable' });
  });
});

describe('createConversationStore (Postgres)', () => {
  it('opens Postgres in DATABASE_SCHEMA when DATABASE_URL is a postgres:// URL', async () => {
    const schema = newSchema();
    const store = await createConversationStore(storageConfigSchema.parse({ DATABASE_URL: url, DATABASE_SCHEMA: schema, DATABASE_POOL_MAX: '3' }));
    try {
      expect(store).toBeInstanceOf(PostgresConversationStore);
      await store.saveTurn(aTurn('conv-f'));
      const { rows } = await admin.query(`SELECT id FROM "${schema}".conversations`);
      expect(rows).toEqual([{ id: 'conv-f' }]);
    } finally {
      await store.close();
    }
  });
});
