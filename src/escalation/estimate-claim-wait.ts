import type { EscalationCase } from '../core/escalation-case.js';

/** How far back the claims are that a wait estimate is drawn from. */
export const CLAIM_WAIT_WINDOW_MS = 24 * 60 * 60_000;

/** Fewer claims than this in the window, and the wait is not estimated at all. */
export const MIN_CLAIMS_FOR_ESTIMATE = 3;

/**
 * How long it has recently taken for a person to join: the median minutes (rounded, at least 1) from a
 * case opening to its claim, over the given cases that were claimed; null when there are too few to say.
 * It describes recent claims, never the time this customer has already waited.
 */
export function estimateClaimWait(cases: readonly EscalationCase[]): number | null {
  const waits = cases
    .flatMap((item) => (item.claimedAt === null ? [] : [Date.parse(item.claimedAt) - Date.parse(item.createdAt)]))
    .filter((ms) => Number.isFinite(ms) && ms >= 0)
    .sort((a, b) => a - b);
  if (waits.length < MIN_CLAIMS_FOR_ESTIMATE) return null;
  const middle = Math.floor(waits.length / 2);
  const median = waits.length % 2 === 1 ? (waits[middle] ?? 0) : ((waits[middle - 1] ?? 0) + (waits[middle] ?? 0)) / 2;
  return Math.max(1, Math.round(median / 60_000));
}
