import type { StoredMessage } from '../core/conversation.js';
import type { EscalationCase } from '../core/escalation-case.js';

/** Where a desk put a card or message, e.g. a Slack channel and message ts. */
export interface DeskLocation {
  channel: string;
  ts: string;
}

/** Everything a card shows; built by the outbox worker from the store, redacted text only. */
export interface CaseCardView {
  case: EscalationCase;
  /** The redacted transcript so far, oldest first (customer, bot and agent lines). */
  transcript: StoredMessage[];
  /** Minutes the customer has waited for a person (until the claim). */
  waitedMinutes: number;
}

/** A line posted under a card: a customer message, or an agent reply or note written outside the desk. */
export interface ThreadLine {
  author: 'customer' | 'agent' | 'note';
  agentName?: string;
  /** Redacted text. */
  text: string;
}

/** Identifies one outbox delivery so a desk can find an earlier attempt that did post before a crash. */
export interface DeliveryKey {
  itemId: string;
  /** When the outbox item was written; earlier posts cannot belong to it. */
  createdAt: string;
}

/** The outcome of one desk call: failures are values, with a hint for the retry. */
export type DeskOutcome<T> =
  | { ok: true; value: T }
  | { ok: false; error: string; retryAfterMs?: number; permanent?: boolean };

/** Where agents see cases (Slack, or nowhere in console-only mode); every call is safe to repeat for the same key. */
export interface EscalationDesk {
  postCase(view: CaseCardView, key: DeliveryKey): Promise<DeskOutcome<DeskLocation>>;
  postThreadMessage(card: DeskLocation, line: ThreadLine, key: DeliveryKey & { caseId: string }): Promise<DeskOutcome<DeskLocation>>;
  updateCard(card: DeskLocation, view: CaseCardView): Promise<DeskOutcome<DeskLocation>>;
  /** Posts the card again as a new message (an unclaimed re-ping), mentioning the on-call group. */
  repostCase(view: CaseCardView, previous: DeskLocation | null, key: DeliveryKey): Promise<DeskOutcome<DeskLocation>>;
  deleteThread(card: DeskLocation): Promise<DeskOutcome<DeskLocation>>;
  /** A cheap read that tells whether the desk answers again after an outage. */
  probe(): Promise<DeskOutcome<null>>;
}
