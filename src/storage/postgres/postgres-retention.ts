import type { PoolClient } from 'pg';
import type { ConversationState } from '../../core/conversation.js';
import type { CaseStatus, ExplanationRecord } from '../../core/escalation-case.js';
import type { NewOutboxItem, OutboxTopic } from '../../core/outbox.js';
import type { ConversationAnonymity, RetentionPass, RetentionSteps, RetentionStore } from '../../core/ports/retention-store.js';
import { runPassAwaiting } from '../../core/retention-pass.js';
import { explanationFromRow, toIsoInstant } from '../stored-rows.js';
import type { PostgresConnection } from './postgres-connection.js';
import { CONVERSATION_COLUMNS, EXPLANATION_COLUMNS, insertOutbox } from './postgres-row-writes.js';

/** Retention and erasure in Postgres: each pass one transaction, one pass per database at a time under an advisory lock. */
export class PostgresRetention implements RetentionStore {
  constructor(private readonly connection: PostgresConnection) {}

  async runRetentionPass<T>(pass: RetentionPass<T>): Promise<T> {
    return this.connection.transaction(async (client) => {
      // Passes rename conversations other passes may be reading.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['candor.retention']);
      return runPassAwaiting(pass, new PostgresRetentionSteps(client));
    });
  }
}

/** The retention steps as Postgres statements on the pass's transaction. */
class PostgresRetentionSteps implements RetentionSteps {
  constructor(private readonly client: PoolClient) {}

  deleteMessagesBefore(before: string): Promise<number> {
    return this.count('DELETE FROM messages WHERE created_at < $1', [toIsoInstant(before)]);
  }

  deleteDeliveriesBefore(before: string): Promise<number> {
    return this.count('DELETE FROM pending_deliveries WHERE created_at < $1', [toIsoInstant(before)]);
  }

  deleteSeenEventsBefore(before: string): Promise<number> {
    return this.count('DELETE FROM seen_events WHERE seen_at < $1', [toIsoInstant(before)]);
  }

  deleteExplanationsBefore(before: string): Promise<number> {
    return this.count('DELETE FROM explanations WHERE created_at < $1', [toIsoInstant(before)]);
  }

  deleteCustomerExplanationsBefore(customerId: string, before: string): Promise<number> {
    return this.count('DELETE FROM explanations WHERE customer_id = $1 AND created_at < $2', [customerId, toIsoInstant(before)]);
  }

  listInactiveConversations(before: string): Promise<string[]> {
    return this.ids('SELECT id FROM conversations WHERE updated_at < $1 AND anonymized_at IS NULL ORDER BY id COLLATE "C" FOR UPDATE', [toIsoInstant(before)]);
  }

  listAnonymizedShells(before: string): Promise<string[]> {
    return this.ids(
      'SELECT id FROM conversations WHERE anonymized_at IS NOT NULL AND (erase_requested_at IS NOT NULL OR updated_at < $1) ORDER BY id COLLATE "C"',
      [toIsoInstant(before)],
    );
  }

  listCustomerConversations(customerId: string): Promise<string[]> {
    return this.ids('SELECT id FROM conversations WHERE customer_id = $1 UNION SELECT conversation_id FROM explanations WHERE customer_id = $1 ORDER BY 1', [customerId]);
  }

  async lockConversation(id: string): Promise<ConversationAnonymity | null> {
    const found = await this.client.query<{ anonymized_at: Date | null; erase_requested_at: Date | null }>(
      'SELECT anonymized_at, erase_requested_at FROM conversations WHERE id = $1 FOR UPDATE',
      [id],
    );
    const row = found.rows[0];
    if (row === undefined) return null;
    return { anonymizedAt: row.anonymized_at?.toISOString() ?? null, eraseRequestedAt: row.erase_requested_at?.toISOString() ?? null };
  }

  deleteConversationMessages(id: string): Promise<number> {
    return this.count('DELETE FROM messages WHERE conversation_id = $1', [id]);
  }

  deleteConversationDeliveries(id: string): Promise<number> {
    return this.count('DELETE FROM pending_deliveries WHERE recipient = $1', [id]);
  }

  async markEraseRequested(id: string, at: string): Promise<void> {
    await this.client.query('UPDATE conversations SET erase_requested_at = $2 WHERE id = $1', [id, toIsoInstant(at)]);
  }

  async renameToAnonymous(input: { id: string; opaqueId: string; at: string; eraseRequestedAt: string | null }): Promise<void> {
    const erase = input.eraseRequestedAt === null ? null : toIsoInstant(input.eraseRequestedAt);
    await this.client.query(
      `INSERT INTO conversations (${CONVERSATION_COLUMNS}, anonymized_at, erase_requested_at)
       SELECT $1, channel, NULL, locale, state, case_id, consecutive_misses, last_intent, awaiting_rating, bot_rating, context, created_at, updated_at, $2, $3
       FROM conversations WHERE id = $4`,
      [input.opaqueId, toIsoInstant(input.at), erase, input.id],
    );
    await this.client.query('UPDATE cases SET conversation_id = $1 WHERE conversation_id = $2', [input.opaqueId, input.id]);
    await this.client.query('UPDATE explanations SET conversation_id = $1 WHERE conversation_id = $2', [input.opaqueId, input.id]);
    await this.client.query('DELETE FROM conversations WHERE id = $1', [input.id]);
  }

  scrubCases(conversationIds: string[]): Promise<number> {
    return this.count(
      `UPDATE cases SET customer_ref = NULL, reasons_shown = '[]'::jsonb, note = NULL
       WHERE conversation_id = ANY($1::text[]) AND (customer_ref IS NOT NULL OR reasons_shown <> '[]'::jsonb OR note IS NOT NULL)`,
      [conversationIds],
    );
  }

  async blankSentCaseMessages(conversationIds: string[]): Promise<void> {
    await this.client.query(
      `UPDATE outbox SET payload = '{}'::jsonb
       WHERE topic = 'case.message' AND status <> 'pending' AND payload <> '{}'::jsonb
         AND case_id IN (SELECT id FROM cases WHERE conversation_id = ANY($1::text[]))`,
      [conversationIds],
    );
  }

  listCasesNeedingThreadDeletion(conversationIds: string[]): Promise<string[]> {
    return this.ids(
      `SELECT k.id FROM cases k
       WHERE k.conversation_id = ANY($1::text[])
         AND EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = k.id AND o.topic IN ('case.created', 'case.reping') AND o.status <> 'dead')
         AND NOT EXISTS (SELECT 1 FROM outbox d WHERE d.case_id = k.id AND d.topic = 'case.delete_thread')
       ORDER BY k.id COLLATE "C"`,
      [conversationIds],
    );
  }

  queueOutbox(item: NewOutboxItem): Promise<void> {
    return insertOutbox(this.client, item);
  }

  closeCases(conversationIds: string[], change: { from: readonly CaseStatus[]; to: CaseStatus; at: string }): Promise<number> {
    return this.count(
      `UPDATE cases SET status = $3, resolved_at = coalesce(resolved_at, $4)
       WHERE conversation_id = ANY($1::text[]) AND status = ANY($2::text[])`,
      [conversationIds, [...change.from], change.to, toIsoInstant(change.at)],
    );
  }

  async setConversationState(conversationIds: string[], change: { state: ConversationState; awaitingRating: boolean }): Promise<void> {
    await this.client.query('UPDATE conversations SET state = $2, awaiting_rating = $3 WHERE id = ANY($1::text[]) AND state <> $2', [
      conversationIds,
      change.state,
      change.awaitingRating,
    ]);
  }

  async dropPendingCaseOutbox(conversationIds: string[], keepTopic: OutboxTopic): Promise<void> {
    await this.client.query(
      `DELETE FROM outbox WHERE status = 'pending' AND topic <> $2
         AND case_id IN (SELECT id FROM cases WHERE conversation_id = ANY($1::text[]))`,
      [conversationIds, keepTopic],
    );
  }

  listUnheldShells(conversationIds: string[]): Promise<string[]> {
    return this.ids(
      `SELECT c.id FROM conversations c
       WHERE c.id = ANY($1::text[]) AND c.anonymized_at IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM explanations e WHERE e.conversation_id = c.id)
         AND NOT EXISTS (SELECT 1 FROM outbox o JOIN cases k ON k.id = o.case_id WHERE k.conversation_id = c.id AND o.status = 'pending')`,
      [conversationIds],
    );
  }

  async deleteConversations(conversationIds: string[]): Promise<{ conversationsDeleted: number; casesDeleted: number }> {
    await this.client.query('DELETE FROM outbox WHERE case_id IN (SELECT id FROM cases WHERE conversation_id = ANY($1::text[]))', [conversationIds]);
    const casesDeleted = await this.count('DELETE FROM cases WHERE conversation_id = ANY($1::text[])', [conversationIds]);
    await this.client.query('DELETE FROM messages WHERE conversation_id = ANY($1::text[])', [conversationIds]);
    const conversationsDeleted = await this.count('DELETE FROM conversations WHERE id = ANY($1::text[])', [conversationIds]);
    return { conversationsDeleted, casesDeleted };
  }

  listExistingConversations(conversationIds: string[]): Promise<string[]> {
    return this.ids('SELECT id FROM conversations WHERE id = ANY($1::text[])', [conversationIds]);
  }

  async listCustomerExplanations(customerId: string): Promise<ExplanationRecord[]> {
    const found = await this.client.query(`SELECT ${EXPLANATION_COLUMNS} FROM explanations WHERE customer_id = $1 ORDER BY created_at, id COLLATE "C"`, [customerId]);
    return found.rows.map(explanationFromRow);
  }

  async countCasesAwaitingThreadDeletion(conversationIds: string[]): Promise<number> {
    const found = await this.client.query<{ n: number }>(
      `SELECT count(DISTINCT o.case_id)::int AS n FROM outbox o JOIN cases k ON k.id = o.case_id
       WHERE o.topic = 'case.delete_thread' AND o.status = 'pending' AND k.conversation_id = ANY($1::text[])`,
      [conversationIds],
    );
    return found.rows[0]?.n ?? 0;
  }

  private async count(text: string, values: unknown[]): Promise<number> {
    return (await this.client.query(text, values)).rowCount ?? 0;
  }

  private async ids(text: string, values: unknown[]): Promise<string[]> {
    return (await this.client.query<{ id: string }>(text, values)).rows.map((row) => row.id);
  }
}
