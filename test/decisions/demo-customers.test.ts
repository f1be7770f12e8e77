import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CandorError } from '../../src/core/candor-error.js';
import { loadDemoCustomers, parseDemoCustomers } from '../../src/decisions/demo-customers.js';

const demo = loadDemoCustomers();
const latest = (id: string) => {
  const response = demo.responseFor(id);
  if (response === undefined) throw new Error(`${id} missing from the demo data`);
  return { response, decision: response.decisions[0] };
};
const codes = (id: string) => latest(id).decision?.reasons.toSorted((a, b) => a.rank - b.rank).map((reason) => reason.code);

describe('demo customers file', () => {
  it('holds every customer whose id is a contract, each with a display name and a description', () => {
    const ids = demo.list().map((customer) => customer.id);
    expect(ids).toEqual(
      expect.arrayContaining(['demo-drop', 'demo-denied', 'demo-raised', 'demo-frozen', 'demo-fraud', 'demo-aml', 'demo-unknown', 'demo-none', 'demo-group']),
    );
    for (const customer of demo.list()) {
      expect(customer.displayName.length).toBeGreaterThan(0);
      expect(customer.description.length).toBeGreaterThan(0);
    }
  });

  it('keeps demo-page fields out of the engine response', () => {
    const response = demo.responseFor('demo-drop');
    expect(Object.keys(response ?? {}).sort()).toEqual(['currentLimit', 'customerId', 'decisions']);
  });

  it('has demo-drop decreased 20,000 → 8,000 CNY in minor units with five ranked reasons and a review date', () => {
    const { response, decision } = latest('demo-drop');
    expect(decision).toMatchObject({ kind: 'decrease', previousLimit: 2_000_000, newLimit: 800_000, currency: 'CNY' });
    expect(response.currentLimit).toEqual({ amount: 800_000, currency: 'CNY' });
    expect(codes('demo-drop')).toEqual(['PAY_LATE_RECENT', 'INQ_RECENT', 'UTIL_HIGH', 'MODEL_UPDATE', 'INCOME_UNSTABLE']);
    expect(decision?.nextReviewAt).toBeDefined();
  });

  it('has the other cases with the kinds and codes the docs and tests rely on', () => {
    expect(latest('demo-denied').decision).toMatchObject({ kind: 'increase_denied', nextReviewAt: expect.any(String) });
    expect(codes('demo-denied')).toEqual(['INCOME_UNVERIFIED', 'HISTORY_SHORT']);
    expect(latest('demo-raised').decision?.kind).toBe('increase_approved');
    expect(codes('demo-raised')).toEqual(['LIMIT_RAISED']);
    expect(latest('demo-frozen').decision?.kind).toBe('freeze');
    expect(codes('demo-frozen')).toEqual(['PAY_OVERDUE_NOW']);
    expect(latest('demo-fraud').decision?.kind).toBe('decrease');
    expect(codes('demo-fraud')).toEqual(['FRAUD_SUSPECT']);
    expect(latest('demo-aml').decision?.kind).toBe('decrease');
    expect(codes('demo-aml')).toEqual(['AML_SANCTIONS', 'UTIL_HIGH']);
    expect(latest('demo-unknown').decision?.kind).toBe('decrease');
    expect(codes('demo-unknown')).toEqual(['ZZ_NEW_POLICY_7']);
    expect(latest('demo-group').decision?.kind).toBe('decrease');
    expect(codes('demo-group')).toEqual(['PORTFOLIO_ADJ', 'MACRO_TIGHTEN']);
    expect(latest('demo-none').response.decisions).toEqual([]);
    expect(latest('demo-none').response.currentLimit.amount).toBeGreaterThan(0);
  });

  it('dates every decision in 2026', () => {
    for (const { id } of demo.list()) {
      for (const decision of demo.responseFor(id)?.decisions ?? []) {
        expect(new Date(decision.decidedAt).getUTCFullYear(), id).toBe(2026);
      }
    }
  });

  it('returns undefined for an id that is not a demo customer', () => {
    expect(demo.responseFor('demo-nobody')).toBeUndefined();
  });
});

describe('parseDemoCustomers', () => {
  const decision = (decidedAt: string, ranks: number[]) => ({
    decisionId: `d-${decidedAt}`,
    kind: 'decrease',
    previousLimit: 200,
    newLimit: 100,
    currency: 'CNY',
    decidedAt,
    reasons: ranks.map((rank) => ({ code: 'UTIL_HIGH', rank })),
  });
  const customer = (id: string, decisions: unknown[]) => ({
    displayName: id,
    description: 'case',
    response: { customerId: id, currentLimit: { amount: 100, currency: 'CNY' }, decisions },
  });

  it('reports every problem at once: duplicate ids, old-before-new order, rank gaps, bad amounts', () => {
    const input = {
      customers: [
        customer('a', [decision('2026-01-01T00:00:00Z', [1]), decision('2026-02-01T00:00:00Z', [1])]),
        customer('a', [decision('2026-01-01T00:00:00Z', [1, 3])]),
        { ...customer('b', []), response: { customerId: 'b', currentLimit: { amount: '1.00', currency: 'CNY' }, decisions: [] } },
      ],
    };
    let message = '';
    try {
      parseDemoCustomers(input, 'demo.json');
    } catch (error) {
      expect(error).toBeInstanceOf(CandorError);
      expect((error as CandorError).code).toBe('content_invalid');
      message = (error as Error).message;
    }
    expect(message).toContain('demo.json');
    expect(message).toContain('customers[2].response.currentLimit.amount');
    // Refinements run only once the shape is valid, so check them on a well-shaped file too.
    const shaped = { customers: input.customers.slice(0, 2) };
    expect(() => parseDemoCustomers(shaped)).toThrowError(/duplicate customer id a[\s\S]*newest first[\s\S]*ranks must be 1..n/);
  });

  it('names the file when it is missing or not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'candor-demo-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ not json');
    expect(() => loadDemoCustomers(broken)).toThrowError(/broken\.json › not valid JSON/);
    expect(() => loadDemoCustomers(join(dir, 'absent.json'))).toThrowError(/absent\.json › cannot be read/);
  });
});
