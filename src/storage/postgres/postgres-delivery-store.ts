import type { DeliveryStore, PendingDelivery } from '../../core/ports/delivery-store.js';
import { ACKED_DELIVERY_KEEP_MS, deliveryFromRow, toIsoInstant } from '../stored-rows.js';
import type { PostgresConnection } from './postgres-connection.js';

/** Offline deliveries in Postgres: kept until acknowledged, forgotten a few minutes after. */
export class PostgresDeliveryStore implements DeliveryStore {
  constructor(private readonly connection: PostgresConnection) {}

  async enqueueDelivery(delivery: PendingDelivery): Promise<void> {
    await this.connection.query(
      'candor_enqueue_delivery',
      `INSERT INTO pending_deliveries (recipient, id, payload, created_at) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (recipient, id) DO NOTHING`,
      [delivery.recipient, delivery.id, delivery.payloadJson ?? JSON.stringify(delivery.payload), toIsoInstant(delivery.createdAt)],
    );
  }

  async listPendingDeliveries(recipient: string, options: { includeAckedSince?: string } = {}): Promise<PendingDelivery[]> {
    const since = options.includeAckedSince === undefined ? null : toIsoInstant(options.includeAckedSince);
    const rows = await this.connection.query(
      'candor_list_deliveries',
      `SELECT id, recipient, payload, created_at, acked_at FROM pending_deliveries
       WHERE recipient = $1 AND (acked_at IS NULL OR acked_at >= $2::timestamptz) ORDER BY seq`,
      [recipient, since],
    );
    return rows.map(deliveryFromRow);
  }

  async ackDelivery(recipient: string, id: string): Promise<void> {
    const now = Date.now();
    await this.connection.query(
      'candor_ack_delivery',
      `WITH acked AS (
         UPDATE pending_deliveries SET acked_at = $3 WHERE recipient = $1 AND id = $2 AND acked_at IS NULL
       )
       DELETE FROM pending_deliveries WHERE recipient = $1 AND acked_at < $4`,
      [recipient, id, new Date(now).toISOString(), new Date(now - ACKED_DELIVERY_KEEP_MS).toISOString()],
    );
  }
}
