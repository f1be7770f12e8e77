import { describe, expect, it } from 'vitest';
import type { DecisionKind, LimitDecision } from '../../src/core/decision.js';
import { pickDecision } from '../../src/explain/pick-decision.js';

const decision = (decisionId: string, kind: DecisionKind, decidedAt: string): LimitDecision => ({
  decisionId,
  kind,
  previousLimit: 1000,
  newLimit: 500,
  currency: 'CNY',
  decidedAt,
  reasons: [],
});

describe('pickDecision', () => {
  const history = [
    decision('denied', 'increase_denied', '2026-03-01T00:00:00Z'),
    decision('unfreeze', 'unfreeze', '2026-02-01T00:00:00Z'),
    decision('drop', 'decrease', '2026-04-01T00:00:00Z'),
    decision('freeze', 'freeze', '2026-01-01T00:00:00Z'),
  ];

  it('picks the latest decrease or freeze for why_dropped, whatever the input order', () => {
    expect(pickDecision('limit.why_dropped', history)?.decisionId).toBe('drop');
  });

  it('picks the latest denial for increase_denied', () => {
    expect(pickDecision('limit.increase_denied', history)?.decisionId).toBe('denied');
  });

  it('explains a raise when it is the latest change and nothing matches', () => {
    const raised = [decision('raise', 'increase_approved', '2026-04-02T00:00:00Z')];
    expect(pickDecision('limit.why_dropped', raised)?.decisionId).toBe('raise');
    expect(pickDecision('limit.increase_denied', raised)?.decisionId).toBe('raise');
  });

  it('does not treat a freeze that was lifted as current', () => {
    expect(pickDecision('account.frozen', history)).toBeUndefined();
    expect(pickDecision('account.frozen', [decision('f2', 'freeze', '2026-05-01T00:00:00Z'), ...history])?.decisionId).toBe('f2');
  });

  it('picks the latest decision for other intents, and nothing when there are none', () => {
    expect(pickDecision('limit.how_to_increase', history)?.decisionId).toBe('drop');
    expect(pickDecision('limit.why_dropped', [])).toBeUndefined();
  });
});
