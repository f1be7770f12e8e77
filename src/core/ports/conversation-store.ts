import type { Conversation, StoredMessage } from '../conversation.js';
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
  createdAt: string;
}

/** Filters for reading explanation records. */
export interface ExplanationQuery {
  customerId?: string;
  from?: string;
  to?: string;
}

/** Candor's persistence: conversations, transcripts, cases, audit, the outbox and offline deliveries. */
export interface ConversationStore {
  getConversation(id: string): Promise<Conversation | null>;
  /** Returns true when a customer message with this client id was already stored for the conversation. */
  hasClientMessage(conversationId: string, clientMessageId: string): Promise<boolean>;
  /** Stores a turn atomically; a customer message whose client id is already stored is skipped. */
  saveTurn(write: TurnWrite): Promise<void>;
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

  /** Leases up to `limit` due items, oldest first, at most one in flight per case. */
  claimOutbox(limit: number, now: string, leaseMs: number): Promise<OutboxItem[]>;
  completeOutbox(id: string, result: Record<string, unknown>): Promise<void>;
  retryOutbox(id: string, nextAttemptAt: string, error: string): Promise<void>;
  deadLetterOutbox(id: string, error: string): Promise<void>;
  /** Results of done items for a case, e.g. the Slack channel and ts of its card. */
  outboxResults(caseId: string, topic: NewOutboxItem['topic']): Promise<Record<string, unknown>[]>;
  outboxStats(now: string): Promise<{ pending: number; dead: number; oldestPendingAgeMs: number | null }>;

  /** Records an inbound event id; returns false when it was already seen (a retry or replay). */
  markEventSeen(eventId: string, at: string): Promise<boolean>;

  enqueueDelivery(delivery: PendingDelivery): Promise<void>;
  listPendingDeliveries(recipient: string): Promise<PendingDelivery[]>;
  ackDelivery(recipient: string, id: string): Promise<void>;

  close(): Promise<void>;
}
