import { describe, expect, it } from 'vitest';
import { CustomerDecisionsSchema } from '../../src/core/decision.js';
import type { DecisionEngine } from '../../src/core/ports/decision-engine.js';
import { loadDemoCustomers } from '../../src/decisions/demo-customers.js';

/** The behaviour every DecisionEngine adapter shares when it serves the shipped demo customers. */
export function describeDecisionEngineContract(name: string, makeEngine: () => Promise<{ engine: DecisionEngine; close(): Promise<void> }>): void {
  describe(`${name} (DecisionEngine contract)`, () => {
    const demo = loadDemoCustomers();

    it('answers every demo customer with exactly the data on file, valid against the schema', async () => {
      const { engine, close } = await makeEngine();
      try {
        for (const { id } of demo.list()) {
          const lookup = await engine.lookup(id);
          expect(lookup, id).toEqual({ status: 'found', data: demo.responseFor(id) });
          if (lookup.status === 'found') expect(CustomerDecisionsSchema.safeParse(lookup.data).success).toBe(true);
        }
      } finally {
        await close();
      }
    });

    it('says not_found for an unknown customer, including ids that need URL encoding', async () => {
      const { engine, close } = await makeEngine();
      try {
        expect(await engine.lookup('demo-nobody')).toEqual({ status: 'not_found' });
        expect(await engine.lookup('../demo-drop')).toEqual({ status: 'not_found' });
        expect(await engine.lookup('demo drop/limit?x=1')).toEqual({ status: 'not_found' });
      } finally {
        await close();
      }
    });

    it('returns copies or frozen data, so changing one answer cannot change the next', async () => {
      const { engine, close } = await makeEngine();
      try {
        const first = await engine.lookup('demo-drop');
        if (first.status !== 'found') throw new Error('expected demo-drop to be found');
        // A shared answer must be frozen (the change throws); a copy may be changed freely.
        const tryChange = (change: () => void) => {
          try {
            change();
          } catch (error) {
            expect(error).toBeInstanceOf(TypeError);
          }
        };
        tryChange(() => {
          first.data.decisions.length = 0;
        });
        tryChange(() => {
          first.data.currentLimit.amount = 1;
        });
        expect(await engine.lookup('demo-drop')).toEqual({ status: 'found', data: demo.responseFor('demo-drop') });
      } finally {
        await close();
      }
    });
  });
}
