import type { PoolClient } from 'pg';
import { CandorError } from '../../core/candor-error.js';

/** One numbered schema change; versions only grow, and an applied migration is never edited. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: string;
}

/** Candor's Postgres schema, oldest first: timestamps are TIMESTAMPTZ, JSON is JSONB. */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE conversations (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        customer_id TEXT,
        locale TEXT NOT NULL,
        state TEXT NOT NULL,
        case_id TEXT,
        consecutive_misses INTEGER NOT NULL,
        last_intent TEXT,
        awaiting_rating BOOLEAN NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL
      );

      CREATE TABLE messages (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        intent TEXT,
        confidence DOUBLE PRECISION,
        client_message_id TEXT,
        created_at TIMESTAMPTZ NOT NULL,
        UNIQUE (conversation_id, client_message_id)
      );
      CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);

      CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        ref TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        customer_ref TEXT,
        locale TEXT NOT NULL,
        intent TEXT,
        decision_id TEXT,
        reasons_shown JSONB NOT NULL,
        trigger TEXT NOT NULL,
        restricted BOOLEAN NOT NULL,
        note TEXT,
        status TEXT NOT NULL,
        agent_id TEXT,
        agent_name TEXT,
        rating INTEGER,
        created_at TIMESTAMPTZ NOT NULL,
        claimed_at TIMESTAMPTZ,
        resolved_at TIMESTAMPTZ
      );
      CREATE INDEX cases_by_status ON cases (status, created_at);

      CREATE TABLE explanations (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        customer_id TEXT NOT NULL,
        decision_id TEXT NOT NULL,
        locale TEXT NOT NULL,
        codes_shown JSONB NOT NULL,
        codes_suppressed JSONB NOT NULL,
        template_ids JSONB NOT NULL,
        content_version TEXT NOT NULL,
        review_requested BOOLEAN NOT NULL,
        created_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX explanations_by_customer ON explanations (customer_id, created_at);
      CREATE INDEX explanations_by_time ON explanations (created_at);

      CREATE TABLE outbox (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        topic TEXT NOT NULL,
        case_id TEXT NOT NULL REFERENCES cases (id),
        payload JSONB NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TIMESTAMPTZ NOT NULL,
        last_error TEXT,
        result JSONB
      );
      CREATE INDEX outbox_pending_by_case ON outbox (case_id, seq) WHERE status = 'pending';
      CREATE INDEX outbox_pending_by_due ON outbox (next_attempt_at) WHERE status = 'pending';

      CREATE TABLE seen_events (
        event_id TEXT PRIMARY KEY,
        seen_at TIMESTAMPTZ NOT NULL
      );

      CREATE TABLE pending_deliveries (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        recipient TEXT NOT NULL,
        id TEXT NOT NULL,
        payload JSONB NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        UNIQUE (recipient, id)
      );
    `,
  },
  {
    version: 2,
    name: 'retention and analytics',
    sql: `
      ALTER TABLE conversations ADD COLUMN anonymized_at TIMESTAMPTZ;
      ALTER TABLE conversations ADD COLUMN erase_requested_at TIMESTAMPTZ;
      CREATE INDEX conversations_by_customer ON conversations (customer_id);
      CREATE INDEX conversations_by_created ON conversations (created_at);
      CREATE INDEX conversations_by_updated ON conversations (updated_at);
      CREATE INDEX messages_by_time ON messages (created_at);
      CREATE INDEX cases_by_conversation ON cases (conversation_id);
      CREATE INDEX cases_by_created ON cases (created_at);
      CREATE INDEX outbox_by_case_topic ON outbox (case_id, topic);
      CREATE INDEX explanations_by_conversation ON explanations (conversation_id);
      CREATE INDEX pending_deliveries_by_time ON pending_deliveries (created_at);
      CREATE INDEX seen_events_by_time ON seen_events (seen_at);
    `,
  },
  {
    version: 3,
    name: 'acknowledged deliveries kept briefly',
    sql: `
      ALTER TABLE pending_deliveries ADD COLUMN acked_at TIMESTAMPTZ;
    `,
  },
  {
    version: 4,
    name: 'rating of bot-only help',
    sql: `
      ALTER TABLE conversations ADD COLUMN bot_rating SMALLINT CHECK (bot_rating BETWEEN 1 AND 5);
    `,
  },
  {
    version: 5,
    name: 'conversation context for follow-ups',
    sql: `
      ALTER TABLE conversations ADD COLUMN context JSONB;
    `,
  },
  {
    // An agent's thread reply names its thread by the card's ts; this finds the case of a card (or a re-post).
    version: 6,
    name: 'cases by their card',
    sql: `
      CREATE INDEX outbox_card_by_ts ON outbox ((result ->> 'ts')) WHERE topic IN ('case.created', 'case.reping');
    `,
  },
  {
    version: 7,
    name: 'what the customer was told, kept with each explanation',
    sql: `
      ALTER TABLE explanations ADD COLUMN text_shown TEXT, ADD COLUMN reason_texts JSONB;
    `,
  },
];

/** Quotes a schema name after checking it is a plain lower-case identifier (so it can never inject SQL). */
export function quoteIdentifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new CandorError('config_invalid', `not a plain SQL identifier: ${name}`);
  return `"${name}"`;
}

/**
 * Applies the migrations not yet recorded in `<schema>.schema_migrations`, in one transaction under
 * `pg_advisory_xact_lock`, so instances starting together apply each migration exactly once (the
 * others wait, then find nothing to do); returns the versions this call applied.
 */
export async function migratePostgres(
  client: PoolClient,
  schema: string,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<number[]> {
  const quoted = quoteIdentifier(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`candor.migrations.${schema}`]);
    // CREATE SCHEMA IF NOT EXISTS still races with itself, so it too runs under the lock.
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`SET LOCAL search_path TO ${quoted}`);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((row) => row.version));
    const done: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      done.push(migration.version);
    }
    await client.query('COMMIT');
    return done;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      throw new AggregateError([error, rollbackError], 'migration failed, and so did its rollback');
    }
    throw error;
  }
}
