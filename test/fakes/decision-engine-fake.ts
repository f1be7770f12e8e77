import type { DecisionEngine, DecisionLookup } from '../../src/core/ports/decision-engine.js';

/** A decision engine for core tests: answers from a per-customer script, records every lookup. */
export class ScriptedDecisionEngine implements DecisionEngine {
  /** Customer ids in the order they were looked up. */
  readonly calls: string[] = [];
  private readonly answers = new Map<string, DecisionLookup[]>();
  private fallback: DecisionLookup = { status: 'not_found' };

  /** Queues answers for a customer; the last one repeats once the queue is down to it. */
  answer(customerId: string, ...lookups: DecisionLookup[]): this {
    this.answers.set(customerId, [...(this.answers.get(customerId) ?? []), ...lookups]);
    return this;
  }

  /** Sets the answer for any customer without a script (default `not_found`). */
  otherwise(lookup: DecisionLookup): this {
    this.fallback = lookup;
    return this;
  }

  async lookup(customerId: string): Promise<DecisionLookup> {
    this.calls.push(customerId);
    const queue = this.answers.get(customerId);
    if (queue === undefined || queue.length === 0) return structuredClone(this.fallback);
    const next = queue.length > 1 ? queue.shift() : queue[0];
    return structuredClone(next ?? this.fallback);
  }
}
