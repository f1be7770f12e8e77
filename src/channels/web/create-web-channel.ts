import { randomBytes } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CandorError } from '../../core/candor-error.js';
import type { Clock } from '../../core/ports/clock.js';
import type { DeliverySignal } from '../../core/ports/delivery-signal.js';
import type { IntentDirectory } from '../../core/ports/intent-directory.js';
import { silentLogger, type Logger } from '../../core/ports/logger.js';
import type { ReplyComposer } from '../../core/ports/reply-composer.js';
import type { CustomerChannel } from '../../core/reply.js';
import type { TurnHandler } from '../../core/turn.js';
import type { WebConfig } from '../../config/web-config.js';
import { systemClock } from '../../runtime/system-clock.js';
import { BotkitLoadedAfterFirstTurn } from './botkit-loaded-after-first-turn.js';
import { ChatSocketGateway, type ClientAddressBook } from './chat-socket-gateway.js';
import { ChatTokenService } from './chat-token-service.js';
import { WebCustomerChannel, type WebChannelStore } from './web-customer-channel.js';
import { createWebRequestListener, type DemoCustomer } from './web-request-listener.js';

/** How long a demo page session lasts: the widget can refresh its chat token for this long. */
const DEMO_SESSION_TTL_SECONDS = 12 * 60 * 60;

/** The web channel's settings: its own slice plus the server settings of the app slice. */
export type WebChannelConfig = WebConfig & {
  NODE_ENV: 'development' | 'production' | 'test';
  HOST: string;
  PORT: number;
  PUBLIC_BASE_URL?: string | undefined;
};

/** Everything the web channel is built from. */
export interface WebChannelDependencies {
  config: WebChannelConfig;
  turns: TurnHandler;
  /** Only the offline-delivery part of the ConversationStore is used. */
  store: WebChannelStore;
  composer: Pick<ReplyComposer, 'compose'>;
  intents: IntentDirectory;
  demoCustomers: DemoCustomer[];
  logger?: Logger;
  /** Routes the composition root serves on the same server, by exact path (e.g. `/healthz`). */
  extraRoutes?: Record<string, RequestListener>;
  /** Tells other instances about kept replies and hears theirs; absent → a single instance. */
  signal?: DeliverySignal;
  /** The time chat tokens are checked against (the wall clock when absent). */
  clock?: Clock;
  /** Told the client address of each anonymous conversation (for the escalation caps). */
  clientAddresses?: ClientAddressBook;
}

/** A running web channel. */
export interface WebChannel {
  server: Server;
  /** The output port: the core and the Slack relay send customer replies through it. */
  customerChannel: CustomerChannel;
  /** `http://host:port` the server listens on. */
  url: string;
  /** Issues and verifies chat tokens (the demo page, the chat CLI and the benchmark use it). */
  tokens: ChatTokenService;
  /** True when the demo page and token issuing are served. */
  demoMode: boolean;
  /** Open chat sockets, for metrics. */
  sessionCount(): number;
  /**
   * Stops accepting connections, lets turns in flight finish, closes the chat sockets with 1012
   * "service restart" and the server; whatever is still open after `graceMs` (default 10 s) is cut off.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * Starts the web chat: an HTTP server with the widget and demo pages, a websocket gateway that
 * verifies identity and frames, Botkit over Candor's adapter for turns, and the CustomerChannel.
 */
export async function createWebChannel(deps: WebChannelDependencies): Promise<WebChannel> {
  const { config } = deps;
  const logger = deps.logger ?? silentLogger;
  const isProduction = config.NODE_ENV === 'production';
  const demoMode = config.DEMO_MODE ?? !isProduction;
  if (isProduction && config.CHAT_TOKEN_SECRET === undefined) {
    throw new CandorError('config_invalid', 'CHAT_TOKEN_SECRET is required when NODE_ENV=production');
  }
  if (isProduction && demoMode) logger.warn({}, 'DEMO_MODE is on in production: anyone can get a token for a demo customer');
  const secret = config.CHAT_TOKEN_SECRET !== undefined ? new TextEncoder().encode(config.CHAT_TOKEN_SECRET) : randomBytes(32);

  const tokens = new ChatTokenService({
    secret,
    audience: config.CHAT_TOKEN_AUDIENCE,
    issuer: config.CHAT_TOKEN_ISSUER,
    ttlSeconds: config.CHAT_TOKEN_TTL_SECONDS,
  });
  // The demo page's session (a cookie) outlives the short chat tokens, so the widget can get a fresh one.
  const demoSessions = new ChatTokenService({
    secret,
    audience: `${config.CHAT_TOKEN_AUDIENCE}:demo-session`,
    issuer: config.CHAT_TOKEN_ISSUER,
    ttlSeconds: DEMO_SESSION_TTL_SECONDS,
  });
  const customerChannel = new WebCustomerChannel({ store: deps.store, logger, ...(deps.signal ? { signal: deps.signal } : {}) });
  await customerChannel.start();
  // Botkit is imported after the first reply rather than before listening (most of a second of the start).
  const turnRunner = new BotkitLoadedAfterFirstTurn({ turns: deps.turns, customerChannel, connections: customerChannel, logger });

  // Origins are known only once the port is; the listener and the gateway read this set.
  const allowedOrigins = new Set<string>();
  const isOriginAllowed = (origin: string): boolean => allowedOrigins.has(origin);

  const listener = await createWebRequestListener({
    demoMode,
    demoCustomers: deps.demoCustomers,
    tokens,
    demoSessions,
    isSecure: config.PUBLIC_BASE_URL?.startsWith('https:') ?? false,
    composer: deps.composer,
    logger,
    isOriginAllowed,
    extraRoutes: deps.extraRoutes,
  });
  const server = createServer(listener);
  const gateway = new ChatSocketGateway({
    tokens,
    customerChannel,
    turnRunner,
    composer: deps.composer,
    intents: deps.intents,
    logger,
    clock: deps.clock ?? systemClock,
    ...(deps.clientAddresses ? { clientAddresses: deps.clientAddresses } : {}),
    settings: {
      maxPayloadBytes: config.CHAT_MAX_PAYLOAD_BYTES,
      rateBurst: config.CHAT_RATE_BURST,
      ratePerSecond: config.CHAT_RATE_PER_SECOND,
      trustProxy: config.CHAT_TRUST_PROXY ?? false,
      isOriginAllowed,
    },
  });
  server.on('upgrade', (request, socket, head) => {
    gateway.handleUpgrade(request, socket, head).catch((error: unknown) => {
      logger.error({ err: error }, 'chat upgrade failed');
      socket.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  for (const origin of ownOrigins(config, port)) allowedOrigins.add(origin);
  const url = `http://${urlHost(config.HOST)}:${port}`;
  logger.info({ url, demoMode }, 'web chat listening');

  return {
    server,
    customerChannel,
    url,
    tokens,
    demoMode,
    sessionCount: () => gateway.sessionCount(),
    async close(options: { graceMs?: number } = {}): Promise<void> {
      const graceMs = options.graceMs ?? 10_000;
      const deadline = Date.now() + graceMs;
      // Stop accepting first; requests already in progress (a Slack action, a readiness probe) may finish.
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await gateway.close({ graceMs });
      await turnRunner.shutdown();
      await customerChannel.close();
      const timer = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
      server.closeIdleConnections();
      await serverClosed;
      clearTimeout(timer);
    },
  };
}

/** The server's own origins (loopback names, the bound host, the public URL) plus the configured extras. */
function ownOrigins(config: WebChannelConfig, port: number): string[] {
  const origins = [`http://localhost:${port}`, `http://127.0.0.1:${port}`, `http://[::1]:${port}`];
  if (!isWildcardHost(config.HOST)) origins.push(`http://${urlHost(config.HOST)}:${port}`);
  if (config.PUBLIC_BASE_URL !== undefined) origins.push(new URL(config.PUBLIC_BASE_URL).origin);
  for (const extra of config.CHAT_ALLOWED_ORIGINS) origins.push(new URL(extra).origin);
  return origins;
}

function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

function urlHost(host: string): string {
  if (isWildcardHost(host)) return '127.0.0.1';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
