import type Database from 'better-sqlite3';
import type { ConversationState } from '../../core/conversation.js';
import type { CaseStatus, ExplanationRecord } from '../../core/escalation-case.js';
import type { NewOutboxItem, OutboxTopic } from '../../core/outbox.js';
import type { ConversationAnonymity, RetentionPass, RetentionSteps, RetentionStore } from '../../core/ports/retention-store.js';
import { runPassAtOnce } from '../../core/retention-pass.js';
import { explanationFromRow, toIsoInstant } from '../stored-rows.js';
import type { SqliteConnection } from './sqlite-connection.js';
import type { SqliteRowWrites } from './sqlite-row-writes.js';

/** Retention and erasure in SQLite: each pass one write transaction, after which remembered conversations are forgotten. */
export class SqliteRetention implements RetentionStore {
  private readonly steps: SqliteRetentionSteps;

  constructor(
    private readonly connection: SqliteConnection,
    writes: SqliteRowWrites,
  ) {
    this.steps = new SqliteRetentionSteps(connection.db, writes);
  }

  async runRetentionPass<T>(pass: RetentionPass<T>): Promise<T> {
    return this.connection.writeRewritingConversations(() => runPassAtOnce(pass, this.steps));
  }
}

/** The retention steps as SQLite statements; lists of ids travel as JSON arrays read with `json_each`. */
class SqliteRetentionSteps implements RetentionSteps {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(
    db: Database.Database,
    private readonly writes: SqliteRowWrites,
  ) {
    this.sql = prepareStatements(db);
  }

  deleteMessagesBefore(before: string): number {
    return this.sql.deleteMessagesBefore.run(toIsoInstant(before)).changes;
  }

  deleteDeliveriesBefore(before: string): number {
    return this.sql.deleteDeliveriesBefore.run(toIsoInstant(before)).changes;
  }

  deleteSeenEventsBefore(before: string): number {
    return this.sql.deleteSeenEventsBefore.run(toIsoInstant(before)).changes;
  }

  deleteExplanationsBefore(before: string): number {
    return this.sql.deleteExplanationsBefore.run(toIsoInstant(before)).changes;
  }

  deleteCustomerExplanationsBefore(customerId: string, before: string): number {
    return this.sql.deleteCustomerExplanationsBefore.run(customerId, toIsoInstant(before)).changes;
  }

  listInactiveConversations(before: string): string[] {
    return this.sql.listInactiveConversations.all(toIsoInstant(before)) as string[];
  }

  listAnonymizedShells(before: string): string[] {
    return this.sql.listAnonymizedShells.all(toIsoInstant(before)) as string[];
  }

  listCustomerConversations(customerId: string): string[] {
    return this.sql.listCustomerConversations.all(customerId, customerId) as string[];
  }

  lockConversation(id: string): ConversationAnonymity | null {
    const row = this.sql.getAnonymity.get(id) as { anonymized_at: string | null; erase_requested_at: string | null } | undefined;
    return row === undefined ? null : { anonymizedAt: row.anonymized_at, eraseRequestedAt: row.erase_requested_at };
  }

  deleteConversationMessages(id: string): number {
    return this.sql.deleteConversationMessages.run(id).changes;
  }

  deleteConversationDeliveries(id: string): number {
    return this.sql.deleteConversationDeliveries.run(id).changes;
  }

  markEraseRequested(id: string, at: string): void {
    this.sql.markEraseRequested.run(toIsoInstant(at), id);
  }

  renameToAnonymous(input: { id: string; opaqueId: string; at: string; eraseRequestedAt: string | null }): void {
    const at = toIsoInstant(input.at);
    const erase = input.eraseRequestedAt === null ? null : toIsoInstant(input.eraseRequestedAt);
    this.sql.copyAnonymous.run({ opaque: input.opaqueId, now: at, erase, id: input.id });
    this.sql.moveCases.run(input.opaqueId, input.id);
    this.sql.moveExplanations.run(input.opaqueId, input.id);
    this.sql.deleteConversation.run(input.id);
  }

  scrubCases(conversationIds: string[]): number {
    return this.sql.scrubCases.run(JSON.stringify(conversationIds)).changes;
  }

  blankSentCaseMessages(conversationIds: string[]): void {
    this.sql.blankSentCaseMessages.run(JSON.stringify(conversationIds));
  }

  listCasesNeedingThreadDeletion(conversationIds: string[]): string[] {
    return this.sql.listCasesNeedingThreadDeletion.all(JSON.stringify(conversationIds)) as string[];
  }

  queueOutbox(item: NewOutboxItem): void {
    this.writes.insertOutbox(item);
  }

  closeCases(conversationIds: string[], change: { from: readonly CaseStatus[]; to: CaseStatus; at: string }): number {
    return this.sql.closeCases.run(change.to, toIsoInstant(change.at), JSON.stringify(conversationIds), JSON.stringify(change.from)).changes;
  }

  setConversationState(conversationIds: string[], change: { state: ConversationState; awaitingRating: boolean }): void {
    this.sql.setConversationState.run({ state: change.state, awaiting: change.awaitingRating ? 1 : 0, ids: JSON.stringify(conversationIds) });
  }

  dropPendingCaseOutbox(conversationIds: string[], keepTopic: OutboxTopic): void {
    this.sql.dropPendingCaseOutbox.run(keepTopic, JSON.stringify(conversationIds));
  }

  listUnheldShells(conversationIds: string[]): string[] {
    return this.sql.listUnheldShells.all(JSON.stringify(conversationIds)) as string[];
  }

  deleteConversations(conversationIds: string[]): { conversationsDeleted: number; casesDeleted: number } {
    const list = JSON.stringify(conversationIds);
    this.sql.deleteCaseOutbox.run(list);
    const casesDeleted = this.sql.deleteCases.run(list).changes;
    this.sql.deleteListedMessages.run(list);
    const conversationsDeleted = this.sql.deleteConversations.run(list).changes;
    return { conversationsDeleted, casesDeleted };
  }

  listExistingConversations(conversationIds: string[]): string[] {
    return this.sql.listExistingConversations.all(JSON.stringify(conversationIds)) as string[];
  }

  listCustomerExplanations(customerId: string): ExplanationRecord[] {
    return this.sql.listCustomerExplanations.all(customerId).map(explanationFromRow);
  }

  countCasesAwaitingThreadDeletion(conversationIds: string[]): number {
    return this.sql.countCasesAwaitingThreadDeletion.get(JSON.stringify(conversationIds)) as number;
  }
}

/** `IN (…)` over a JSON array parameter. */
const IN_LIST = 'IN (SELECT value FROM json_each(?))';

function prepareStatements(db: Database.Database) {
  return {
    deleteMessagesBefore: db.prepare('DELETE FROM messages WHERE created_at < ?'),
    deleteDeliveriesBefore: db.prepare('DELETE FROM pending_deliveries WHERE created_at < ?'),
    deleteSeenEventsBefore: db.prepare('DELETE FROM seen_events WHERE seen_at < ?'),
    deleteExplanationsBefore: db.prepare('DELETE FROM explanations WHERE created_at < ?'),
    deleteCustomerExplanationsBefore: db.prepare('DELETE FROM explanations WHERE customer_id = ? AND created_at < ?'),
    listInactiveConversations: db.prepare('SELECT id FROM conversations WHERE updated_at < ? AND anonymized_at IS NULL ORDER BY id').pluck(),
    listAnonymizedShells: db
      .prepare('SELECT id FROM conversations WHERE anonymized_at IS NOT NULL AND (erase_requested_at IS NOT NULL OR updated_at < ?) ORDER BY id')
      .pluck(),
    listCustomerConversations: db
      .prepare('SELECT id FROM conversations WHERE customer_id = ? UNION SELECT conversation_id FROM explanations WHERE customer_id = ? ORDER BY 1')
      .pluck(),
    getAnonymity: db.prepare('SELECT anonymized_at, erase_requested_at FROM conversations WHERE id = ?'),
    deleteConversationMessages: db.prepare('DELETE FROM messages WHERE conversation_id = ?'),
    deleteConversationDeliveries: db.prepare('DELETE FROM pending_deliveries WHERE recipient = ?'),
    markEraseRequested: db.prepare('UPDATE conversations SET erase_requested_at = ? WHERE id = ?'),
    copyAnonymous: db.prepare(
      `INSERT INTO conversations (id, channel, customer_id, locale, state, case_id, consecutive_misses, last_intent,
         awaiting_rating, bot_rating, context, created_at, updated_at, anonymized_at, erase_requested_at)
       SELECT @opaque, channel, NULL, locale, state, case_id, consecutive_misses, last_intent, awaiting_rating,
         bot_rating, context, created_at, updated_at, @now, @erase FROM conversations WHERE id = @id`,
    ),
    moveCases: db.prepare('UPDATE cases SET conversation_id = ? WHERE conversation_id = ?'),
    moveExplanations: db.prepare('UPDATE explanations SET conversation_id = ? WHERE conversation_id = ?'),
    deleteConversation: db.prepare('DELETE FROM conversations WHERE id = ?'),
    scrubCases: db.prepare(
      `UPDATE cases SET customer_ref = NULL, reasons_shown = '[]', note = NULL
       WHERE conversation_id ${IN_LIST} AND (customer_ref IS NOT NULL OR reasons_shown <> '[]' OR note IS NOT NULL)`,
    ),
    blankSentCaseMessages: db.prepare(
      `UPDATE outbox SET payload = '{}'
       WHERE topic = 'case.message' AND status <> 'pending' AND payload <> '{}'
         AND case_id IN (SELECT id FROM cases WHERE conversation_id ${IN_LIST})`,
    ),
    listCasesNeedingThreadDeletion: db
      .prepare(
        `SELECT k.id FROM cases k
         WHERE k.conversation_id ${IN_LIST}
           AND EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = k.id AND o.topic IN ('case.created', 'case.reping') AND o.status <> 'dead')
           AND NOT EXISTS (SELECT 1 FROM outbox d WHERE d.case_id = k.id AND d.topic = 'case.delete_thread')
         ORDER BY k.id`,
      )
      .pluck(),
    closeCases: db.prepare(
      `UPDATE cases SET status = ?, resolved_at = coalesce(resolved_at, ?)
       WHERE conversation_id ${IN_LIST} AND status ${IN_LIST}`,
    ),
    setConversationState: db.prepare(
      'UPDATE conversations SET state = @state, awaiting_rating = @awaiting WHERE id IN (SELECT value FROM json_each(@ids)) AND state <> @state',
    ),
    dropPendingCaseOutbox: db.prepare(
      `DELETE FROM outbox WHERE status = 'pending' AND topic <> ?
         AND case_id IN (SELECT id FROM cases WHERE conversation_id ${IN_LIST})`,
    ),
    listUnheldShells: db
      .prepare(
        `SELECT c.id FROM conversations c
         WHERE c.id ${IN_LIST} AND c.anonymized_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM explanations e WHERE e.conversation_id = c.id)
           AND NOT EXISTS (SELECT 1 FROM outbox o JOIN cases k ON k.id = o.case_id WHERE k.conversation_id = c.id AND o.status = 'pending')`,
      )
      .pluck(),
    deleteCaseOutbox: db.prepare(`DELETE FROM outbox WHERE case_id IN (SELECT id FROM cases WHERE conversation_id ${IN_LIST})`),
    deleteCases: db.prepare(`DELETE FROM cases WHERE conversation_id ${IN_LIST}`),
    deleteListedMessages: db.prepare(`DELETE FROM messages WHERE conversation_id ${IN_LIST}`),
    deleteConversations: db.prepare(`DELETE FROM conversations WHERE id ${IN_LIST}`),
    listExistingConversations: db.prepare(`SELECT id FROM conversations WHERE id ${IN_LIST}`).pluck(),
    listCustomerExplanations: db.prepare('SELECT * FROM explanations WHERE customer_id = ? ORDER BY created_at, id'),
    countCasesAwaitingThreadDeletion: db
      .prepare(
        `SELECT COUNT(DISTINCT o.case_id) FROM outbox o JOIN cases k ON k.id = o.case_id
         WHERE o.topic = 'case.delete_thread' AND o.status = 'pending' AND k.conversation_id ${IN_LIST}`,
      )
      .pluck(),
  };
}
