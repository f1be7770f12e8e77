import type Database from 'better-sqlite3';
import type { DeliveryStore, PendingDelivery } from '../../core/ports/delivery-store.js';
import { ACKED_DELIVERY_KEEP_MS, deliveryFromRow, toIsoInstant } from '../stored-rows.js';
import type { SqliteConnection } from './sqlite-connection.js';

/** Acknowledged deliveries older than the keep time are forgotten at most this often per recipient. */
const FORGET_ACKED_EVERY_MS = 60_000;
/** Recipients whose last forgetting time is remembered; the map starts over beyond this. */
const MAX_FORGET_TIMES = 50_000;

type Row = Record<string, unknown>;

/** Offline deliveries in SQLite: kept and acknowledged in the group commit, forgotten a few minutes after. */
export class SqliteDeliveryStore implements DeliveryStore {
  private readonly sql: ReturnType<typeof prepareStatements>;
  /** When each recipient's long-acknowledged deliveries were last forgotten (epoch ms). */
  private readonly forgottenAt = new Map<string, number>();

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
      // Forgetting scans the recipient's rows, so it runs once a minute per recipient, not on every ack.
      if (now - (this.forgottenAt.get(recipient) ?? 0) < FORGET_ACKED_EVERY_MS) return;
      if (this.forgottenAt.size >= MAX_FORGET_TIMES) this.forgottenAt.clear();
      this.forgottenAt.set(recipient, now);
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
