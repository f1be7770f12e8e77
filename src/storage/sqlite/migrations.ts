import type Database from 'better-sqlite3';

/** One numbered schema change; versions only grow, and an applied migration is never edited. */
export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

/** Candor's SQLite schema, oldest first. Timestamps are UTC ISO 8601 text, JSON is TEXT, booleans are 0/1. */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
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
        awaiting_rating INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        author TEXT NOT NULL,
        text TEXT NOT NULL,
        intent TEXT,
        confidence REAL,
        client_message_id TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (conversation_id, client_message_id)
      ) STRICT;
      CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);

      CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        ref TEXT NOT NULL UNIQUE,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        customer_ref TEXT,
        locale TEXT NOT NULL,
        intent TEXT,
        decision_id TEXT,
        reasons_shown TEXT NOT NULL,
        trigger TEXT NOT NULL,
        restricted INTEGER NOT NULL,
        note TEXT,
        status TEXT NOT NULL,
        agent_id TEXT,
        agent_name TEXT,
        rating INTEGER,
        created_at TEXT NOT NULL,
        claimed_at TEXT,
        resolved_at TEXT
      ) STRICT;
      CREATE INDEX cases_by_status ON cases (status, created_at);

      CREATE TABLE explanations (
        id TEXT PRIMARY KEY,
        conversation_id TEXT NOT NULL REFERENCES conversations (id),
        customer_id TEXT NOT NULL,
        decision_id TEXT NOT NULL,
        locale TEXT NOT NULL,
        codes_shown TEXT NOT NULL,
        codes_suppressed TEXT NOT NULL,
        template_ids TEXT NOT NULL,
        content_version TEXT NOT NULL,
        review_requested INTEGER NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX explanations_by_customer ON explanations (customer_id, created_at);
      CREATE INDEX explanations_by_time ON explanations (created_at);

      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        topic TEXT NOT NULL,
        case_id TEXT NOT NULL REFERENCES cases (id),
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        result TEXT
      ) STRICT;
      CREATE INDEX outbox_pending_by_case ON outbox (case_id, seq) WHERE status = 'pending';
      CREATE INDEX outbox_pending_by_due ON outbox (next_attempt_at) WHERE status = 'pending';

      CREATE TABLE seen_events (
        event_id TEXT PRIMARY KEY,
        seen_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE pending_deliveries (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        recipient TEXT NOT NULL,
        id TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (recipient, id)
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'retention and analytics',
    sql: `
      ALTER TABLE conversations ADD COLUMN anonymized_at TEXT;
      ALTER TABLE conversations ADD COLUMN erase_requested_at TEXT;
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
      ALTER TABLE pending_deliveries ADD COLUMN acked_at TEXT;
    `,
  },
  {
    version: 4,
    name: 'rating of bot-only help',
    sql: `
      ALTER TABLE conversations ADD COLUMN bot_rating INTEGER CHECK (bot_rating BETWEEN 1 AND 5);
    `,
  },
  {
    // Every turn inserts into each per-conversation index on a different page, and the commit writes each
    // such page to the WAL. The unique (conversation_id, client_message_id) index already finds a
    // conversation's messages, so the second per-conversation index on messages only cost writes.
    version: 5,
    name: 'one per-conversation index on messages',
    sql: `
      DROP INDEX messages_by_conversation;
    `,
  },
  {
    version: 6,
    name: 'conversation context for follow-ups',
    sql: `
      ALTER TABLE conversations ADD COLUMN context TEXT;
    `,
  },
  {
    // An agent's thread reply names its thread by the card's ts; this finds the case of a card (or a re-post).
    version: 7,
    name: 'cases by their card',
    sql: `
      CREATE INDEX outbox_card_by_ts ON outbox (json_extract(result, '$.ts')) WHERE topic IN ('case.created', 'case.reping');
    `,
  },
  {
    version: 8,
    name: 'what the customer was told, kept with each explanation',
    sql: `
      ALTER TABLE explanations ADD COLUMN text_shown TEXT;
      ALTER TABLE explanations ADD COLUMN reason_texts TEXT;
    `,
  },
];

/** Applies the migrations not yet recorded in `schema_migrations`, all in one write transaction; returns the versions applied. */
export function migrateSqlite(db: Database.Database, migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS): number[] {
  // IMMEDIATE takes the write lock before reading schema_migrations, so two processes opening the
  // same new file apply each migration once (the second waits on busy_timeout, then sees them done).
  const apply = db.transaction((): number[] => {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT`);
    const applied = new Set(
      db
        .prepare('SELECT version FROM schema_migrations')
        .pluck()
        .all()
        .map((version) => Number(version)),
    );
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    const done: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
      done.push(migration.version);
    }
    return done;
  });
  return apply.immediate();
}
