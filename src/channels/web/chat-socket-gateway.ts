import { randomBytes } from 'node:crypto';
import type { IncomingMessage as HttpRequest } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { asCandorError } from '../../core/candor-error.js';
import { isLocale, type Locale } from '../../core/locale.js';
import type { Clock } from '../../core/ports/clock.js';
import type { Logger } from '../../core/ports/logger.js';
import type { IntentDirectory } from '../../core/ports/intent-directory.js';
import type { NoticeId, ReplyComposer } from '../../core/ports/reply-composer.js';
import { CALLBACK_TOPIC } from '../../core/reply.js';
import { readReasonTopic } from '../../core/resolve-follow-up.js';
import type { IncomingMessage } from '../../core/turn.js';
import { parseClientFrame, type ServiceFrame } from './chat-frames.js';
import type { ChatTokenService } from './chat-token-service.js';
import { TokenBucket } from './token-bucket.js';
import type { ChatConnection, WebCustomerChannel } from './web-customer-channel.js';
import type { WebTurnRunner } from './web-turn-runner.js';

/** The path the widget opens its websocket on. */
export const CHAT_SOCKET_PATH = '/chat/socket';

/** Anonymous session ids are 128 random bits, base64url; a client may resume only one it was given. */
const ANONYMOUS_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** Show typing only when a turn is not answered at once, so fast turns cost no extra frame. */
const TYPING_DELAY_MS = 250;

const HEARTBEAT_MS = 30_000;

/** A socket with this much unsent output is not reading; it is closed rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/** Error frames are not sent while this much is already queued on the socket (a flooding client). */
const MAX_BUFFERED_FOR_ERRORS = 64 * 1024;

/** The websocket close code for a server going away for a restart: the widget reconnects (to any instance). */
export const SERVICE_RESTART_CLOSE_CODE = 1012;

/** The websocket close code for a customer token that has expired: the widget gets a fresh token and reconnects. */
export const TOKEN_EXPIRED_CLOSE_CODE = 4001;

/** setTimeout's longest delay; a later expiry is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Learns which client address an anonymous conversation connects from (the escalation caps count by it). */
export interface ClientAddressBook {
  noteAddress(conversationId: string, address: string): void;
}

/** What the gateway needs to accept sockets and run their turns. */
export interface ChatSocketGatewayDependencies {
  tokens: ChatTokenService;
  customerChannel: WebCustomerChannel;
  /** Runs each verified message as a turn (Botkit, once it has loaded). */
  turnRunner: WebTurnRunner;
  composer: Pick<ReplyComposer, 'compose'>;
  intents: IntentDirectory;
  logger: Logger;
  /** The time tokens are checked against, at the upgrade and on every frame. */
  clock: Clock;
  clientAddresses?: ClientAddressBook;
  settings: {
    maxPayloadBytes: number;
    rateBurst: number;
    ratePerSecond: number;
    /** Take the client address from the last X-Forwarded-For entry (set by a trusted proxy). */
    trustProxy?: boolean;
    /** Page origins allowed to open a socket; a request without an Origin header (not a browser) is allowed. */
    isOriginAllowed(origin: string): boolean;
  };
}

interface ChatSession {
  readonly conversationId: string;
  readonly customerId: string | null;
  locale: Locale;
  readonly frames: TokenBucket;
  readonly acks: TokenBucket;
  readonly connection: ChatConnection;
  isAlive: boolean;
  /** When the session's token expires (ms since the epoch); null for an anonymous session. */
  readonly expiresAtMs: number | null;
  expiryTimer: NodeJS.Timeout | undefined;
}

interface VerifiedIdentity {
  conversationId: string;
  customerId: string | null;
  expiresAtMs: number | null;
  /** For an anonymous session: the id the widget presents to resume it after a reconnect. */
  resume?: string;
}

/**
 * Accepts chat websockets: checks Origin and token at the upgrade (refusing with 403 / 401),
 * validates and rate-limits every frame, answers every rejection with an error frame, and hands
 * verified messages to the turn runner (Botkit). A customer's socket is closed with 4001 when its token
 * expires, and a frame that arrives after that is never run.
 */
export class ChatSocketGateway {
  private readonly deps: ChatSocketGatewayDependencies;
  private readonly wss: WebSocketServer;
  private readonly sessions = new Map<WebSocket, ChatSession>();
  private readonly errorFrames = new Map<string, string>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly turnsInFlight = new Set<Promise<void>>();
  private isAccepting = true;

  constructor(deps: ChatSocketGatewayDependencies) {
    this.deps = deps;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: deps.settings.maxPayloadBytes, perMessageDeflate: false, clientTracking: false });
    this.heartbeat = setInterval(() => this.checkHeartbeats(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Handles an HTTP upgrade request for the chat socket; anything else is refused. */
  async handleUpgrade(request: HttpRequest, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', (error) => this.deps.logger.debug({ err: error }, 'chat upgrade socket error'));
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== CHAT_SOCKET_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (!this.isAccepting) return refuseUpgrade(socket, 503, 'Service Unavailable');
    const origin = request.headers.origin;
    if (origin !== undefined && !this.deps.settings.isOriginAllowed(origin)) {
      this.deps.logger.warn({ origin }, 'chat socket refused: origin not allowed');
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    const identity = await this.verifyIdentity(url);
    if (!identity) return refuseUpgrade(socket, 401, 'Unauthorized');
    if (socket.destroyed) return;
    if (identity.customerId === null) {
      const address = this.clientAddress(request);
      if (address !== undefined) this.deps.clientAddresses?.noteAddress(identity.conversationId, address);
    }
    const requestedLocale = url.searchParams.get('locale');
    const locale: Locale = isLocale(requestedLocale) ? requestedLocale : 'en';
    this.wss.handleUpgrade(request, socket, head, (ws) => this.openSession(ws, identity, locale));
  }

  /**
   * Shuts down without losing a message: refuses new sockets, lets the turns in flight finish, then
   * closes every socket with 1012 "service restart" (the widget reconnects, to any instance) while
   * still running the turns of messages that were already on the wire; after `graceMs` the rest is cut off.
   */
  async close(options: { graceMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.graceMs ?? 10_000);
    this.isAccepting = false;
    await this.waitForTurns(deadline);
    const closed = [...this.sessions.keys()].map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === ws.CLOSED) return resolve();
          ws.once('close', () => resolve());
          ws.close(SERVICE_RESTART_CLOSE_CODE, 'service restart');
        }),
    );
    await withDeadline(Promise.all(closed), deadline);
    await this.waitForTurns(deadline);
    clearInterval(this.heartbeat);
    for (const ws of this.sessions.keys()) ws.terminate();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** The client's address: the socket's peer, or the last X-Forwarded-For entry behind a trusted proxy. */
  private clientAddress(request: HttpRequest): string | undefined {
    const forwarded = request.headers['x-forwarded-for'];
    if (this.deps.settings.trustProxy === true && typeof forwarded === 'string') {
      const last = forwarded.split(',').at(-1)?.trim();
      if (last) return last;
    }
    return request.socket.remoteAddress;
  }

  /** The number of turns running now. */
  turnsRunning(): number {
    return this.turnsInFlight.size;
  }

  private async waitForTurns(deadline: number): Promise<void> {
    while (this.turnsInFlight.size > 0 && Date.now() < deadline) {
      await withDeadline(Promise.all([...this.turnsInFlight]), deadline);
    }
  }

  private track(turn: Promise<void>): void {
    const settled: Promise<void> = turn
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'web turn crashed'))
      .finally(() => this.turnsInFlight.delete(settled));
    this.turnsInFlight.add(settled);
  }

  /** The number of open sessions. */
  sessionCount(): number {
    return this.sessions.size;
  }

  private async verifyIdentity(url: URL): Promise<VerifiedIdentity | null> {
    const token = url.searchParams.get('token');
    if (token !== null) {
      const check = await this.deps.tokens.verify(token, this.deps.clock.now());
      if (check.status !== 'valid') {
        this.deps.logger.info({ reason: check.reason }, 'chat socket refused: invalid token');
        return null;
      }
      return { conversationId: `web:${check.customerId}`, customerId: check.customerId, expiresAtMs: check.expiresAtMs };
    }
    const requested = url.searchParams.get('resume');
    const anonymousId = requested !== null && ANONYMOUS_ID_PATTERN.test(requested) ? requested : randomBytes(16).toString('base64url');
    return { conversationId: `anon:${anonymousId}`, customerId: null, expiresAtMs: null, resume: anonymousId };
  }

  private openSession(ws: WebSocket, identity: VerifiedIdentity, locale: Locale): void {
    const { settings } = this.deps;
    const connection: ChatConnection = {
      conversationId: identity.conversationId,
      send(data: string): boolean {
        if (ws.readyState !== ws.OPEN) return false;
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          // A client that stops reading is cut off; its replies stay kept and arrive on reconnect.
          ws.terminate();
          return false;
        }
        ws.send(data);
        return true;
      },
    };
    const session: ChatSession = {
      conversationId: identity.conversationId,
      customerId: identity.customerId,
      locale,
      frames: new TokenBucket({ burst: settings.rateBurst, perSecond: settings.ratePerSecond }),
      // Acks are cheap and come in bursts after a reconnect, so they have their own, roomier bucket
      // (never tighter than the message bucket: each reply to a message earns one ack).
      acks: new TokenBucket({ burst: Math.max(256, settings.rateBurst), perSecond: Math.max(64, settings.ratePerSecond) }),
      connection,
      isAlive: true,
      expiresAtMs: identity.expiresAtMs,
      expiryTimer: undefined,
    };
    this.sessions.set(ws, session);

    ws.on('message', (data, isBinary) => this.onFrame(ws, session, data, isBinary));
    ws.on('pong', () => {
      session.isAlive = true;
    });
    ws.on('error', (error) => this.deps.logger.info({ conversationId: session.conversationId, err: error }, 'chat socket error'));
    ws.on('close', () => {
      clearTimeout(session.expiryTimer);
      this.sessions.delete(ws);
      this.deps.customerChannel.detach(connection);
    });

    const hello: ServiceFrame = { type: 'session', anonymous: identity.customerId === null };
    if (identity.resume !== undefined) hello.resume = identity.resume;
    ws.send(JSON.stringify(hello));
    if (this.closeIfExpired(ws, session)) return;
    this.armExpiry(ws, session);
    this.deps.customerChannel.attach(connection).catch((error: unknown) => {
      this.deps.logger.error({ conversationId: session.conversationId, err: error }, 'kept web replies could not be sent');
      this.sendError(ws, session, 'generic');
    });
  }

  /** Closes the socket at its token's expiry; a timer that fires early (or is capped) re-arms itself. */
  private armExpiry(ws: WebSocket, session: ChatSession): void {
    if (session.expiresAtMs === null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, session.expiresAtMs - this.deps.clock.now().getTime()));
    session.expiryTimer = setTimeout(() => {
      if (!this.closeIfExpired(ws, session)) this.armExpiry(ws, session);
    }, delay);
    session.expiryTimer.unref();
  }

  /** Closes a customer's socket whose token has expired with 4001; returns true when it did. */
  private closeIfExpired(ws: WebSocket, session: ChatSession): boolean {
    if (session.expiresAtMs === null || this.deps.clock.now().getTime() < session.expiresAtMs) return false;
    if (ws.readyState === ws.OPEN) {
      this.deps.logger.info({ conversationId: session.conversationId }, 'chat socket closed: token expired');
      ws.close(TOKEN_EXPIRED_CLOSE_CODE, 'token expired');
    }
    return true;
  }

  private onFrame(ws: WebSocket, session: ChatSession, data: RawData, isBinary: boolean): void {
    // Checked before anything else: a frame sent after the token expired is never run, whatever the timer did.
    if (this.closeIfExpired(ws, session)) return;
    if (isBinary) {
      return this.sendError(ws, session, session.frames.tryTake() ? 'binary_refused' : 'rate_limited');
    }
    const parsed = parseClientFrame(rawDataToString(data));
    const bucket = parsed.ok && parsed.frame.type === 'ack' ? session.acks : session.frames;
    // A refused message is named in its error frame, so the widget marks it as not sent.
    const messageId = parsed.ok ? (parsed.frame.type === 'message' ? parsed.frame.id : undefined) : parsed.id;
    if (!bucket.tryTake()) return this.sendError(ws, session, 'rate_limited', messageId);
    if (!parsed.ok) return this.sendError(ws, session, parsed.notice, messageId);

    const frame = parsed.frame;
    switch (frame.type) {
      case 'hello':
        if (frame.locale) session.locale = frame.locale;
        if (frame.start) this.track(this.runTurn(ws, session, { text: '', topic: this.knownTopic(frame.topic) }));
        return;
      case 'message':
        if (frame.locale) session.locale = frame.locale;
        this.track(this.runTurn(ws, session, { text: frame.text, topic: this.knownTopic(frame.topic), clientMessageId: frame.id }));
        return;
      case 'ack':
        this.deps.customerChannel.acknowledge(session.connection, frame.id).catch((error: unknown) => {
          this.deps.logger.error({ conversationId: session.conversationId, err: error }, 'web reply acknowledgement not stored');
        });
        return;
      case 'typing':
        // Accepted for protocol compatibility; nothing relays customer typing yet.
        return;
    }
  }

  /**
   * Topics the core acts on pass: an intent's alias, a reason quick reply (`reason-2`) and the callback quick
   * reply. Unknown ones are dropped, so the core greets instead of answering an error.
   */
  private knownTopic(topic: string | undefined): string | undefined {
    if (topic === undefined) return undefined;
    if (topic === CALLBACK_TOPIC || readReasonTopic(topic) !== null || this.deps.intents.resolveAlias(topic)) return topic;
    this.deps.logger.debug({ topic }, 'unknown chat topic; greeting instead');
    return undefined;
  }

  private async runTurn(ws: WebSocket, session: ChatSession, input: { text: string; topic?: string; clientMessageId?: string }): Promise<void> {
    const message: IncomingMessage = {
      conversationId: session.conversationId,
      channel: 'web',
      customerId: session.customerId,
      locale: session.locale,
      text: input.text,
    };
    if (input.topic !== undefined) message.topic = input.topic;
    if (input.clientMessageId !== undefined) message.clientMessageId = input.clientMessageId;

    const typing = setTimeout(() => this.deps.customerChannel.broadcast(session.conversationId, TYPING_FRAME), TYPING_DELAY_MS);
    try {
      const outcome = await this.deps.turnRunner.receive(message);
      if (outcome.status === 'failed') {
        const error = asCandorError(outcome.error);
        this.deps.logger.error({ conversationId: session.conversationId, code: error.code, err: error }, 'web turn failed');
        // A database outage (storage_unavailable) gets the generic "please try again in a moment": the
        // message may be sent again safely (a client message id already stored is skipped).
        this.sendError(ws, session, error.code === 'conversation_busy' ? 'busy' : 'generic', input.clientMessageId);
      } else if (input.clientMessageId !== undefined && outcome.replies === 0 && ws.readyState === ws.OPEN) {
        // The turn is stored (or was already: a resend), so the message is delivered. A reply says so itself
        // (its inReplyTo), so the receipt is a frame of its own only for a turn without one (a message relayed
        // to an agent, a resend). Ids are [A-Za-z0-9_-].
        ws.send(`{"type":"delivered","id":"${input.clientMessageId}"}`);
      }
    } finally {
      clearTimeout(typing);
    }
  }

  private sendError(ws: WebSocket, session: ChatSession, notice: NoticeId, messageId?: string): void {
    if (ws.readyState !== ws.OPEN || ws.bufferedAmount > MAX_BUFFERED_FOR_ERRORS) return;
    const frame = this.errorFrame(notice, session.locale);
    // Message ids are [A-Za-z0-9_-] (checked by the frame schema), so the id needs no escaping.
    ws.send(messageId === undefined ? frame : `${frame.slice(0, -1)},"id":"${messageId}"}`);
  }

  /** Error frames are composed once per locale and notice: rejections must stay cheap under a flood. */
  private errorFrame(notice: NoticeId, locale: Locale): string {
    const key = `${locale}:${notice}`;
    const cached = this.errorFrames.get(key);
    if (cached !== undefined) return cached;
    let text: string;
    try {
      text = this.deps.composer.compose({ kind: 'error', error: notice }, locale).text;
    } catch (error) {
      this.deps.logger.error({ notice, locale, err: error }, 'error notice could not be composed');
      return JSON.stringify({ type: 'error', code: notice, text: '' } satisfies ServiceFrame);
    }
    const frame = JSON.stringify({ type: 'error', code: notice, text } satisfies ServiceFrame);
    this.errorFrames.set(key, frame);
    return frame;
  }

  private checkHeartbeats(): void {
    for (const [ws, session] of this.sessions) {
      if (!session.isAlive) {
        ws.terminate();
        continue;
      }
      session.isAlive = false;
      ws.ping();
    }
  }
}

const TYPING_FRAME = JSON.stringify({ type: 'typing', from: 'bot' } satisfies ServiceFrame);

function rawDataToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** Resolves when the promise settles or the deadline passes, whichever is first. */
async function withDeadline(promise: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    }),
  ]);
  clearTimeout(timer);
}

function refuseUpgrade(socket: Duplex, status: 401 | 403 | 404 | 503, reason: string): void {
  if (socket.destroyed) return;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`);
}
