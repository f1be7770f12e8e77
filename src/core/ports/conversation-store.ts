import type { ChannelName, Conversation, StoredMessage } from '../conversation.js';
import type { CaseStatus, EscalationCase, ExplanationRecord } from '../escalation-case.js';
import type { NewOutboxItem, OutboxItem } from '../outbox.js';

/** Everything one turn writes, stored in one transaction. */
export interface TurnWrite {
  conversation: Conversation;
  messages: StoredMessage[];
  explanations: ExplanationRecord[];
  /** A case opened by this turn. */
  openedCase?: EscalationCase;
  outbox: NewOutboxItem[];
}

/** What a turn reads before it runs: the stored conversation (null when new) and whether the message is a resend. */
export interface TurnState {
  conversation: Conversation | null;
  /**
   * True when a customer message with this client id is already stored. A store may answer false
   * without looking, since `saveTurn` finds a resend anyway (and then stores nothing).
   */
  hasClientMessage: boolean;
}

/** What `saveTurn` did: stored the turn, or stored nothing because its customer message was a resend. */
export type SaveTurnOutcome = 'stored' | 'duplicate';

/** The outcome of an atomic claim. */
export type ClaimResult =
  | { status: 'claimed'; case: EscalationCase }
  | { status: 'already_claimed'; case: EscalationCase }
  | { status: 'not_open'; case: EscalationCase }
  | { status: 'not_found' };

/** A reply kept for a customer until one of their sockets acknowledges it. */
export interface PendingDelivery {
  id: string;
  recipient: string;
  payload: Record<string, unknown>;
  /** Optional: `payload` already serialised as JSON by the caller, so the store need not serialise it again. */
  payloadJson?: string;
  createdAt: string;
  /** When a socket acknowledged it; only listed when asked for with `includeAckedSince`. */
  ackedAt?: string;
}

/** Filters for reading explanation records. */
export interface ExplanationQuery {
  customerId?: string;
  from?: string;
  to?: string;
}

/** A span of time as ISO instants: `from` inclusive, `to` exclusive. */
export interface TimeRange {
  from: string;
  to: string;
}

/** One conversation as the analytics report counts it. */
export interface ConversationSummary {
  id: string;
  channel: ChannelName;
  createdAt: string;
  /** Customer messages still stored (retention removes old ones). */
  customerMessages: number;
  /** Cases opened in the conversation. */
  caseCount: number;
  /** The customer's rating of bot-only help, if they gave one. */
  botRating: number | null;
}

/** A value and how often it occurred. */
export interface CountedValue {
  value: string;
  count: number;
}

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

/** Candor's persistence: conversations, transcripts, cases, audit, the outbox and offline deliveries. */
export interface ConversationStore {
  getConversation(id: string): Promise<Conversation | null>;
  /** Returns true when a customer message with this client id was already stored for the conversation. */
  hasClientMessage(conversationId: string, clientMessageId: string): Promise<boolean>;
  /**
   * Optional: the conversation and whether a customer message with this client id is already stored, in
   * one read (what a turn starts with); without it a turn calls `getConversation` and `hasClientMessage`.
   */
  loadTurnState?(conversationId: string, clientMessageId: string | null): Promise<TurnState>;
  /**
   * Stores a turn atomically. When the turn's customer message has a client id already stored for the
   * conversation (a resend), nothing of the turn is stored and the outcome is 'duplicate'.
   */
  saveTurn(write: TurnWrite): Promise<SaveTurnOutcome>;
  listMessages(conversationId: string, limit?: number): Promise<StoredMessage[]>;

  getCase(id: string): Promise<EscalationCase | null>;
  getCaseByRef(ref: string): Promise<EscalationCase | null>;
  listCases(statuses: CaseStatus[]): Promise<EscalationCase[]>;
  /** Claims a queued case for an agent; of two concurrent claims exactly one wins. */
  claimCase(caseId: string, agent: { id: string; name: string }, at: string): Promise<ClaimResult>;
  /** Writes a changed case, the conversation it moves, messages and outbox items together. */
  updateCase(update: {
    case: EscalationCase;
    conversation?: Conversation;
    messages?: StoredMessage[];
    outbox?: NewOutboxItem[];
  }): Promise<void>;

  listExplanations(query: ExplanationQuery): Promise<ExplanationRecord[]>;

  /** Leases up to `limit` due items, oldest first, at most one in flight per case; a leased item's `lastError` is cleared. */
  claimOutbox(limit: number, now: string, leaseMs: number): Promise<OutboxItem[]>;
  completeOutbox(id: string, result: Record<string, unknown>): Promise<void>;
  /** Schedules a leased item's next attempt; with `countsAsAttempt: false` (a rate limit) the lease's attempt is given back. */
  retryOutbox(id: string, nextAttemptAt: string, error: string, options?: { countsAsAttempt?: boolean }): Promise<void>;
  /** Makes every item waiting to retry due at `now` (the desk answers again); leased items keep their lease. Returns how many moved. */
  releaseOutbox(now: string): Promise<number>;
  deadLetterOutbox(id: string, error: string): Promise<void>;
  /** Dead-letters every pending item of a case (its card could not be posted); returns how many. */
  deadLetterCaseOutbox(caseId: string, error: string): Promise<number>;
  /** Results of done items for a case, e.g. the Slack channel and ts of its card. */
  outboxResults(caseId: string, topic: NewOutboxItem['topic']): Promise<Record<string, unknown>[]>;
  outboxStats(now: string): Promise<{ pending: number; dead: number; oldestPendingAgeMs: number | null }>;

  /** Records an inbound event id; returns false when it was already seen (a retry or replay). */
  markEventSeen(eventId: string, at: string): Promise<boolean>;

  enqueueDelivery(delivery: PendingDelivery): Promise<void>;
  /**
   * The recipient's unacknowledged replies, oldest first; with `includeAckedSince`, also those
   * acknowledged at or after that instant (another instance's socket may have acknowledged a reply
   * a socket here has not seen yet).
   */
  listPendingDeliveries(recipient: string, options?: { includeAckedSince?: string }): Promise<PendingDelivery[]>;
  /** Marks a reply acknowledged; it is no longer pending, and is forgotten a few minutes later. */
  ackDelivery(recipient: string, id: string): Promise<void>;

  /** Throws `storage_unavailable` unless the database answers a trivial query (readiness). */
  ping(): Promise<void>;

  /** Conversations started in the range, with their customer-message and case counts, oldest first. */
  summarizeConversations(range: TimeRange): Promise<ConversationSummary[]>;
  /** Cases opened in the range, oldest first. */
  listCasesCreated(range: TimeRange): Promise<EscalationCase[]>;
  /** Customer messages in the range counted by intent, most frequent first. */
  countCustomerIntents(range: TimeRange): Promise<CountedValue[]>;
  /** The most frequent (already redacted) customer texts with this intent in the range, e.g. `oos`. */
  topCustomerTexts(range: TimeRange, intent: string, limit: number): Promise<CountedValue[]>;

  /**
   * Deletes message bodies and pending deliveries older than `before`, and anonymises conversations
   * inactive since then (new opaque id, no customer id, open cases closed, cases scrubbed, undelivered
   * outbox items dropped, Slack thread deletion queued); a second run with the same cutoff changes nothing.
   */
  purgeTranscripts(input: { before: string; now: string; newId: () => string }): Promise<TranscriptPurgeResult>;
  /** Deletes explanation records older than `before`, then anonymised conversations nothing holds any more. */
  purgeAuditRecords(input: { before: string }): Promise<AuditPurgeResult>;
  /** Removes a customer's transcripts and cases, keeping explanation records newer than `auditBefore` (and the shells they point to). */
  eraseCustomer(input: { customerId: string; now: string; auditBefore: string; newId: () => string }): Promise<CustomerErasureResult>;

  close(): Promise<void>;
}
