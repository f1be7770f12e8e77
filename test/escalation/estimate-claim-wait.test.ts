import { describe, expect, it } from 'vitest';
import type { EscalationCase } from '../../src/core/escalation-case.js';
import { estimateClaimWait } from '../../src/escalation/estimate-claim-wait.js';

function caseClaimedAfter(minutes: number | null, index: number): EscalationCase {
  const createdAt = new Date(Date.UTC(2026, 11, 1, 9, index)).toISOString();
  return {
    id: `c${index}`,
    ref: `C-00000${index}`,
    conversationId: `conv-${index}`,
    customerRef: null,
    locale: 'en',
    intent: null,
    decisionId: null,
    reasonsShown: [],
    trigger: 'asked_for_person',
    restricted: false,
    note: null,
    status: minutes === null ? 'queued' : 'claimed',
    agentId: null,
    agentName: null,
    rating: null,
    createdAt,
    claimedAt: minutes === null ? null : new Date(Date.parse(createdAt) + minutes * 60_000).toISOString(),
    resolvedAt: null,
  };
}

describe('estimateClaimWait', () => {
  it('is the median claim time in whole minutes, rounded, ignoring cases nobody claimed', () => {
    expect(estimateClaimWait([3, 1, 20, null, null].map(caseClaimedAfter))).toBe(3);
    expect(estimateClaimWait([1, 2, 3, 4.5].map(caseClaimedAfter))).toBe(3);
    expect(estimateClaimWait([0.1, 0.2, 0.1].map(caseClaimedAfter))).toBe(1);
  });

  it('gives no estimate from fewer than three claims', () => {
    expect(estimateClaimWait([])).toBeNull();
    expect(estimateClaimWait([5, 7, null, null].map(caseClaimedAfter))).toBeNull();
  });
});
