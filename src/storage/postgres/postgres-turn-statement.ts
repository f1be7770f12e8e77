import type { TurnWrite } from '../../core/ports/turn-store.js';
import { toIsoInstant } from '../stored-rows.js';
import { CASE_COLUMNS, CONVERSATION_COLUMNS, EXPLANATION_COLUMNS } from './postgres-row-writes.js';

/** Column definitions of the `messages` rows passed as one jsonb array (with each message's place in the turn). */
const MESSAGE_RECORD =
  'id text, conversation_id text, author text, text text, intent text, confidence double precision, client_message_id text, created_at timestamptz, ord int';
const EXPLANATION_RECORD = `id text, conversation_id text, customer_id text, decision_id text, locale text, codes_shown jsonb, codes_suppressed jsonb,
  template_ids jsonb, content_version text, review_requested boolean, text_shown text, reason_texts jsonb, created_at timestamptz`;
const CASE_RECORD = `id text, ref text, conversation_id text, customer_ref text, locale text, intent text, decision_id text, reasons_shown jsonb,
  trigger text, restricted boolean, note text, status text, agent_id text, agent_name text, rating int, created_at timestamptz,
  claimed_at timestamptz, resolved_at timestamptz`;
const OUTBOX_RECORD = 'id text, topic text, case_id text, payload jsonb, created_at timestamptz, ord int';
const MESSAGE_INSERT_COLUMNS = 'id, conversation_id, author, text, intent, confidence, client_message_id, created_at';

/**
 * A whole turn in one statement, so it costs one round trip and is atomic on its own (no BEGIN/COMMIT).
 * The customer message (the one with a client id) is inserted first, `ON CONFLICT DO NOTHING`; every
 * other write of the turn — the conversation's upsert, the bot's messages, the audit records, the
 * case and its outbox items — is made only when that insert happened, so a resend stores nothing and
 * the statement answers `stored = false`. Foreign keys are checked at the end of the statement, so a
 * new conversation's messages may be inserted before it. Rows go in the turn's order (`ord`), which
 * is the order of their `seq`.
 */
export const SAVE_TURN_SQL = `
  WITH customer AS (
    INSERT INTO messages (${MESSAGE_INSERT_COLUMNS})
    SELECT ${MESSAGE_INSERT_COLUMNS} FROM jsonb_to_recordset($14::jsonb) AS m(${MESSAGE_RECORD})
    WHERE m.client_message_id IS NOT NULL
    ON CONFLICT (conversation_id, client_message_id) DO NOTHING
    RETURNING 1
  ), turn AS (
    SELECT (SELECT count(*) FROM customer) = $15::int AS is_new
  ), conversation AS (
    INSERT INTO conversations (${CONVERSATION_COLUMNS})
    SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::int, $8::text, $9::boolean, $10::smallint, $11::jsonb,
           $12::timestamptz, $13::timestamptz
    WHERE (SELECT is_new FROM turn)
    ON CONFLICT (id) DO UPDATE SET
      channel = excluded.channel, customer_id = excluded.customer_id, locale = excluded.locale, state = excluded.state,
      case_id = excluded.case_id, consecutive_misses = excluded.consecutive_misses, last_intent = excluded.last_intent,
      awaiting_rating = excluded.awaiting_rating, bot_rating = excluded.bot_rating, context = excluded.context,
      updated_at = excluded.updated_at
  ), replies AS (
    INSERT INTO messages (${MESSAGE_INSERT_COLUMNS})
    SELECT ${MESSAGE_INSERT_COLUMNS} FROM jsonb_to_recordset($14::jsonb) AS m(${MESSAGE_RECORD})
    WHERE m.client_message_id IS NULL AND (SELECT is_new FROM turn)
    ORDER BY m.ord
  ), audit AS (
    INSERT INTO explanations (${EXPLANATION_COLUMNS})
    SELECT ${EXPLANATION_COLUMNS} FROM jsonb_to_recordset($16::jsonb) AS e(${EXPLANATION_RECORD})
    WHERE (SELECT is_new FROM turn)
  ), opened_case AS (
    INSERT INTO cases (${CASE_COLUMNS})
    SELECT ${CASE_COLUMNS} FROM jsonb_to_recordset($17::jsonb) AS c(${CASE_RECORD})
    WHERE (SELECT is_new FROM turn)
  ), outbox_items AS (
    INSERT INTO outbox (id, topic, case_id, payload, created_at, status, attempts, next_attempt_at)
    SELECT id, topic, case_id, payload, created_at, 'pending', 0, created_at FROM jsonb_to_recordset($18::jsonb) AS o(${OUTBOX_RECORD})
    WHERE (SELECT is_new FROM turn)
    ORDER BY o.ord
  )
  SELECT is_new FROM turn`;

/**
 * True when the turn has the shape the one statement keeps in order: at most one message with a
 * client id, and it comes first (a turn's customer message). Other shapes are written the long way.
 */
export function fitsOneStatement(write: TurnWrite): boolean {
  return write.messages.every((message, index) => index === 0 || message.clientMessageId === null);
}

/** The statement's values: the conversation's columns, then the turn's rows as jsonb arrays. */
export function saveTurnValues(write: TurnWrite): unknown[] {
  const { conversation } = write;
  const messages = write.messages.map((message, ord) => ({
    id: message.id,
    conversation_id: message.conversationId,
    author: message.author,
    text: message.text,
    intent: message.intent,
    confidence: message.confidence,
    client_message_id: message.clientMessageId,
    created_at: toIsoInstant(message.createdAt),
    ord,
  }));
  const explanations = write.explanations.map((record) => ({
    id: record.id,
    conversation_id: record.conversationId,
    customer_id: record.customerId,
    decision_id: record.decisionId,
    locale: record.locale,
    codes_shown: record.codesShown,
    codes_suppressed: record.codesSuppressed,
    template_ids: record.templateIds,
    content_version: record.contentVersion,
    review_requested: record.reviewRequested,
    text_shown: record.text,
    reason_texts: record.reasonTexts,
    created_at: toIsoInstant(record.createdAt),
  }));
  const opened = write.openedCase;
  const cases = opened
    ? [
        {
          id: opened.id,
          ref: opened.ref,
          conversation_id: opened.conversationId,
          customer_ref: opened.customerRef,
          locale: opened.locale,
          intent: opened.intent,
          decision_id: opened.decisionId,
          reasons_shown: opened.reasonsShown,
          trigger: opened.trigger,
          restricted: opened.restricted,
          note: opened.note,
          status: opened.status,
          agent_id: opened.agentId,
          agent_name: opened.agentName,
          rating: opened.rating,
          created_at: toIsoInstant(opened.createdAt),
          claimed_at: opened.claimedAt === null ? null : toIsoInstant(opened.claimedAt),
          resolved_at: opened.resolvedAt === null ? null : toIsoInstant(opened.resolvedAt),
        },
      ]
    : [];
  const outbox = write.outbox.map((item, ord) => ({
    id: item.id,
    topic: item.topic,
    case_id: item.caseId,
    payload: item.payload,
    created_at: toIsoInstant(item.createdAt),
    ord,
  }));
  return [
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
    JSON.stringify(messages),
    messages.filter((message) => message.client_message_id !== null).length,
    JSON.stringify(explanations),
    JSON.stringify(cases),
    JSON.stringify(outbox),
  ];
}
