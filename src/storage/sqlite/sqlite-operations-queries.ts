import type Database from 'better-sqlite3';
import type { EscalationCase } from '../../core/escalation-case.js';
import type { ConversationSummary, CountedValue, OperationsQueries, TimeRange } from '../../core/ports/operations-queries.js';
import { caseFromRow, checkLimit, conversationSummaryFromRow, countedValueFromRow, toIsoInstant } from '../stored-rows.js';
import type { SqliteConnection } from './sqlite-connection.js';

type Row = Record<string, unknown>;

/** The operations report's queries in SQLite. */
export class SqliteOperationsQueries implements OperationsQueries {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(private readonly connection: SqliteConnection) {
    this.sql = prepareStatements(connection.db);
  }

  async summarizeConversations(range: TimeRange): Promise<ConversationSummary[]> {
    const params = rangeParams(range);
    return this.connection.read(() => (this.sql.summarizeConversations.all(params) as Row[]).map(conversationSummaryFromRow));
  }

  async listCasesCreated(range: TimeRange): Promise<EscalationCase[]> {
    const params = rangeParams(range);
    return this.connection.read(() => (this.sql.listCasesCreated.all(params) as Row[]).map(caseFromRow));
  }

  async countCustomerIntents(range: TimeRange): Promise<CountedValue[]> {
    const params = rangeParams(range);
    return this.connection.read(() => (this.sql.countCustomerIntents.all(params) as Row[]).map(countedValueFromRow));
  }

  async topCustomerTexts(range: TimeRange, intent: string, limit: number): Promise<CountedValue[]> {
    const params = { ...rangeParams(range), intent, limit: checkLimit(limit) };
    return this.connection.read(() => (this.sql.topCustomerTexts.all(params) as Row[]).map(countedValueFromRow));
  }
}
function rangeParams(range: TimeRange): { from: string; to: string } {
  return { from: toIsoInstant(range.from), to: toIsoInstant(range.to) };
}

function prepareStatements(db: Database.Database) {
  return {
    summarizeConversations: db.prepare(`
      SELECT c.id, c.channel, c.created_at, c.bot_rating,
        (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.author = 'customer') AS customer_messages,
        (SELECT COUNT(*) FROM cases k WHERE k.conversation_id = c.id) AS case_count
      FROM conversations c WHERE c.created_at >= @from AND c.created_at < @to
      ORDER BY c.created_at, c.id`),
    listCasesCreated: db.prepare('SELECT * FROM cases WHERE created_at >= @from AND created_at < @to ORDER BY created_at, id'),
    countCustomerIntents: db.prepare(`
      SELECT intent AS value, COUNT(*) AS count FROM messages
      WHERE author = 'customer' AND intent IS NOT NULL AND created_at >= @from AND created_at < @to
      GROUP BY intent ORDER BY count DESC, value`),
    topCustomerTexts: db.prepare(`
      SELECT text AS value, COUNT(*) AS count FROM messages
      WHERE author = 'customer' AND intent = @intent AND text <> '' AND created_at >= @from AND created_at < @to
      GROUP BY text ORDER BY count DESC, value LIMIT @limit`),

  };
}
