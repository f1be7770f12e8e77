import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReasonCatalogue, ReasonEntry } from '../../src/core/reason-catalogue.js';
import { MAX_PRINCIPAL_REASONS, selectReasons, sortByRank } from '../../src/explain/select-reasons.js';

const entries: ReasonEntry[] = [
  { code: 'PAY_LATE_RECENT', category: 'repayment', disclosure: 'D' },
  { code: 'INQ_RECENT', category: 'credit_report', disclosure: 'D' },
  { code: 'UTIL_HIGH', category: 'debt_load', disclosure: 'D' },
  { code: 'INCOME_UNSTABLE', category: 'capacity', disclosure: 'D' },
  { code: 'HISTORY_SHORT', category: 'history', disclosure: 'D' },
  { code: 'MODEL_UPDATE', category: 'criteria_update', disclosure: 'G' },
  { code: 'PORTFOLIO_ADJ', category: 'group_wide', disclosure: 'G' },
  { code: 'MACRO_TIGHTEN', category: 'group_wide', disclosure: 'G' },
  { code: 'REG_CHANGE', category: 'group_wide', disclosure: 'G' },
  { code: 'FRAUD_SUSPECT', category: 'restricted', disclosure: 'N' },
  { code: 'AML_SANCTIONS', category: 'restricted', disclosure: 'N' },
];
const catalogue: ReasonCatalogue = { find: (code) => entries.find((entry) => entry.code === code) };
const ranked = (...codes: string[]) => codes.map((code, index) => ({ code, rank: index + 1 }));

describe('selectReasons', () => {
  it('says there is nothing to explain when the decision has no codes', () => {
    expect(selectReasons([], catalogue)).toEqual({ kind: 'none' });
  });

  it('shows at most four principal reasons in rank order and records the rest as suppressed', () => {
    const reasons = [
      { code: 'INCOME_UNSTABLE', rank: 5 },
      { code: 'UTIL_HIGH', rank: 3 },
      { code: 'PAY_LATE_RECENT', rank: 1 },
      { code: 'MODEL_UPDATE', rank: 4 },
      { code: 'INQ_RECENT', rank: 2 },
    ];
    const selection = selectReasons(reasons, catalogue);
    expect(selection.kind).toBe('reasons');
    if (selection.kind !== 'reasons') return;
    expect(selection.shown.map((r) => r.code)).toEqual(['PAY_LATE_RECENT', 'INQ_RECENT', 'UTIL_HIGH', 'MODEL_UPDATE']);
    expect(selection.codesSuppressed).toEqual(['INCOME_UNSTABLE']);
    expect(selection.isGroupOnly).toBe(false);
  });

  it('never shows only group-wide reasons when specific ones exist', () => {
    const selection = selectReasons(ranked('MODEL_UPDATE', 'PORTFOLIO_ADJ', 'MACRO_TIGHTEN', 'REG_CHANGE', 'UTIL_HIGH', 'HISTORY_SHORT'), catalogue);
    if (selection.kind !== 'reasons') throw new Error(selection.kind);
    expect(selection.shown.map((r) => r.code)).toEqual(['MODEL_UPDATE', 'PORTFOLIO_ADJ', 'UTIL_HIGH', 'HISTORY_SHORT']);
    expect(selection.codesSuppressed).toEqual(['MACRO_TIGHTEN', 'REG_CHANGE']);
  });

  it('keeps MODEL_UPDATE together with the specific factors it applied to', () => {
    const selection = selectReasons(ranked('MODEL_UPDATE', 'PORTFOLIO_ADJ', 'MACRO_TIGHTEN', 'REG_CHANGE', 'INQ_RECENT'), catalogue);
    if (selection.kind !== 'reasons') throw new Error(selection.kind);
    const codes = selection.shown.map((r) => r.code);
    expect(codes).toContain('MODEL_UPDATE');
    expect(codes).toContain('INQ_RECENT');
  });

  it('shows group-wide reasons alone only when there is no specific one, and says so', () => {
    const selection = selectReasons(ranked('PORTFOLIO_ADJ', 'MACRO_TIGHTEN'), catalogue);
    if (selection.kind !== 'reasons') throw new Error(selection.kind);
    expect(selection.shown.map((r) => r.code)).toEqual(['PORTFOLIO_ADJ', 'MACRO_TIGHTEN']);
    expect(selection.isGroupOnly).toBe(true);
  });

  it('turns any N-class code into the neutral, restricted outcome with every code suppressed', () => {
    expect(selectReasons(ranked('UTIL_HIGH', 'AML_SANCTIONS'), catalogue)).toEqual({
      kind: 'neutral',
      restricted: true,
      codesSuppressed: ['UTIL_HIGH', 'AML_SANCTIONS'],
    });
  });

  it('treats an unknown code like an N-class one, but not as restricted', () => {
    expect(selectReasons(ranked('UTIL_HIGH', 'ZZ_NEW_POLICY_7'), catalogue)).toEqual({
      kind: 'neutral',
      restricted: false,
      codesSuppressed: ['UTIL_HIGH', 'ZZ_NEW_POLICY_7'],
    });
  });

  it('keeps one entry per code and the engine order on equal ranks', () => {
    expect(sortByRank([{ code: 'B', rank: 2 }, { code: 'A', rank: 1 }, { code: 'C', rank: 2 }, { code: 'A', rank: 3 }])).toEqual([
      { code: 'A', rank: 1 },
      { code: 'B', rank: 2 },
      { code: 'C', rank: 2 },
    ]);
  });

  it('holds the explanation rules for any mix of codes and ranks', () => {
    const codes = [...entries.map((entry) => entry.code), 'ZZ_UNKNOWN'];
    const reasonsArb = fc.array(fc.record({ code: fc.constantFrom(...codes), rank: fc.integer({ min: 1, max: 20 }) }), { maxLength: 12 });
    fc.assert(
      fc.property(reasonsArb, (reasons) => {
        const selection = selectReasons(reasons, catalogue);
        const distinct = new Set(reasons.map((r) => r.code));
        if (reasons.length === 0) return selection.kind === 'none';
        const classes = [...distinct].map((code) => catalogue.find(code)?.disclosure ?? 'unknown');
        if (classes.includes('N') || classes.includes('unknown')) {
          return (
            selection.kind === 'neutral' &&
            selection.restricted === classes.includes('N') &&
            new Set(selection.codesSuppressed).size === distinct.size
          );
        }
        if (selection.kind !== 'reasons') return false;
        const shown = selection.shown;
        const ranks = shown.map((r) => r.rank);
        const hasD = classes.includes('D');
        return (
          shown.length === Math.min(MAX_PRINCIPAL_REASONS, distinct.size) &&
          ranks.every((rank, i) => i === 0 || (ranks[i - 1] ?? 0) <= rank) &&
          (!hasD || shown.some((r) => r.entry.disclosure === 'D')) &&
          shown.every((r) => r.entry.disclosure !== 'N') &&
          shown.length + selection.codesSuppressed.length === distinct.size &&
          selection.isGroupOnly === !hasD
        );
      }),
    );
  });
});
