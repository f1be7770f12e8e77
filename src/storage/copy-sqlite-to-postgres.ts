import Database from 'better-sqlite3';
import pg from 'pg';
import { CandorError } from '../core/candor-error.js';
import { quoteIdentifier } from './postgres/migrations.js';
import { PostgresConversationStore } from './postgres/postgres-conversation-store.js';
import { SqliteConversationStore } from './sqlite/sqlite-conversation-store.js';

/** How a column is carried from SQLite to Postgres. */
type ColumnKind = 'text' | 'number' | 'flag' | 'json' | 'time';

/** The tables copied, parents first, with their columns (never the local `seq`: Postgres numbers rows itself, in the same order). */
const TABLES: ReadonlyArray<{ name: string; columns: Record<string, ColumnKind> }> = [
  {
    name: 'conversations',
    columns: {
      id: 'text', channel: 'text', customer_id: 'text', locale: 'text', state: 'text', case_id: 'text', consecutive_misses: 'number',
      last_intent: 'text', awaiting_rating: 'flag', bot_rating: 'number', context: 'json', created_at: 'time', updated_at: 'time', anonymized_at: 'time', erase_requested_at: 'time',
    },
  },
  {
    name: 'messages',
    columns: { id: 'text', conversation_id: 'text', author: 'text', text: 'text', intent: 'text', confidence: 'number', client_message_id: 'text', created_at: 'time' },
  },
  {
    name: 'cases',
    columns: {
      id: 'text', ref: 'text', conversation_id: 'text', customer_ref: 'text', locale: 'text', intent: 'text', decision_id: 'text', reasons_shown: 'json',
      trigger: 'text', restricted: 'flag', note: 'text', status: 'text', agent_id: 'text', agent_name: 'text', rating: 'number', created_at: 'time',
      claimed_at: 'time', resolved_at: 'time',
    },
  },
  {
    name: 'explanations',
    columns: {
      id: 'text', conversation_id: 'text', customer_id: 'text', decision_id: 'text', locale: 'text', codes_shown: 'json', codes_suppressed: 'json',
      template_ids: 'json', content_version: 'text', review_requested: 'flag', text_shown: 'text', reason_texts: 'json', created_at: 'time',
    },
  },
  {
    name: 'outbox',
    columns: {
      id: 'text', topic: 'text', case_id: 'text', payload: 'json', created_at: 'time', status: 'text', attempts: 'number', next_attempt_at: 'time',
      last_error: 'text', result: 'json',
    },
  },
  { name: 'seen_events', columns: { event_id: 'text', seen_at: 'time' } },
  { name: 'pending_deliveries', columns: { recipient: 'text', id: 'text', payload: 'json', created_at: 'time', acked_at: 'time' } },
];

/** Rows per table: read from SQLite, and newly inserted into Postgres (rows already there are left alone). */
export type CopyReport = Record<string, { read: number; inserted: number }>;

const CASTS: Record<ColumnKind, string> = { text: 'text', number: 'double precision', flag: 'boolean', json: 'jsonb', time: 'timestamptz' };

function toPostgresValue(kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'flag') return value === 1 || value === true;
  return value;
}

/**
 * Copies a SQLite Candor database into a Postgres schema: both are first migrated to the current
 * version, then every table is copied in one transaction, in the original order, skipping rows whose
 * key is already there, so running it again (or after a partial run) copies only what is missing.
 */
export async function copySqliteToPostgres(options: { from: string; to: string; schema?: string; batchSize?: number }): Promise<CopyReport> {
  const schema = options.schema ?? 'public';
  const batchSize = options.batchSize ?? 500;
  // Opening the stores applies any missing migrations, so both sides have the current columns.
  await (await SqliteConversationStore.open({ path: options.from })).close();
  await (await PostgresConversationStore.open({ connectionString: options.to, schema, poolMax: 1 })).close();

  const source = new Database(options.from, { readonly: true, fileMustExist: true });
  const target = new pg.Client({ connectionString: options.to, application_name: 'candor-copy' });
  const report: CopyReport = {};
  try {
    await target.connect();
    await target.query('BEGIN');
    await target.query(`SET LOCAL search_path TO ${quoteIdentifier(schema)}`);
    for (const table of TABLES) {
      const names = Object.keys(table.columns);
      const rows = source.prepare(`SELECT ${names.join(', ')} FROM ${table.name} ORDER BY rowid`).all() as Record<string, unknown>[];
      let inserted = 0;
      for (let start = 0; start < rows.length; start += batchSize) {
        const batch = rows.slice(start, start + batchSize);
        const values: unknown[] = [];
        const tuples = batch.map((row) => {
          const placeholders = names.map((name) => {
            const kind = table.columns[name] as ColumnKind;
            values.push(toPostgresValue(kind, row[name]));
            return `$${values.length}::${CASTS[kind]}`;
          });
          return `(${placeholders.join(', ')})`;
        });
        const result = await target.query(`INSERT INTO ${table.name} (${names.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING`, values);
        inserted += result.rowCount ?? 0;
      }
      report[table.name] = { read: rows.length, inserted };
    }
    await target.query('COMMIT');
    return report;
  } catch (error) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw error instanceof CandorError ? error : new CandorError('storage_unavailable', 'copying SQLite to Postgres failed; nothing was committed', { cause: error });
  } finally {
    source.close();
    await target.end().catch(() => undefined);
  }
}
