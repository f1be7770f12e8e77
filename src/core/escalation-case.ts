import type { Locale } from './locale.js';

/** Why a conversation was handed to a person. */
export type EscalationTrigger =
  | 'asked_for_person'
  | 'review_request'
  | 'complaint'
  | 'repeated_misses'
  | 'negative_sentiment'
  | 'restricted_reason'
  | 'unknown_reason'
  | 'engine_unavailable';

/** Where a case is in its life. */
export type CaseStatus = 'queued' | 'claimed' | 'resolved' | 'returned' | 'callback';

/** Statuses in which a case still waits for, or is with, a person. */
export const OPEN_CASE_STATUSES: readonly CaseStatus[] = ['queued', 'claimed', 'callback'];

/** A reason as the customer saw it, kept on the case for the agent's card. */
export interface ShownReason {
  code: string;
  text: string;
}

/** A hand-over to a human agent. */
export interface EscalationCase {
  id: string;
  /** Short reference agents say aloud and type, e.g. `C-7F3K2Q`. */
  ref: string;
  conversationId: string;
  /** Masked customer reference (never the raw customer id), or null for an anonymous visitor. */
  customerRef: string | null;
  locale: Locale;
  intent: string | null;
  decisionId: string | null;
  /** Disclosable reasons as the customer saw them; always empty for a restricted case. */
  reasonsShown: ShownReason[];
  trigger: EscalationTrigger;
  /** N-class cases go to the restricted queue and their card shows no reason. */
  restricted: boolean;
  /** A note for agents, e.g. the engine failure that caused the hand-over; never customer data. */
  note: string | null;
  status: CaseStatus;
  agentId: string | null;
  agentName: string | null;
  rating: number | null;
  createdAt: string;
  claimedAt: string | null;
  resolvedAt: string | null;
}

/** The audit record of one explanation given to a customer (kept for AUDIT_RETENTION_DAYS). */
export interface ExplanationRecord {
  id: string;
  conversationId: string;
  customerId: string;
  decisionId: string;
  locale: Locale;
  codesShown: string[];
  codesSuppressed: string[];
  templateIds: string[];
  contentVersion: string;
  /** True when the customer asked for a human review of this decision. */
  reviewRequested: boolean;
  /** The reply that carried the explanation, word for word as the customer saw it; null on records written before Candor kept it. */
  text: string | null;
  /** The customer-facing text of each shown reason, in order; null on records written before Candor kept them. */
  reasonTexts: string[] | null;
  createdAt: string;
}
