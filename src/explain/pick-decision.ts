import type { LimitDecision } from '../core/decision.js';

/** Returns decisions newest first by `decidedAt`, keeping the engine's order on ties. */
export function sortNewestFirst(decisions: readonly LimitDecision[]): LimitDecision[] {
  return decisions
    .map((decision, index) => ({ decision, index, at: Date.parse(decision.decidedAt) }))
    .sort((a, b) => b.at - a.at || a.index - b.index)
    .map(({ decision }) => decision);
}

/**
 * Picks the decision an intent is about: why_dropped → the latest decrease or freeze, increase_denied → the latest
 * denial (for either, a raise when that is the latest change, so "why did my limit change" explains the raise),
 * account.frozen → the latest freeze unless an unfreeze followed it; otherwise the latest decision.
 */
export function pickDecision(intentId: string, decisions: readonly LimitDecision[]): LimitDecision | undefined {
  const newestFirst = sortNewestFirst(decisions);
  const latest = newestFirst[0];
  const latestRaise = latest?.kind === 'increase_approved' ? latest : undefined;
  switch (intentId) {
    case 'limit.why_dropped':
      return newestFirst.find((decision) => decision.kind === 'decrease' || decision.kind === 'freeze') ?? latestRaise;
    case 'limit.increase_denied':
      return newestFirst.find((decision) => decision.kind === 'increase_denied') ?? latestRaise;
    case 'account.frozen': {
      const latestFreezeChange = newestFirst.find((decision) => decision.kind === 'freeze' || decision.kind === 'unfreeze');
      return latestFreezeChange?.kind === 'freeze' ? latestFreezeChange : undefined;
    }
    default:
      return latest;
  }
}
