import type Database from 'better-sqlite3';
import type { Conversation, StoredMessage } from '../../core/conversation.js';
import type { EscalationCase, ExplanationRecord } from '../../core/escalation-case.js';
import type { NewOutboxItem } from '../../core/outbox.js';
import { toIsoInstant } from '../stored-rows.js';
import type { SqliteConnection } from './sqlite-connection.js';

/** The columns of the cases table, in the order the case statements list them. */
export const CASE_COLUMNS = `id, ref, conversation_id, customer_ref, locale, intent, decision_id, reasons_shown, trigger, restricted,
    note, status, agent_id, agent_name, rating, created_at, claimed_at, resolved_at`;

/**
 * The row writes several parts of the SQLite store share (a turn, a case update, retention), each run
 * inside the caller's transaction, every statement prepared once.
 */
export class SqliteRowWrites {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(private readonly connection: SqliteConnection) {
    this.sql = prepareStatements(connection.db);
  }

  /** True when a customer message with this message's client id is already stored for its conversation. */
  isStoredClientMessage(message: StoredMessage): boolean {
    return message.clientMessageId !== null && this.sql.hasClientMessage.get(message.conversationId, message.clientMessageId) !== undefined;
  }

  // The hot writes bind positionally: better-sqlite3 looks each named parameter up on the object, which
  // cost more than the row insert itself for the wide rows of a turn.
  /** Writes the conversation and returns it as now stored (an existing row keeps its creation time). */
  upsertConversation(conversation: Conversation): Conversation {
    const params = this.conversationParams(conversation);
    const updatedAt = params[12];
    const known = this.connection.memo.get(conversation.id);
    // A remembered conversation is on file: a plain UPDATE skips the upsert's failed INSERT and its RETURNING.
    if (known !== undefined && this.sql.updateConversation.run(...params.slice(1, 11), updatedAt, conversation.id).changes === 1) {
      return { ...conversation, createdAt: known.createdAt, updatedAt };
    }
    const createdAt = this.sql.upsertConversation.get(...params) as string;
    return { ...conversation, createdAt, updatedAt };
  }

  /** The conversation's columns in upsertConversation's order. */
  private conversationParams(conversation: Conversation) {
    return [
      conversation.id,
      conversation.channel,
      conversation.customerId,
      conversation.locale,
      conversation.state,
      conversation.caseId,
      conversation.consecutiveMisses,
      conversation.lastIntent,
      conversation.awaitingRating ? 1 : 0,
      conversation.botRating,
      JSON.stringify(conversation.context),
      this.connection.instant(conversation.createdAt),
      this.connection.instant(conversation.updatedAt),
    ] as const;
  }

  /** Inserts a message (a resend of a stored client id inserts nothing). */
  insertMessage(message: StoredMessage): void {
    this.sql.insertMessage.run(
      message.id,
      message.conversationId,
      message.author,
      message.text,
      message.intent,
      message.confidence,
      message.clientMessageId,
      this.connection.instant(message.createdAt),
    );
  }

  /** Inserts an explanation record. */
  insertExplanation(record: ExplanationRecord): void {
    this.sql.insertExplanation.run(
      record.id,
      record.conversationId,
      record.customerId,
      record.decisionId,
      record.locale,
      JSON.stringify(record.codesShown),
      JSON.stringify(record.codesSuppressed),
      JSON.stringify(record.templateIds),
      record.contentVersion,
      record.reviewRequested ? 1 : 0,
      record.text,
      record.reasonTexts === null ? null : JSON.stringify(record.reasonTexts),
      this.connection.instant(record.createdAt),
    );
  }

  /** Inserts a case. */
  insertCase(record: EscalationCase): void {
    this.sql.insertCase.run(caseParams(record));
  }

  /** Inserts a pending outbox item. */
  insertOutbox(item: NewOutboxItem): void {
    const createdAt = toIsoInstant(item.createdAt);
    this.sql.insertOutbox.run({
      id: item.id,
      topic: item.topic,
      caseId: item.caseId,
      payload: JSON.stringify(item.payload),
      createdAt,
    });
  }
}

/** A case as the named parameters of the case statements. */
export function caseParams(record: EscalationCase): Record<string, unknown> {
  return {
    id: record.id,
    ref: record.ref,
    conversationId: record.conversationId,
    customerRef: record.customerRef,
    locale: record.locale,
    intent: record.intent,
    decisionId: record.decisionId,
    reasonsShown: JSON.stringify(record.reasonsShown),
    trigger: record.trigger,
    restricted: record.restricted ? 1 : 0,
    note: record.note,
    status: record.status,
    agentId: record.agentId,
    agentName: record.agentName,
    rating: record.rating,
    createdAt: toIsoInstant(record.createdAt),
    claimedAt: record.claimedAt === null ? null : toIsoInstant(record.claimedAt),
    resolvedAt: record.resolvedAt === null ? null : toIsoInstant(record.resolvedAt),
  };
}

function prepareStatements(db: Database.Database) {
  const caseColumns = CASE_COLUMNS;
  return {
    upsertConversation: db.prepare(`
      INSERT INTO conversations (id, channel, customer_id, locale, state, case_id, consecutive_misses, last_intent,
        awaiting_rating, bot_rating, context, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET
        channel = excluded.channel, customer_id = excluded.customer_id, locale = excluded.locale, state = excluded.state,
        case_id = excluded.case_id, consecutive_misses = excluded.consecutive_misses, last_intent = excluded.last_intent,
        awaiting_rating = excluded.awaiting_rating, bot_rating = excluded.bot_rating, context = excluded.context,
        updated_at = excluded.updated_at
      RETURNING created_at`).pluck(),
    // The upsert's columns from channel to context, then updated_at and the id (an update keeps created_at).
    updateConversation: db.prepare(`
      UPDATE conversations SET channel = ?, customer_id = ?, locale = ?, state = ?, case_id = ?, consecutive_misses = ?,
        last_intent = ?, awaiting_rating = ?, bot_rating = ?, context = ?, updated_at = ?
      WHERE id = ?`),
    hasClientMessage: db.prepare('SELECT 1 FROM messages WHERE conversation_id = ? AND client_message_id = ?'),
    insertMessage: db.prepare(`
      INSERT INTO messages (id, conversation_id, author, text, intent, confidence, client_message_id, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (conversation_id, client_message_id) DO NOTHING`),
    insertCase: db.prepare(`
      INSERT INTO cases (${caseColumns})
      VALUES (@id, @ref, @conversationId, @customerRef, @locale, @intent, @decisionId, @reasonsShown, @trigger, @restricted,
        @note, @status, @agentId, @agentName, @rating, @createdAt, @claimedAt, @resolvedAt)`),
    insertExplanation: db.prepare(`
      INSERT INTO explanations (id, conversation_id, customer_id, decision_id, locale, codes_shown, codes_suppressed,
        template_ids, content_version, review_requested, text_shown, reason_texts, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    insertOutbox: db.prepare(`
      INSERT INTO outbox (id, topic, case_id, payload, created_at, status, attempts, next_attempt_at)
      VALUES (@id, @topic, @caseId, @payload, @createdAt, 'pending', 0, @createdAt)`),
  };
}
