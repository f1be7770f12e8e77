import type Database from 'better-sqlite3';
import type { DeliveryStore, PendingDelivery } from '../../core/ports/delivery-store.js';
import { ACKED_DELIVERY_KEEP_MS, deliveryFromRow, toIsoInstant } from '../stored-rows.js';
import { AckedDeliveryForgetting } from '../acked-delivery-forgetting.js';
import type { SqliteConnection } from './sqlite-connection.js';

type Row = Record<string, unknown>;

/** Offline deliveries in SQLite: kept and acknowledged in the group commit, forgotten a few minutes after. */
export class SqliteDeliveryStore implements DeliveryStore {
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly forgetting = new AckedDeliveryForgetting();

  constructor(private readonly connection: SqliteConnection) {
    this.sql = prepareStatements(connection.db);
  }

  async enqueueDelivery(delivery: PendingDelivery): Promise<void> {
    return this.connection.writeInGroup(() =>
      this.sql.enqueueDelivery.run(delivery.recipient, delivery.id, delivery.payloadJson ?? JSON.stringify(delivery.payload), this.connection.instant(delivery.createdAt)),
    );
  }

  async listPendingDeliveries(recipient: string, options: { includeAckedSince?: string } = {}): Promise<PendingDelivery[]> {
    const since = options.includeAckedSince === undefined ? null : toIsoInstant(options.includeAckedSince);
    return this.connection.read(() => (this.sql.listDeliveries.all(recipient, since, since) as Row[]).map(deliveryFromRow));
  }

  async ackDelivery(recipient: string, id: string): Promise<void> {
    const now = Date.now();
    return this.connection.writeInGroup(() => {
      this.sql.ackDelivery.run(new Date(now).toISOString(), recipient, id);
      if (!this.forgetting.isDue(recipient, now)) return;
      this.sql.forgetAckedDeliveries.run(recipient, new Date(now - ACKED_DELIVERY_KEEP_MS).toISOString());
    });
  }
}

function prepareStatements(db: Database.Database) {
  return {
    enqueueDelivery: db.prepare(`
      INSERT INTO pending_deliveries (recipient, id, payload, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (recipient, id) DO NOTHING`),
    listDeliveries: db.prepare(
      'SELECT * FROM pending_deliveries WHERE recipient = ? AND (acked_at IS NULL OR (? IS NOT NULL AND acked_at >= ?)) ORDER BY seq',
    ),
    ackDelivery: db.prepare('UPDATE pending_deliveries SET acked_at = ? WHERE recipient = ? AND id = ? AND acked_at IS NULL'),
    forgetAckedDeliveries: db.prepare('DELETE FROM pending_deliveries WHERE recipient = ? AND acked_at < ?'),
  };
}
