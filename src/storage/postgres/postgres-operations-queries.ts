import type { EscalationCase } from '../../core/escalation-case.js';
import type { ConversationSummary, CountedValue, OperationsQueries, TimeRange } from '../../core/ports/operations-queries.js';
import { caseFromRow, checkLimit, conversationSummaryFromRow, countedValueFromRow, toIsoInstant } from '../stored-rows.js';
import type { PostgresConnection } from './postgres-connection.js';
import { CASE_COLUMNS } from './postgres-row-writes.js';

/** The operations report's queries in Postgres. */
export class PostgresOperationsQueries implements OperationsQueries {
  constructor(private readonly connection: PostgresConnection) {}

  async summarizeConversations(range: TimeRange): Promise<ConversationSummary[]> {
    const rows = await this.connection.query(
      'candor_summarize_conversations',
      `SELECT c.id, c.channel, c.created_at, c.bot_rating,
         (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.author = 'customer')::int AS customer_messages,
         (SELECT count(*) FROM cases k WHERE k.conversation_id = c.id)::int AS case_count
       FROM conversations c WHERE c.created_at >= $1 AND c.created_at < $2
       ORDER BY c.created_at, c.id`,
      rangeValues(range),
    );
    return rows.map(conversationSummaryFromRow);
  }

  async listCasesCreated(range: TimeRange): Promise<EscalationCase[]> {
    const rows = await this.connection.query(
      'candor_list_cases_created',
      `SELECT ${CASE_COLUMNS} FROM cases WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, id`,
      rangeValues(range),
    );
    return rows.map(caseFromRow);
  }

  async countCustomerIntents(range: TimeRange): Promise<CountedValue[]> {
    const rows = await this.connection.query(
      'candor_count_customer_intents',
      `SELECT intent AS value, count(*)::int AS count FROM messages
       WHERE author = 'customer' AND intent IS NOT NULL AND created_at >= $1 AND created_at < $2
       GROUP BY intent ORDER BY count DESC, intent COLLATE "C"`,
      rangeValues(range),
    );
    return rows.map(countedValueFromRow);
  }

  async topCustomerTexts(range: TimeRange, intent: string, limit: number): Promise<CountedValue[]> {
    const rows = await this.connection.query(
      'candor_top_customer_texts',
      `SELECT text AS value, count(*)::int AS count FROM messages
       WHERE author = 'customer' AND intent = $3 AND text <> '' AND created_at >= $1 AND created_at < $2
       GROUP BY text ORDER BY count DESC, text COLLATE "C" LIMIT $4`,
      [...rangeValues(range), intent, checkLimit(limit)],
    );
    return rows.map(countedValueFromRow);
  }
}

function rangeValues(range: TimeRange): [string, string] {
  return [toIsoInstant(range.from), toIsoInstant(range.to)];
}
