import type { StorageConfig } from '../config/storage-config.js';
import { localDeliverySignal, type DeliverySignal } from '../core/ports/delivery-signal.js';
import type { Logger } from '../core/ports/logger.js';
import { PostgresDeliverySignal } from './postgres/postgres-delivery-signal.js';

/**
 * Picks the delivery signal that matches the store: with Postgres, instances tell each other about
 * kept replies with LISTEN/NOTIFY; with SQLite there is one instance and nothing to tell.
 */
export function createDeliverySignal(config: StorageConfig, logger?: Logger): DeliverySignal {
  if (config.DATABASE_URL === undefined) return localDeliverySignal;
  return new PostgresDeliverySignal({
    connectionString: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    ...(logger ? { logger } : {}),
  });
}
