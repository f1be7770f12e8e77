import type { PoolClient } from 'pg';
import type { DeliveryStore, PendingDelivery } from '../../core/ports/delivery-store.js';
import { ACKED_DELIVERY_KEEP_MS, deliveryFromRow, toIsoInstant } from '../stored-rows.js';
import type { PostgresConnection } from './postgres-connection.js';
import { AckedDeliveryForgetting } from '../acked-delivery-forgetting.js';
import { PostgresGroupCommit } from './postgres-group-commit.js';

/** A reply to keep, or an acknowledgement to record, waiting for the next group commit. */
type DeliveryWrite = { keep: PendingDelivery } | { ack: { recipient: string; id: string } };

/** Most keeps and acknowledgements in one statement (as for turns). */
const MAX_DELIVERY_WRITES_PER_BATCH = 128;


/**
 * The replies kept and the acknowledgements of a batch in one statement. A reply is kept `ON CONFLICT DO
 * NOTHING`; an acknowledgement marks its reply; the recipients due for it forget their replies
 * acknowledged more than a few minutes ago. The keeps and the acknowledgements of one batch never
 * concern the same reply: the web channel records an acknowledgement only after its reply is kept.
 * Acknowledgements and recipients come as arrays, not as a jsonb record set: the planner takes a record
 * set for 100 rows and then joined the whole table by hash to forget (a sequential scan per batch).
 */
const WRITE_DELIVERIES_SQL = `
  WITH kept AS (
    INSERT INTO pending_deliveries (recipient, id, payload, created_at)
    SELECT recipient, id, payload, created_at FROM jsonb_to_recordset($1::jsonb)
      AS d(recipient text, id text, payload jsonb, created_at timestamptz, ord int)
    ORDER BY d.ord
    ON CONFLICT (recipient, id) DO NOTHING
  ), acked AS (
    UPDATE pending_deliveries p SET acked_at = $2 FROM unnest($3::text[], $4::text[]) AS a(recipient, id)
    WHERE p.recipient = a.recipient AND p.id = a.id AND p.acked_at IS NULL
  )
  DELETE FROM pending_deliveries WHERE recipient = ANY($5::text[]) AND acked_at < $6`;

/**
 * Offline deliveries in Postgres: kept until acknowledged, forgotten a few minutes after. Keeps and
 * acknowledgements are group-committed together, so they cost a share of one round trip and one commit.
 * An acknowledgement lost before its batch commits (the instance stopped) only means the reply is sent
 * again on the next reconnect, and the widget drops a reply id it has already shown.
 */
export class PostgresDeliveryStore implements DeliveryStore {
  private readonly group: PostgresGroupCommit<DeliveryWrite, void>;
  private readonly forgetting = new AckedDeliveryForgetting();

  constructor(private readonly connection: PostgresConnection) {
    this.group = new PostgresGroupCommit(connection, (client, writes) => this.writeDeliveries(client, writes), { maxBatch: MAX_DELIVERY_WRITES_PER_BATCH });
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
    await this.group.write({ ack: { recipient, id } });
  }

  /** Resolves once every queued keep and acknowledgement has been committed or has failed. */
  drain(): Promise<void> {
    return this.group.drain();
  }

  /** Writes a batch of keeps and acknowledgements in one statement. */
  private async writeDeliveries(client: PoolClient, writes: readonly DeliveryWrite[]): Promise<void[]> {
    const kept: string[] = [];
    const acked: Array<{ recipient: string; id: string }> = [];
    for (const write of writes) {
      if ('ack' in write) {
        acked.push(write.ack);
        continue;
      }
      const { keep } = write;
      // The payload is usually serialised already (the same JSON is sent): it is spliced in, not parsed and serialised again.
      const payload = keep.payloadJson ?? JSON.stringify(keep.payload);
      kept.push(
        `{"recipient":${JSON.stringify(keep.recipient)},"id":${JSON.stringify(keep.id)},"payload":${payload},` +
          `"created_at":"${toIsoInstant(keep.createdAt)}","ord":${kept.length}}`,
      );
    }
    const now = Date.now();
    await client.query({
      name: 'candor_write_deliveries',
      text: WRITE_DELIVERIES_SQL,
      values: [
        `[${kept.join(',')}]`,
        new Date(now).toISOString(),
        acked.map((ack) => ack.recipient),
        acked.map((ack) => ack.id),
        this.recipientsDueForForgetting(acked, now),
        new Date(now - ACKED_DELIVERY_KEEP_MS).toISOString(),
      ],
    });
    return writes.map(() => undefined);
  }

  /** The acknowledging recipients due for forgetting their long-acknowledged replies (once a minute each, as on SQLite). */
  private recipientsDueForForgetting(acked: ReadonlyArray<{ recipient: string }>, now: number): string[] {
    return [...new Set(acked.map((ack) => ack.recipient))].filter((recipient) => this.forgetting.isDue(recipient, now));
  }
}
