import type { CustomerDecisions } from '../core/decision.js';
import type { DecisionEngine, DecisionLookup } from '../core/ports/decision-engine.js';
import type { DemoCustomers } from './demo-customers.js';

/**
 * The default decision engine: serves the demo customers from the local data file, with no network.
 * Each customer's response is copied once and deeply frozen, then shared by every lookup: a copy per
 * turn cost more than the rest of the lookup, and frozen data cannot be changed by any caller.
 */
export class EmbeddedDecisionEngine implements DecisionEngine {
  private readonly customers: DemoCustomers;
  /** Frozen responses by customer id; only ids in the demo file are ever added, so it stays that small. */
  private readonly frozen = new Map<string, CustomerDecisions>();

  constructor(customers: DemoCustomers) {
    this.customers = customers;
  }

  async lookup(customerId: string): Promise<DecisionLookup> {
    let data = this.frozen.get(customerId);
    if (data === undefined) {
      const response = this.customers.responseFor(customerId);
      if (response === undefined) return { status: 'not_found' };
      data = deepFreeze(response);
      this.frozen.set(customerId, data);
    }
    return { status: 'found', data };
  }
}

/** Freezes a plain JSON-like value and everything in it; returns the same value. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const item of Object.values(value)) deepFreeze(item);
  return Object.freeze(value);
}
