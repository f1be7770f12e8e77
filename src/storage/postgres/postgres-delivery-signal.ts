import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DeliverySignal, DeliverySignalHandlers } from '../../core/ports/delivery-signal.js';
import { silentLogger, type Logger } from '../../core/ports/logger.js';
import { quoteIdentifier } from './migrations.js';
import { PostgresConnection } from './postgres-connection.js';
import { PostgresGroupCommit } from './postgres-group-commit.js';

/** How to reach Postgres for delivery signals. */
export interface PostgresDeliverySignalOptions {
  connectionString: string;
  /** Candor's schema; instances on different schemas of one database do not hear each other. */
  schema?: string;
  /** Shown in `pg_stat_activity` for the listening connection; defaults to `candor-signal`. */
  applicationName?: string;
  /** First wait before reconnecting a lost listener; doubles up to `maxReconnectMs`. */
  reconnectMs?: number;
  maxReconnectMs?: number;
  logger?: Logger;
}

/** Postgres channel names are identifiers of at most 63 bytes. */
function channelName(schema: string): string {
  return quoteIdentifier(`candor_delivery_${schema}`.slice(0, 63));
}

/**
 * An opaque key for a recipient: conversation ids may embed a customer id, and NOTIFY payloads are
 * visible to any session of the database, so only this hash travels.
 */
export function deliveryKey(recipient: string): string {
  return createHash('sha256').update(`candor.delivery\u0000${recipient}`).digest('base64url').slice(0, 22);
}

/** Most announcements in one statement. */
const MAX_ANNOUNCEMENTS_PER_BATCH = 128;

/** Every announcement of a batch in one statement (one commit); Postgres drops a repeated payload within it. */
const ANNOUNCE_SQL = 'SELECT pg_notify($1, key) FROM unnest($2::text[]) WITH ORDINALITY AS a(key, n) ORDER BY n';

/**
 * Signals kept replies between instances with `NOTIFY <channel>, '<opaque recipient key>'` on a
 * small pool, the announcements of a turn of the event loop in one statement, and hears them on one
 * dedicated `LISTEN` connection that reconnects with backoff after a failure or a database restart and
 * then asks for a re-scan (a NOTIFY sent meanwhile is lost). It ignores its own announcements (told
 * apart by the notifying backend's process id): the instance that announces a reply has sent it to its
 * own sockets already, so re-reading the conversation's kept replies would find nothing new.
 */
export class PostgresDeliverySignal implements DeliverySignal {
  private readonly options: PostgresDeliverySignalOptions;
  private readonly channel: string;
  private readonly logger: Logger;
  private readonly notifier: pg.Pool;
  private readonly announcements: PostgresGroupCommit<string, void>;
  /** Process ids of the notifier pool's backends: a notification from one of them is this instance's own. */
  private readonly ownBackends = new Set<number>();
  private readonly watched = new Map<string, string>();
  private handlers: DeliverySignalHandlers | null = null;
  private listener: pg.Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectDelayMs: number;
  private isClosed = false;
  private hasListened = false;

  constructor(options: PostgresDeliverySignalOptions) {
    this.options = options;
    this.channel = channelName(options.schema ?? 'public');
    this.logger = options.logger ?? silentLogger;
    this.reconnectDelayMs = options.reconnectMs ?? 200;
    this.notifier = new pg.Pool({
      connectionString: options.connectionString,
      max: 2,
      connectionTimeoutMillis: 5_000,
      application_name: 'candor-notify',
    });
    this.notifier.on('error', (error: Error & { code?: string }) => {
      this.logger.warn({ code: error.code ?? null }, 'postgres notify pool: idle connection failed');
    });
    this.notifier.on('connect', (client) => this.ownBackends.add(backendOf(client)));
    this.notifier.on('remove', (client) => this.ownBackends.delete(backendOf(client)));
    const channel = this.channel.slice(1, -1);
    this.announcements = new PostgresGroupCommit<string, void>(
      new PostgresConnection(this.notifier),
      async (client, keys) => {
        await client.query({ name: 'candor_announce', text: ANNOUNCE_SQL, values: [channel, keys] });
        return keys.map(() => undefined);
      },
      { maxBatch: MAX_ANNOUNCEMENTS_PER_BATCH },
    );
  }

  async start(handlers: DeliverySignalHandlers): Promise<void> {
    this.handlers = handlers;
    await this.listen();
  }

  async announce(recipient: string): Promise<void> {
    await this.announcements.write(deliveryKey(recipient));
  }

  watch(recipient: string): void {
    this.watched.set(deliveryKey(recipient), recipient);
  }

  unwatch(recipient: string): void {
    this.watched.delete(deliveryKey(recipient));
  }

  /** True while the LISTEN connection is up (for tests and readiness). */
  isListening(): boolean {
    return this.listener !== null;
  }

  async close(): Promise<void> {
    this.isClosed = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.announcements.drain();
    if (!this.notifier.ended) await this.notifier.end();
  }

  private async listen(): Promise<void> {
    if (this.isClosed) return;
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: this.options.applicationName ?? 'candor-signal',
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
    });
    let isLost = false;
    const lose = (error: (Error & { code?: string }) | undefined): void => {
      if (isLost) return;
      isLost = true;
      if (this.listener === client) this.listener = null;
      client.end().catch(() => undefined);
      if (this.isClosed) return;
      this.logger.warn({ code: error?.code ?? null, retryInMs: this.reconnectDelayMs }, 'delivery signal listener lost; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', lose);
    client.on('end', () => lose(undefined));
    client.on('notification', (message) => {
      if (message.channel !== this.channel.slice(1, -1) || message.payload === undefined) return;
      if (this.ownBackends.has(message.processId)) return;
      const recipient = this.watched.get(message.payload);
      if (recipient !== undefined) this.handlers?.onPending(recipient);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      lose(error as Error & { code?: string });
      return;
    }
    if (this.isClosed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.reconnectDelayMs = this.options.reconnectMs ?? 200;
    // Sockets may have attached, and signals been sent, while nobody listened.
    if (this.hasListened || this.watched.size > 0) {
      this.logger.info({ recipients: this.watched.size }, 'delivery signal listening again; re-scanning local recipients');
      this.handlers?.onResync();
    }
    this.hasListened = true;
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer !== null || this.isClosed) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(delay * 2, this.options.maxReconnectMs ?? 5_000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.listen();
    }, delay);
    this.reconnectTimer.unref();
  }
}

/** The server process id of a pooled client (pg sets it at connection start; the typings leave it out). */
function backendOf(client: pg.PoolClient): number {
  return (client as pg.PoolClient & { processID?: number }).processID ?? -1;
}
