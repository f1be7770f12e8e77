import type { PoolClient } from 'pg';
import { CandorError } from '../../core/candor-error.js';
import type { Conversation, StoredMessage } from '../../core/conversation.js';
import type { EscalationCase, ExplanationRecord } from '../../core/escalation-case.js';
import type { NewOutboxItem } from '../../core/outbox.js';
import { toIsoInstant } from '../stored-rows.js';

/** Column list of the `conversations` table, in the order its rows are read and inserted. */
export const CONVERSATION_COLUMNS =
  'id, channel, customer_id, locale, state, case_id, consecutive_misses, last_intent, awaiting_rating, bot_rating, context, created_at, updated_at';
/** Column list of the `messages` table, in the order its rows are read and inserted. */
export const MESSAGE_COLUMNS = 'seq, id, conversation_id, author, text, intent, confidence, client_message_id, created_at';
/** Column list of the `cases` table, in the order its rows are read and inserted. */
export const CASE_COLUMNS = `id, ref, conversation_id, customer_ref, locale, intent, decision_id, reasons_shown, trigger, restricted,
  note, status, agent_id, agent_name, rating, created_at, claimed_at, resolved_at`;
/** Column list of the `explanations` table, in the order its rows are read and inserted. */
export const EXPLANATION_COLUMNS = `id, conversation_id, customer_id, decision_id, locale, codes_shown, codes_suppressed, template_ids,
  content_version, review_requested, text_shown, reason_texts, created_at`;
/** Column list of the `outbox` table, in the order its rows are read and inserted. */
export const OUTBOX_COLUMNS = 'seq, id, topic, case_id, payload, created_at, status, attempts, next_attempt_at, last_error, result';

/** Inserts or updates a conversation inside the caller's transaction. */
export async function upsertConversation(client: PoolClient, conversation: Conversation): Promise<void> {
  await client.query({
    name: 'candor_upsert_conversation',
    text: `INSERT INTO conversations (${CONVERSATION_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (id) DO UPDATE SET
             channel = excluded.channel, customer_id = excluded.customer_id, locale = excluded.locale, state = excluded.state,
             case_id = excluded.case_id, consecutive_misses = excluded.consecutive_misses, last_intent = excluded.last_intent,
             awaiting_rating = excluded.awaiting_rating, bot_rating = excluded.bot_rating, context = excluded.context,
             updated_at = excluded.updated_at`,
    values: [
      conversation.id,
      conversation.channel,
      conversation.customerId,
      conversation.locale,
      conversation.state,
      conversation.caseId,
      conversation.consecutiveMisses,
      conversation.lastIntent,
      conversation.awaitingRating,
      conversation.botRating,
      JSON.stringify(conversation.context),
      toIsoInstant(conversation.createdAt),
      toIsoInstant(conversation.updatedAt),
    ],
  });
}

/**
 * Thrown inside saveTurn's transaction when its customer message is a resend, to roll the turn back.
 * A CandorError, so the connection wrapper passes it through as it is (it is not an outage).
 */
export class ResentTurn extends CandorError {
  constructor() {
    super('internal', "the turn's customer message was already stored (a resend)");
  }
}

/** Inserts a message; false when a message with its client id is already stored for the conversation (nothing inserted). */
export async function insertMessage(client: PoolClient, message: StoredMessage): Promise<boolean> {
  const result = await client.query({
    name: 'candor_insert_message',
    text: `INSERT INTO messages (id, conversation_id, author, text, intent, confidence, client_message_id, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (conversation_id, client_message_id) DO NOTHING`,
    values: [
      message.id,
      message.conversationId,
      message.author,
      message.text,
      message.intent,
      message.confidence,
      message.clientMessageId,
      toIsoInstant(message.createdAt),
    ],
  });
  return (result.rowCount ?? 0) > 0;
}

/** Inserts an explanation record inside the caller's transaction. */
export async function insertExplanation(client: PoolClient, record: ExplanationRecord): Promise<void> {
  await client.query({
    name: 'candor_insert_explanation',
    text: `INSERT INTO explanations (${EXPLANATION_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10, $11, $12::jsonb, $13)`,
    values: [
      record.id,
      record.conversationId,
      record.customerId,
      record.decisionId,
      record.locale,
      JSON.stringify(record.codesShown),
      JSON.stringify(record.codesSuppressed),
      JSON.stringify(record.templateIds),
      record.contentVersion,
      record.reviewRequested,
      record.text,
      record.reasonTexts === null ? null : JSON.stringify(record.reasonTexts),
      toIsoInstant(record.createdAt),
    ],
  });
}

/** A case as the positional values of the cases columns. */
export function caseValues(record: EscalationCase): unknown[] {
  return [
    record.id,
    record.ref,
    record.conversationId,
    record.customerRef,
    record.locale,
    record.intent,
    record.decisionId,
    JSON.stringify(record.reasonsShown),
    record.trigger,
    record.restricted,
    record.note,
    record.status,
    record.agentId,
    record.agentName,
    record.rating,
    toIsoInstant(record.createdAt),
    record.claimedAt === null ? null : toIsoInstant(record.claimedAt),
    record.resolvedAt === null ? null : toIsoInstant(record.resolvedAt),
  ];
}

/** Inserts a case inside the caller's transaction. */
export async function insertCase(client: PoolClient, record: EscalationCase): Promise<void> {
  await client.query({
    name: 'candor_insert_case',
    text: `INSERT INTO cases (${CASE_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
    values: caseValues(record),
  });
}

/** Inserts a pending outbox item inside the caller's transaction. */
export async function insertOutbox(client: PoolClient, item: NewOutboxItem): Promise<void> {
  await client.query({
    name: 'candor_insert_outbox',
    text: `INSERT INTO outbox (id, topic, case_id, payload, created_at, status, attempts, next_attempt_at)
           VALUES ($1, $2, $3, $4::jsonb, $5, 'pending', 0, $5)`,
    values: [item.id, item.topic, item.caseId, JSON.stringify(item.payload), toIsoInstant(item.createdAt)],
  });
}
