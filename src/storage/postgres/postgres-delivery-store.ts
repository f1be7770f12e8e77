import type { PoolClient } from 'pg';
import type { DeliveryStore, PendingDelivery } from '../../core/ports/delivery-store.js';
import { ACKED_DELIVERY_KEEP_MS, deliveryFromRow, toIsoInstant } from '../stored-rows.js';
import type { PostgresConnection } from './postgres-connection.js';
import { PostgresGroupCommit } from './postgres-group-commit.js';

/** A reply to keep, or an acknowledgement to record, waiting for the next group commit. */
type DeliveryWrite = { keep: PendingDelivery } | { ack: { recipient: string; id: string; at: number } };

/** Most keeps and acknowledgements in one statement (as for turns). */
const MAX_DELIVERY_WRITES_PER_BATCH = 128;

/**
 * The replies kept and the acknowledgements of a batch in one statement. A reply is kept `ON CONFLICT DO
 * NOTHING`; an acknowledgement marks its reply and forgets the recipient's replies acknowledged more
 * than a few minutes ago. The keeps and the acknowledgements of one batch never concern the same reply:
 * the web channel records an acknowledgement only after its reply is kept.
 */
const WRITE_DELIVERIES_SQL = `
  WITH kept AS (
    INSERT INTO pending_deliveries (recipient, id, payload, created_at)
    SELECT recipient, id, payload, created_at FROM jsonb_to_recordset($1::jsonb)
      AS d(recipient text, id text, payload jsonb, created_at timestamptz, ord int)
    ORDER BY d.ord
    ON CONFLICT (recipient, id) DO NOTHING
  ), acks AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS a(recipient text, id text, acked_at timestamptz, forget_before timestamptz)
  ), acked AS (
    UPDATE pending_deliveries p SET acked_at = a.acked_at FROM acks a
    WHERE p.recipient = a.recipient AND p.id = a.id AND p.acked_at IS NULL
  )
  DELETE FROM pending_deliveries p USING acks a WHERE p.recipient = a.recipient AND p.acked_at < a.forget_before`;

/**
 * Offline deliveries in Postgres: kept until acknowledged, forgotten a few minutes after. Keeps and
 * acknowledgements are group-committed together, so they cost a share of one round trip and one commit.
 * An acknowledgement lost before its batch commits (the instance stopped) only means the reply is sent
 * again on the next reconnect, and the widget drops a reply id it has already shown.
 */
export class PostgresDeliveryStore implements DeliveryStore {
  private readonly group: PostgresGroupCommit<DeliveryWrite, void>;

  constructor(private readonly connection: PostgresConnection) {
    this.group = new PostgresGroupCommit(connection, writeDeliveries, { maxBatch: MAX_DELIVERY_WRITES_PER_BATCH });
  }

  async enqueueDelivery(delivery: PendingDelivery): Promise<void> {
    await this.group.write({ keep: delivery });
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
    await this.group.write({ ack: { recipient, id, at: Date.now() } });
  }

  /** Resolves once every queued keep and acknowledgement has been committed or has failed. */
  drain(): Promise<void> {
    return this.group.drain();
  }
}

/** Writes a batch of keeps and acknowledgements in one statement. */
async function writeDeliveries(client: PoolClient, writes: readonly DeliveryWrite[]): Promise<void[]> {
  const kept: string[] = [];
  const acks: unknown[] = [];
  for (const write of writes) {
    if ('keep' in write) {
      const { keep } = write;
      // The payload is usually serialised already (the same JSON is sent): it is spliced in, not parsed and serialised again.
      const payload = keep.payloadJson ?? JSON.stringify(keep.payload);
      kept.push(
        `{"recipient":${JSON.stringify(keep.recipient)},"id":${JSON.stringify(keep.id)},"payload":${payload},` +
          `"created_at":"${toIsoInstant(keep.createdAt)}","ord":${kept.length}}`,
      );
    } else {
      const { ack } = write;
      acks.push({
        recipient: ack.recipient,
        id: ack.id,
        acked_at: new Date(ack.at).toISOString(),
        forget_before: new Date(ack.at - ACKED_DELIVERY_KEEP_MS).toISOString(),
      });
    }
  }
  await client.query({ name: 'candor_write_deliveries', text: WRITE_DELIVERIES_SQL, values: [`[${kept.join(',')}]`, JSON.stringify(acks)] });
  return writes.map(() => undefined);
}
