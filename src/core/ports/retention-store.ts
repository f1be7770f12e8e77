import type { ExplanationRecord } from '../escalation-case.js';

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

/** Retention and erasure: purging old transcripts and audit records, and forgetting one customer. */
export interface RetentionStore {
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
}
