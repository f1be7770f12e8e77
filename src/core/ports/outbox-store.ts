import type { NewOutboxItem, OutboxItem } from '../outbox.js';

/** The outbox: side effects (Slack posts, thread deletions) leased, retried and completed by the worker. */
export interface OutboxStore {
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
  /** The case whose card (the first post or a re-post) the desk put at this location, from the done card items; null when none. */
  findCaseIdByCard(card: { channel: string; ts: string }): Promise<string | null>;
  outboxStats(now: string): Promise<{ pending: number; dead: number; oldestPendingAgeMs: number | null }>;
}
