import { readFileSync } from 'node:fs';
import { CandorError } from '../core/candor-error.js';
import type { DecisionEngine } from '../core/ports/decision-engine.js';
import type { Logger } from '../core/ports/logger.js';
import type { DecisionsConfig } from '../config/decisions-config.js';
import { loadDemoCustomers } from './demo-customers.js';
import { EmbeddedDecisionEngine } from './embedded-decision-engine.js';
import { HttpDecisionEngine } from './http-decision-engine.js';
import type { DecisionEngineEventListener } from './http-decision-engine.js';

/** A decision engine the composition root owns: which kind it is, and how to release it. */
export interface ManagedDecisionEngine extends DecisionEngine {
  readonly kind: 'embedded' | 'http';
  close(): Promise<void>;
}

/** Extras the composition root may pass in. */
export interface CreateDecisionEngineOptions {
  onEvent?: DecisionEngineEventListener;
  /** Where the HTTP client reports a refused token or answers outside the contract (once per minute each). */
  logger?: Logger;
  /** Demo customers file for the embedded engine (default: the shipped fixtures file). */
  demoCustomersPath?: string;
}

/** Builds the HTTP client when `DECISION_ENGINE_URL` is set, otherwise the embedded demo engine. */
export function createDecisionEngine(config: DecisionsConfig, options: CreateDecisionEngineOptions = {}): ManagedDecisionEngine {
  const url = config.DECISION_ENGINE_URL;
  if (url === undefined) {
    const embedded = new EmbeddedDecisionEngine(loadDemoCustomers(options.demoCustomersPath));
    return {
      kind: 'embedded',
      lookup: function lookupEmbedded(customerId) {
        return embedded.lookup(customerId);
      },
      close: async function closeEmbedded() {},
    };
  }
  const tls = {
    ...readPem('DECISION_ENGINE_CA_FILE', config.DECISION_ENGINE_CA_FILE, 'ca'),
    ...readPem('DECISION_ENGINE_CERT_FILE', config.DECISION_ENGINE_CERT_FILE, 'cert'),
    ...readPem('DECISION_ENGINE_KEY_FILE', config.DECISION_ENGINE_KEY_FILE, 'key'),
  };
  const http = new HttpDecisionEngine({
    baseUrl: url,
    timeoutMs: config.DECISION_ENGINE_TIMEOUT_MS,
    maxBytes: config.DECISION_ENGINE_MAX_BYTES,
    maxRetries: config.DECISION_ENGINE_MAX_RETRIES,
    cacheTtlMs: config.DECISION_ENGINE_CACHE_TTL_MS,
    breakerThreshold: config.DECISION_ENGINE_BREAKER_THRESHOLD,
    breakerHalfOpenMs: config.DECISION_ENGINE_BREAKER_HALF_OPEN_MS,
    ...(config.DECISION_ENGINE_TOKEN === undefined ? {} : { token: config.DECISION_ENGINE_TOKEN }),
    ...(Object.keys(tls).length === 0 ? {} : { tls }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  return {
    kind: 'http',
    lookup: function lookupOverHttp(customerId, signal) {
      return http.lookup(customerId, signal);
    },
    close: function closeHttp() {
      return http.close();
    },
  };
}

/** Reads one PEM file named in config; a missing file is a config error naming the variable, not the path's content. */
function readPem(variable: string, path: string | undefined, field: 'ca' | 'cert' | 'key'): Partial<Record<'ca' | 'cert' | 'key', Buffer>> {
  if (path === undefined) return {};
  try {
    return { [field]: readFileSync(path) };
  } catch (error) {
    throw new CandorError('config_invalid', `${variable}: cannot read ${path}`, { cause: error });
  }
}
