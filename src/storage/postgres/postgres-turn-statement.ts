import type { TurnWrite } from '../../core/ports/turn-store.js';
import { toIsoInstant } from '../stored-rows.js';
import { CASE_COLUMNS, CONVERSATION_COLUMNS, EXPLANATION_COLUMNS } from './postgres-row-writes.js';

/** Column definitions of the rows passed as jsonb arrays; `turn` is the turn's place in the batch, `ord` a row's place in its turn. */
const CONVERSATION_RECORD = `turn int, id text, channel text, customer_id text, locale text, state text, case_id text, consecutive_misses int,
  last_intent text, awaiting_rating boolean, bot_rating smallint, context jsonb, created_at timestamptz, updated_at timestamptz, customer_messages int`;
const MESSAGE_RECORD =
  'turn int, id text, conversation_id text, author text, text text, intent text, confidence double precision, client_message_id text, created_at timestamptz, ord int';
const EXPLANATION_RECORD = `turn int, id text, conversation_id text, customer_id text, decision_id text, locale text, codes_shown jsonb, codes_suppressed jsonb,
  template_ids jsonb, content_version text, review_requested boolean, text_shown text, reason_texts jsonb, created_at timestamptz`;
const CASE_RECORD = `turn int, id text, ref text, conversation_id text, customer_ref text, locale text, intent text, decision_id text, reasons_shown jsonb,
  trigger text, restricted boolean, note text, status text, agent_id text, agent_name text, rating int, created_at timestamptz,
  claimed_at timestamptz, resolved_at timestamptz`;
const OUTBOX_RECORD = 'turn int, id text, topic text, case_id text, payload jsonb, created_at timestamptz, ord int';
const MESSAGE_INSERT_COLUMNS = 'id, conversation_id, author, text, intent, confidence, client_message_id, created_at';

/**
 * A batch of turns of different conversations in one statement, so it costs one round trip and one
 * commit, and is atomic on its own (no BEGIN/COMMIT); a batch of one is a turn alone. Each turn's
 * customer message (the one with a client id) is inserted first, `ON CONFLICT DO NOTHING`; every other
 * write of a turn — the conversation's upsert, the bot's messages, the audit records, the case and its
 * outbox items — is made only when that turn's insert happened, so a resend stores nothing of its turn
 * and leaves the others of the batch alone. The statement returns the places (`turn`) of the turns it
 * stored. Foreign keys are checked at the end of the statement, so a new conversation's messages may be
 * inserted before it. Rows go in the batch's order, then the turn's (`turn`, `ord`), which is the order
 * of their `seq`. The conversations of a batch are distinct (an upsert may not touch a row twice).
 */
export const SAVE_TURN_SQL = `
  WITH customer AS (
    INSERT INTO messages (${MESSAGE_INSERT_COLUMNS})
    SELECT ${MESSAGE_INSERT_COLUMNS} FROM jsonb_to_recordset($2::jsonb) AS m(${MESSAGE_RECORD})
    WHERE m.client_message_id IS NOT NULL
    ORDER BY m.turn, m.ord
    ON CONFLICT (conversation_id, client_message_id) DO NOTHING
    RETURNING conversation_id
  ), turns AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS c(${CONVERSATION_RECORD})
  ), stored AS (
    SELECT t.turn FROM turns t WHERE (SELECT count(*) FROM customer WHERE customer.conversation_id = t.id) = t.customer_messages
  ), conversation AS (
    INSERT INTO conversations (${CONVERSATION_COLUMNS})
    SELECT ${CONVERSATION_COLUMNS} FROM turns t
    WHERE t.turn IN (SELECT turn FROM stored)
    ON CONFLICT (id) DO UPDATE SET
      channel = excluded.channel, customer_id = excluded.customer_id, locale = excluded.locale, state = excluded.state,
      case_id = excluded.case_id, consecutive_misses = excluded.consecutive_misses, last_intent = excluded.last_intent,
      awaiting_rating = excluded.awaiting_rating, bot_rating = excluded.bot_rating, context = excluded.context,
      updated_at = excluded.updated_at
  ), replies AS (
    INSERT INTO messages (${MESSAGE_INSERT_COLUMNS})
    SELECT ${MESSAGE_INSERT_COLUMNS} FROM jsonb_to_recordset($2::jsonb) AS m(${MESSAGE_RECORD})
    WHERE m.client_message_id IS NULL AND m.turn IN (SELECT turn FROM stored)
    ORDER BY m.turn, m.ord
  ), audit AS (
    INSERT INTO explanations (${EXPLANATION_COLUMNS})
    SELECT ${EXPLANATION_COLUMNS} FROM jsonb_to_recordset($3::jsonb) AS e(${EXPLANATION_RECORD})
    WHERE e.turn IN (SELECT turn FROM stored)
  ), opened_case AS (
    INSERT INTO cases (${CASE_COLUMNS})
    SELECT ${CASE_COLUMNS} FROM jsonb_to_recordset($4::jsonb) AS c(${CASE_RECORD})
    WHERE c.turn IN (SELECT turn FROM stored)
  ), outbox_items AS (
    INSERT INTO outbox (id, topic, case_id, payload, created_at, status, attempts, next_attempt_at)
    SELECT id, topic, case_id, payload, created_at, 'pending', 0, created_at FROM jsonb_to_recordset($5::jsonb) AS o(${OUTBOX_RECORD})
    WHERE o.turn IN (SELECT turn FROM stored)
    ORDER BY o.turn, o.ord
  )
  SELECT turn FROM stored`;

/**
 * True when the turn has the shape the one statement keeps in order: at most one message with a
 * client id, and it comes first (a turn's customer message). Other shapes are written the long way.
 */
export function fitsOneStatement(write: TurnWrite): boolean {
  return write.messages.every((message, index) => index === 0 || message.clientMessageId === null);
}

/** The statement's values for a batch of turns: each kind of row as one jsonb array, each row with its turn's place in the batch. */
export function saveTurnValues(writes: readonly TurnWrite[]): unknown[] {
  const conversations: unknown[] = [];
  const messages: unknown[] = [];
  const explanations: unknown[] = [];
  const cases: unknown[] = [];
  const outbox: unknown[] = [];
  writes.forEach((write, turn) => {
    const { conversation } = write;
    conversations.push({
      turn,
      id: conversation.id,
      channel: conversation.channel,
      customer_id: conversation.customerId,
      locale: conversation.locale,
      state: conversation.state,
      case_id: conversation.caseId,
      consecutive_misses: conversation.consecutiveMisses,
      last_intent: conversation.lastIntent,
      awaiting_rating: conversation.awaitingRating,
      bot_rating: conversation.botRating,
      context: conversation.context,
      created_at: toIsoInstant(conversation.createdAt),
      updated_at: toIsoInstant(conversation.updatedAt),
      customer_messages: write.messages.filter((message) => message.clientMessageId !== null).length,
    });
    write.messages.forEach((message, ord) =>
      messages.push({
        turn,
        id: message.id,
        conversation_id: message.conversationId,
        author: message.author,
        text: message.text,
        intent: message.intent,
        confidence: message.confidence,
        client_message_id: message.clientMessageId,
        created_at: toIsoInstant(message.createdAt),
        ord,
      }),
    );
    for (const record of write.explanations) {
      explanations.push({
        turn,
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
      });
    }
    const opened = write.openedCase;
    if (opened) {
      cases.push({
        turn,
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
      });
    }
    write.outbox.forEach((item, ord) =>
      outbox.push({ turn, id: item.id, topic: item.topic, case_id: item.caseId, payload: item.payload, created_at: toIsoInstant(item.createdAt), ord }),
    );
  });
  return [JSON.stringify(conversations), JSON.stringify(messages), JSON.stringify(explanations), JSON.stringify(cases), JSON.stringify(outbox)];
}
