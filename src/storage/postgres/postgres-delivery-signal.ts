import { createHash } from 'node:crypto';
import pg from 'pg';
import type { DeliverySignal, DeliverySignalHandlers } from '../../core/ports/delivery-signal.js';
import { silentLogger, type Logger } from '../../core/ports/logger.js';
import { quoteIdentifier } from './migrations.js';

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

/**
 * Signals kept replies between instances with `NOTIFY <channel>, '<opaque recipient key>'` on a
 * small pool, and hears them on one dedicated `LISTEN` connection that reconnects with backoff
 * after a failure or a database restart and then asks for a re-scan (a NOTIFY sent meanwhile is lost).
 */
export class PostgresDeliverySignal implements DeliverySignal {
  private readonly options: PostgresDeliverySignalOptions;
  private readonly channel: string;
  private readonly logger: Logger;
  private readonly notifier: pg.Pool;
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
  }

  async start(handlers: DeliverySignalHandlers): Promise<void> {
    this.handlers = handlers;
    await this.listen();
  }

  async announce(recipient: string): Promise<void> {
    await this.notifier.query('SELECT pg_notify($1, $2)', [this.channel.slice(1, -1), deliveryKey(recipient)]);
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
