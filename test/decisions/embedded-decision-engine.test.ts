import { describe, expect, it } from 'vitest';
import { EmbeddedDecisionEngine } from '../../src/decisions/embedded-decision-engine.js';
import { loadDemoCustomers } from '../../src/decisions/demo-customers.js';
import { describeDecisionEngineContract } from './decision-engine-contract.js';

describeDecisionEngineContract('EmbeddedDecisionEngine', async () => ({
  engine: new EmbeddedDecisionEngine(loadDemoCustomers()),
  close: async () => {},
}));

describe('EmbeddedDecisionEngine sharing', () => {
  it('hands every lookup of a customer the same deeply frozen response, equal to the demo file', async () => {
    const demo = loadDemoCustomers();
    const engine = new EmbeddedDecisionEngine(demo);
    const first = await engine.lookup('demo-drop');
    const second = await engine.lookup('demo-drop');
    if (first.status !== 'found' || second.status !== 'found') throw new Error('demo-drop should be on file');
    expect(second.data).toBe(first.data);
    expect(first.data).toEqual(demo.responseFor('demo-drop'));
    expect(Object.isFrozen(first.data)).toBe(true);
    expect(Object.isFrozen(first.data.decisions)).toBe(true);
    expect(Object.isFrozen(first.data.decisions[0]?.reasons)).toBe(true);
    expect(() => first.data.decisions[0]?.reasons.push({ code: 'X', rank: 9 })).toThrow(TypeError);
    expect(await engine.lookup('nobody')).toEqual({ status: 'not_found' });
  });
});
