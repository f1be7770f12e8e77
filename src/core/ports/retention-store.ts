import type { ConversationState } from '../conversation.js';
import type { CaseStatus, ExplanationRecord } from '../escalation-case.js';
import type { NewOutboxItem, OutboxTopic } from '../outbox.js';

/** What the transcript-retention pass removed or anonymised. */
export interface TranscriptPurgeResult {
  messagesDeleted: number;
  conversationsAnonymized: number;
  casesScrubbed: number;
  /** Open cases of purged conversations closed (returned), so none is re-pinged or re-posted. */
  casesClosed: number;
  /** `case.delete_thread` outbox items queued to remove the Slack cards and threads. */
  threadDeletionsQueued: number;
  deliveriesDeleted: number;
  eventsDeleted: number;
}

/** What the audit-retention pass deleted. */
export interface AuditPurgeResult {
  explanationsDeleted: number;
  conversationsDeleted: number;
  casesDeleted: number;
}

/** What erasing one customer removed, and what audit retention kept. */
export interface CustomerErasureResult {
  conversationsFound: number;
  conversationsAnonymized: number;
  messagesDeleted: number;
  deliveriesDeleted: number;
  casesScrubbed: number;
  threadDeletionsQueued: number;
  explanationsDeleted: number;
  conversationsDeleted: number;
  casesDeleted: number;
  /** The customer's explanation records still inside audit retention, oldest first. */
  keptExplanations: ExplanationRecord[];
  /** Anonymised conversation shells kept because kept records point to them or Slack deletions are pending. */
  keptConversations: number;
  /** Cases whose Slack thread deletion is still queued. */
  casesAwaitingThreadDeletion: number;
}

/** A value now, or a promise of it: SQLite's steps answer at once, Postgres's later. */
export type Awaitable<T> = T | Promise<T>;

/** What retention knows of a conversation before it anonymises it. */
export interface ConversationAnonymity {
  anonymizedAt: string | null;
  eraseRequestedAt: string | null;
}

/**
 * The statements retention and erasure are made of, each one query in the store's own dialect. They
 * run inside one write transaction of a pass; which to run, in what order and what they mean is written
 * once, in `core/retention-passes.ts`. Every instant is an ISO string; ids are returned in a stable order.
 */
export interface RetentionSteps {
  deleteMessagesBefore(before: string): Awaitable<number>;
  deleteDeliveriesBefore(before: string): Awaitable<number>;
  deleteSeenEventsBefore(before: string): Awaitable<number>;
  deleteExplanationsBefore(before: string): Awaitable<number>;
  deleteCustomerExplanationsBefore(customerId: string, before: string): Awaitable<number>;
  /** Conversations not yet anonymised whose last activity is before `before`. */
  listInactiveConversations(before: string): Awaitable<string[]>;
  /** Anonymised conversations whose erasure was asked for or whose last activity is before `before`. */
  listAnonymizedShells(before: string): Awaitable<string[]>;
  /** The customer's conversations, and those their explanation records point to. */
  listCustomerConversations(customerId: string): Awaitable<string[]>;
  /** Reads (and on Postgres locks) one conversation; null when it does not exist. */
  lockConversation(id: string): Awaitable<ConversationAnonymity | null>;
  deleteConversationMessages(id: string): Awaitable<number>;
  deleteConversationDeliveries(id: string): Awaitable<number>;
  markEraseRequested(id: string, at: string): Awaitable<void>;
  /** Moves a conversation to `opaqueId` without its customer id, with its cases and explanation records. */
  renameToAnonymous(input: { id: string; opaqueId: string; at: string; eraseRequestedAt: string | null }): Awaitable<void>;
  /** Clears the customer reference, shown reasons and note of the conversations' cases; returns how many changed. */
  scrubCases(conversationIds: string[]): Awaitable<number>;
  /** Empties the payloads of the conversations' case messages already sent to the desk. */
  blankSentCaseMessages(conversationIds: string[]): Awaitable<void>;
  /** Cases of the conversations whose card reached (or may reach) the desk and whose thread deletion is not queued yet. */
  listCasesNeedingThreadDeletion(conversationIds: string[]): Awaitable<string[]>;
  queueOutbox(item: NewOutboxItem): Awaitable<void>;
  /** Sets the conversations' cases that are in one of `from` to `to`, stamping `resolvedAt` when unset; returns how many changed. */
  closeCases(conversationIds: string[], change: { from: readonly CaseStatus[]; to: CaseStatus; at: string }): Awaitable<number>;
  /** Puts the conversations in `state` (and sets whether they wait for a rating) where they are in another state. */
  setConversationState(conversationIds: string[], change: { state: ConversationState; awaitingRating: boolean }): Awaitable<void>;
  /** Drops the conversations' undelivered outbox items, except those of `keepTopic`. */
  dropPendingCaseOutbox(conversationIds: string[], keepTopic: OutboxTopic): Awaitable<void>;
  /** Of these, the anonymised conversations no explanation record and no pending outbox item holds. */
  listUnheldShells(conversationIds: string[]): Awaitable<string[]>;
  /** Deletes conversations with their cases, outbox items and messages. */
  deleteConversations(conversationIds: string[]): Awaitable<{ conversationsDeleted: number; casesDeleted: number }>;
  /** Of these ids, the conversations that still exist. */
  listExistingConversations(conversationIds: string[]): Awaitable<string[]>;
  /** The customer's explanation records, oldest first. */
  listCustomerExplanations(customerId: string): Awaitable<ExplanationRecord[]>;
  /** How many of the conversations' cases have a Slack thread deletion still pending. */
  countCasesAwaitingThreadDeletion(conversationIds: string[]): Awaitable<number>;
}

/** One retention or erasure pass: a generator that yields the steps it needs and returns its result. */
export type RetentionPass<T> = Generator<(steps: RetentionSteps) => Awaitable<unknown>, T, unknown>;

/** Retention and erasure storage: runs a pass (see `core/retention-passes.ts`) inside one write transaction, one pass at a time. */
export interface RetentionStore {
  runRetentionPass<T>(pass: RetentionPass<T>): Promise<T>;
}
