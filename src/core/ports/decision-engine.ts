import type { CustomerDecisions } from '../decision.js';

/** Why a lookup could not be answered. */
export type EngineFailure = 'timeout' | 'unreachable' | 'server_error' | 'invalid_response' | 'unauthorized' | 'circuit_open';

/** The outcome of asking the engine for one customer's decisions; failures are values, not exceptions. */
export type DecisionLookup =
  | { status: 'found'; data: CustomerDecisions }
  | { status: 'not_found' }
  | { status: 'unavailable'; failure: EngineFailure };

/** The lender's decision engine: the latest limit decisions of one authenticated customer. */
export interface DecisionEngine {
  lookup(customerId: string, signal?: AbortSignal): Promise<DecisionLookup>;
}
