import { z } from 'zod';
import { CandorError } from '../core/candor-error.js';
import { conversationContextSchema, emptyContext } from '../core/conversation-context.js';
import type { ChannelName, Conversation, ConversationState, MessageAuthor, StoredMessage } from '../core/conversation.js';
import type { CaseStatus, EscalationCase, EscalationTrigger, ExplanationRecord } from '../core/escalation-case.js';
import { LOCALES } from '../core/locale.js';
import type { OutboxItem, OutboxStatus, OutboxTopic } from '../core/outbox.js';
import type { ConversationSummary, CountedValue, PendingDelivery } from '../core/ports/conversation-store.js';

// Database rows are a boundary: both stores read them through these schemas, so a row written by an
// older or newer Candor that no longer fits the domain types fails loudly instead of leaking through.

/** Lists every member of a string union; fails to compile when the list misses one. */
function allOf<Union extends string>() {
  return <const List extends readonly Union[]>(list: List & ([Union] extends [List[number]] ? unknown : never)): List => list;
}

const CHANNELS = allOf<ChannelName>()(['web', 'cli', 'test']);
const STATES = allOf<ConversationState>()(['bot', 'queued', 'claimed', 'resolved']);
const AUTHORS = allOf<MessageAuthor>()(['customer', 'bot', 'agent', 'system']);
const CASE_STATUSES = allOf<CaseStatus>()(['queued', 'claimed', 'resolved', 'returned', 'callback']);
const TRIGGERS = allOf<EscalationTrigger>()([
  'asked_for_person',
  'review_request',
  'complaint',
  'repeated_misses',
  'negative_sentiment',
  'restricted_reason',
  'unknown_reason',
  'engine_unavailable',
]);
const TOPICS = allOf<OutboxTopic>()(['case.created', 'case.updated', 'case.message', 'case.reping', 'case.delete_thread']);
const OUTBOX_STATUSES = allOf<OutboxStatus>()(['pending', 'done', 'dead']);

/** Turns any accepted timestamp into the one form both stores write and compare: UTC ISO 8601 with milliseconds. */
export function toIsoInstant(value: string | Date): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new CandorError('internal', 'invalid timestamp for storage');
  return date.toISOString();
}

const instant = z.union([z.string(), z.date()]).transform((value) => toIsoInstant(value));
const nullableInstant = instant.nullable();
/** SQLite has no booleans (0/1); Postgres returns real ones. */
const flag = z.union([z.boolean(), z.literal(0), z.literal(1)]).transform((value) => value === true || value === 1);
/** SQLite keeps JSON as TEXT; Postgres returns JSONB already parsed. */
const json = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' ? (JSON.parse(value) as unknown) : value), schema);
const jsonObject = json(z.record(z.string(), z.unknown()));
/** Postgres returns BIGINT as a string. */
const integer = z.union([z.number(), z.string(), z.bigint()]).transform((value) => Number(value)).pipe(z.number().int());

const conversationRow = z
  .object({
    id: z.string(),
    channel: z.enum(CHANNELS),
    customer_id: z.string().nullable(),
    locale: z.enum(LOCALES),
    state: z.enum(STATES),
    case_id: z.string().nullable(),
    consecutive_misses: integer,
    last_intent: z.string().nullable(),
    awaiting_rating: flag,
    bot_rating: integer.nullable(),
    // Conversations stored before the context column have none: they start with an empty one.
    context: json(conversationContextSchema).nullish(),
    created_at: instant,
    updated_at: instant,
  })
  .transform(
    (row): Conversation => ({
      id: row.id,
      channel: row.channel,
      customerId: row.customer_id,
      locale: row.locale,
      state: row.state,
      caseId: row.case_id,
      consecutiveMisses: row.consecutive_misses,
      lastIntent: row.last_intent,
      awaitingRating: row.awaiting_rating,
      botRating: row.bot_rating,
      context: row.context ?? emptyContext(),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    }),
  );

const messageRow = z
  .object({
    id: z.string(),
    conversation_id: z.string(),
    author: z.enum(AUTHORS),
    text: z.string(),
    intent: z.string().nullable(),
    confidence: z.number().nullable(),
    client_message_id: z.string().nullable(),
    created_at: instant,
  })
  .transform(
    (row): StoredMessage => ({
      id: row.id,
      conversationId: row.conversation_id,
      author: row.author,
      text: row.text,
      intent: row.intent,
      confidence: row.confidence,
      clientMessageId: row.client_message_id,
      createdAt: row.created_at,
    }),
  );

const caseRow = z
  .object({
    id: z.string(),
    ref: z.string(),
    conversation_id: z.string(),
    customer_ref: z.string().nullable(),
    locale: z.enum(LOCALES),
    intent: z.string().nullable(),
    decision_id: z.string().nullable(),
    reasons_shown: json(z.array(z.object({ code: z.string(), text: z.string() }))),
    trigger: z.enum(TRIGGERS),
    restricted: flag,
    note: z.string().nullable(),
    status: z.enum(CASE_STATUSES),
    agent_id: z.string().nullable(),
    agent_name: z.string().nullable(),
    rating: integer.nullable(),
    created_at: instant,
    claimed_at: nullableInstant,
    resolved_at: nullableInstant,
  })
  .transform(
    (row): EscalationCase => ({
      id: row.id,
      ref: row.ref,
      conversationId: row.conversation_id,
      customerRef: row.customer_ref,
      locale: row.locale,
      intent: row.intent,
      decisionId: row.decision_id,
      reasonsShown: row.reasons_shown,
      trigger: row.trigger,
      restricted: row.restricted,
      note: row.note,
      status: row.status,
      agentId: row.agent_id,
      agentName: row.agent_name,
      rating: row.rating,
      createdAt: row.created_at,
      claimedAt: row.claimed_at,
      resolvedAt: row.resolved_at,
    }),
  );

const codes = json(z.array(z.string()));

const explanationRow = z
  .object({
    id: z.string(),
    conversation_id: z.string(),
    customer_id: z.string(),
    decision_id: z.string(),
    locale: z.enum(LOCALES),
    codes_shown: codes,
    codes_suppressed: codes,
    template_ids: codes,
    content_version: z.string(),
    review_requested: flag,
    text_shown: z.string().nullable().default(null),
    reason_texts: codes.nullable().default(null),
    created_at: instant,
  })
  .transform(
    (row): ExplanationRecord => ({
      id: row.id,
      conversationId: row.conversation_id,
      customerId: row.customer_id,
      decisionId: row.decision_id,
      locale: row.locale,
      codesShown: row.codes_shown,
      codesSuppressed: row.codes_suppressed,
      templateIds: row.template_ids,
      contentVersion: row.content_version,
      reviewRequested: row.review_requested,
      text: row.text_shown,
      reasonTexts: row.reason_texts,
      createdAt: row.created_at,
    }),
  );

const outboxRow = z
  .object({
    seq: integer,
    id: z.string(),
    topic: z.enum(TOPICS),
    case_id: z.string(),
    payload: jsonObject,
    created_at: instant,
    status: z.enum(OUTBOX_STATUSES),
    attempts: integer,
    next_attempt_at: instant,
    last_error: z.string().nullable(),
    result: jsonObject.nullable(),
  })
  .transform(
    (row): OutboxItem => ({
      id: row.id,
      topic: row.topic,
      caseId: row.case_id,
      payload: row.payload,
      createdAt: row.created_at,
      seq: row.seq,
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: row.next_attempt_at,
      lastError: row.last_error,
      result: row.result,
    }),
  );

const deliveryRow = z
  .object({ id: z.string(), recipient: z.string(), payload: jsonObject, created_at: instant, acked_at: nullableInstant.optional() })
  .transform(
    (row): PendingDelivery => ({
      id: row.id,
      recipient: row.recipient,
      payload: row.payload,
      createdAt: row.created_at,
      ...(row.acked_at === null || row.acked_at === undefined ? {} : { ackedAt: row.acked_at }),
    }),
  );

const summaryRow = z
  .object({ id: z.string(), channel: z.enum(CHANNELS), created_at: instant, customer_messages: integer, case_count: integer, bot_rating: integer.nullable() })
  .transform(
    (row): ConversationSummary => ({
      id: row.id,
      channel: row.channel,
      createdAt: row.created_at,
      customerMessages: row.customer_messages,
      caseCount: row.case_count,
      botRating: row.bot_rating,
    }),
  );

const countedRow = z.object({ value: z.string(), count: integer }).transform((row): CountedValue => ({ value: row.value, count: row.count }));

/** Reads a conversation summary row of the analytics queries. */
export const conversationSummaryFromRow = (row: unknown): ConversationSummary => summaryRow.parse(row);
/** Reads a `value`/`count` row of the analytics queries. */
export const countedValueFromRow = (row: unknown): CountedValue => countedRow.parse(row);

export { ANONYMIZED_CONVERSATION_PREFIX } from '../core/conversation.js';

/** Reads a `conversations` row. */
export const conversationFromRow = (row: unknown): Conversation => conversationRow.parse(row);
/** Reads a `messages` row. */
export const messageFromRow = (row: unknown): StoredMessage => messageRow.parse(row);
/** Reads a `cases` row. */
export const caseFromRow = (row: unknown): EscalationCase => caseRow.parse(row);
/** Reads an `explanations` row. */
export const explanationFromRow = (row: unknown): ExplanationRecord => explanationRow.parse(row);
/** Reads an `outbox` row. */
export const outboxItemFromRow = (row: unknown): OutboxItem => outboxRow.parse(row);
/** Reads a `pending_deliveries` row. */
export const deliveryFromRow = (row: unknown): PendingDelivery => deliveryRow.parse(row);
/** Reads the `result` column of a done outbox item. */
export const outboxResultFromColumn = (value: unknown): Record<string, unknown> => jsonObject.parse(value);

/**
 * How long an acknowledged reply stays readable: long enough for instances whose sockets of the same
 * customer have not seen it yet to fetch it when signalled; later acknowledgements of the recipient forget it.
 */
export const ACKED_DELIVERY_KEEP_MS = 10 * 60_000;

/** Outbox errors are kept short: they are for operators, and a desk's error body can be large. */
export function truncateError(error: string): string {
  return error.length > 2000 ? `${error.slice(0, 1999)}…` : error;
}

/** Checks a row limit given by a caller; a negative or fractional one is a bug. */
export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) throw new CandorError('internal', `limit must be a non-negative integer, got ${limit}`);
  return limit;
}
