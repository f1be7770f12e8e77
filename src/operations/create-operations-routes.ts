import type { RequestListener } from 'node:http';
import type { OperationsConfig } from '../config/operations-config.js';
import type { Clock } from '../core/ports/clock.js';
import type { AuditStore } from '../core/ports/audit-store.js';
import type { OperationsQueries } from '../core/ports/operations-queries.js';
import { silentLogger, type Logger } from '../core/ports/logger.js';
import type { CandorMetrics } from '../observability/candor-metrics.js';
import { createHealthRoutes, type ReadinessCheck } from '../observability/health-routes.js';
import { createMetricsListener } from '../observability/metrics-endpoint.js';
import { createOpsRoute } from './create-ops-route.js';
import type { IntentNamer } from './name-intents.js';

/**
 * The operations routes for the web channel's `extraRoutes`: `/healthz` and `/readyz` always,
 * `/metrics` when it is not on a port of its own and `METRICS_TOKEN` is set, `/ops` when `OPS_TOKEN` is set.
 */
export function createOperationsRoutes(deps: {
  config: OperationsConfig;
  metrics: CandorMetrics;
  store: OperationsQueries & AuditStore;
  clock: Clock;
  checks: Record<string, ReadinessCheck>;
  /** The names `/ops` shows intents by; absent → a readable form of the id. */
  nameIntent?: IntentNamer;
  logger?: Logger;
}): Record<string, RequestListener> {
  const logger = deps.logger ?? silentLogger;
  const routes: Record<string, RequestListener> = { ...createHealthRoutes({ checks: deps.checks, logger }) };
  if (deps.config.METRICS_PORT === undefined) {
    if (deps.config.METRICS_TOKEN !== undefined) routes['/metrics'] = createMetricsListener({ metrics: deps.metrics, token: deps.config.METRICS_TOKEN, logger });
    else logger.warn({}, '/metrics is off: set METRICS_TOKEN (bearer token) or METRICS_PORT (separate port)');
  }
  if (deps.config.OPS_TOKEN !== undefined) {
    routes['/ops'] = createOpsRoute({
      store: deps.store,
      token: deps.config.OPS_TOKEN,
      clock: deps.clock,
      defaultDays: deps.config.OPS_DEFAULT_DAYS,
      ...(deps.nameIntent ? { nameIntent: deps.nameIntent } : {}),
      logger,
    });
  }
  return routes;
}
