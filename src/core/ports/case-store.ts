import type { Conversation, StoredMessage } from '../conversation.js';
import type { CaseStatus, EscalationCase } from '../escalation-case.js';
import type { NewOutboxItem } from '../outbox.js';

/** The outcome of an atomic claim. */
export type ClaimResult =
  | { status: 'claimed'; case: EscalationCase }
  | { status: 'already_claimed'; case: EscalationCase }
  | { status: 'not_open'; case: EscalationCase }
  | { status: 'not_found' };

/** Escalation cases: read, claimed by agents and changed, with the inbound events already seen. */
export interface CaseStore {
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

  /** Records an inbound event id; returns false when it was already seen (a retry or replay). */
  markEventSeen(eventId: string, at: string): Promise<boolean>;
}
