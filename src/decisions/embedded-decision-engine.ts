import type { DecisionEngine, DecisionLookup } from '../core/ports/decision-engine.js';
import type { DemoCustomers } from './demo-customers.js';

/** The default decision engine: serves the demo customers from the local data file, with no network. */
export class EmbeddedDecisionEngine implements DecisionEngine {
  private readonly customers: DemoCustomers;

  constructor(customers: DemoCustomers) {
    this.customers = customers;
  }

  async lookup(customerId: string): Promise<DecisionLookup> {
    const data = this.customers.responseFor(customerId);
    return data === undefined ? { status: 'not_found' } : { status: 'found', data };
  }
}
