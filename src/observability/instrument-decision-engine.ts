import { performance } from 'node:perf_hooks';
import type { DecisionLookup } from '../core/ports/decision-engine.js';
import type { ManagedDecisionEngine } from '../decisions/create-decision-engine.js';
import type { CandorMetrics } from './candor-metrics.js';

/** Wraps a decision engine (embedded or HTTP) so each lookup's latency and outcome reach the metrics. */
export function instrumentDecisionEngine(engine: ManagedDecisionEngine, metrics: CandorMetrics): ManagedDecisionEngine {
  return {
    kind: engine.kind,
    async lookup(customerId: string, signal?: AbortSignal): Promise<DecisionLookup> {
      const started = performance.now();
      let outcome = 'error';
      try {
        const lookup = await engine.lookup(customerId, signal);
        outcome = lookup.status === 'unavailable' ? lookup.failure : lookup.status;
        return lookup;
      } finally {
        metrics.engineLookupSeconds.observe({ outcome }, (performance.now() - started) / 1000);
      }
    },
    close: () => engine.close(),
  };
}
