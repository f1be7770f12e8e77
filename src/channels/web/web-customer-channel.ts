import { CandorError } from '../../core/candor-error.js';
import { InProcessConversationLock } from '../../core/in-process-conversation-lock.js';
import type { DeliveryStore, PendingDelivery } from '../../core/ports/delivery-store.js';
import { localDeliverySignal, type DeliverySignal } from '../../core/ports/delivery-signal.js';
import type { Logger } from '../../core/ports/logger.js';
import type { TurnStore } from '../../core/ports/turn-store.js';
import type { CustomerChannel, OutgoingReply } from '../../core/reply.js';
import { HISTORY_LIMIT, replyFrameSchema, toHistoryEntry, toReplyFrame, type HistoryEntry, type HistoryFrame } from './chat-frames.js';

/** The part of the conversation store the web channel uses: replies kept until acknowledged, and the recent transcript. */
export type WebChannelStore = DeliveryStore & Pick<TurnStore, 'listMessages'>;

/** One open socket of a conversation, as the delivery side sees it. */
export interface ChatConnection {
  readonly conversationId: string;
  /** Sends one serialised frame; returns false when the socket is no longer open. */
  send(data: string): boolean;
}

interface ConnectionState {
  /** False until the replies kept while offline have been sent, so live replies cannot overtake them. */
  ready: boolean;
  /** Reply ids sent on this socket (acknowledged or not): each reply goes once per socket. */
  sent: Set<string>;
  /** When the socket attached (ms), to tell replies it should see from ones other tabs saw before it opened. */
  attachedAt: number;
}

/** Reply ids remembered per socket; bounded, so a long-lived socket cannot grow memory without bound. */
const MAX_SENT_PER_CONNECTION = 512;

/**
 * A signalled re-scan also offers a socket the replies another instance's socket acknowledged after
 * this one attached (it was open, so it should see them too); this much allows for clock skew between instances.
 */
const ACK_CLOCK_SKEW_MS = 250;

/**
 * Delivers replies to every open socket of a conversation and keeps each in the store until a
 * socket acknowledges it, so replies to an offline customer arrive in order, once, on reconnect.
 * With several instances, a kept reply is announced on the DeliverySignal, and the instances
 * holding the conversation's other sockets fetch it from the store and send it.
 */
export class WebCustomerChannel implements CustomerChannel {
  private readonly connections = new Map<string, Map<ChatConnection, ConnectionState>>();
  // Deliveries and reconnect flushes of one conversation run one at a time, in order.
  private readonly order = new InProcessConversationLock();
  private readonly store: WebChannelStore;
  private readonly logger: Logger;
  private readonly signal: DeliverySignal;

  constructor(deps: { store: WebChannelStore; logger: Logger; signal?: DeliverySignal }) {
    this.store = deps.store;
    this.logger = deps.logger;
    this.signal = deps.signal ?? localDeliverySignal;
  }

  /** Starts hearing other instances' announcements (a no-op on a single instance). */
  async start(): Promise<void> {
    await this.signal.start({
      onPending: (recipient) => this.rescanInBackground(recipient),
      onResync: () => {
        for (const recipient of this.connections.keys()) this.rescanInBackground(recipient);
      },
    });
  }

  /**
   * Sends the reply to every open socket here, keeps it until acknowledged, and announces it to the
   * other instances. Called once the reply's message is stored (the CustomerChannel contract).
   */
  async deliver(reply: OutgoingReply): Promise<void> {
    const frame = toReplyFrame(reply);
    // Serialised once: the same JSON is kept and sent.
    const data = JSON.stringify(frame);
    let isKept = true;
    await this.order.withLock(reply.conversationId, async () => {
      // The reply's message is already committed with its turn, so the reply leaves at once while it is
      // being kept, instead of one more commit later. The lock is held until it is kept, so a socket that
      // attaches meanwhile finds it among the kept replies, and its ack (which takes the lock too) is
      // written after it.
      const keeping = this.store.enqueueDelivery({ id: reply.id, recipient: reply.conversationId, payload: frame, payloadJson: data, createdAt: reply.createdAt });
      const reached = this.sendToReady(reply.conversationId, frame.id, data);
      try {
        await keeping;
      } catch (error) {
        isKept = false;
        this.logger.error({ conversationId: reply.conversationId, replyId: reply.id, err: error }, 'web reply could not be kept for redelivery');
      }
      if (!isKept && reached === 0) {
        throw new CandorError('storage_unavailable', `reply ${reply.id} could neither be kept nor sent`);
      }
    });
    if (!isKept) return;
    try {
      await this.signal.announce(reply.conversationId);
    } catch (error) {
      // The reply is kept: a socket elsewhere gets it at its next re-scan or reconnect.
      this.logger.warn({ conversationId: reply.conversationId, replyId: reply.id, err: error }, 'kept web reply could not be announced to other instances');
    }
  }

  /** Sends the conversation's kept replies that its sockets here have not had yet (after another instance's announcement). */
  async rescan(conversationId: string): Promise<void> {
    await this.order.withLock(conversationId, async () => {
      const sockets = this.connections.get(conversationId);
      if (!sockets) return;
      const ready = [...sockets].filter(([, state]) => state.ready);
      if (ready.length === 0) return;
      const earliest = Math.min(...ready.map(([, state]) => state.attachedAt)) - ACK_CLOCK_SKEW_MS;
      const kept = await this.store.listPendingDeliveries(conversationId, { includeAckedSince: new Date(earliest).toISOString() });
      for (const delivery of kept) {
        const frame = replyFrameSchema.safeParse(delivery.payload);
        if (!frame.success) continue;
        const data = JSON.stringify(frame.data);
        const ackedAt = delivery.ackedAt === undefined ? null : Date.parse(delivery.ackedAt);
        for (const [connection, state] of ready) {
          if (ackedAt === null || ackedAt >= state.attachedAt - ACK_CLOCK_SKEW_MS) sendOnce(connection, state, frame.data.id, data);
        }
      }
    });
  }

  private rescanInBackground(conversationId: string): void {
    this.rescan(conversationId).catch((error: unknown) => {
      this.logger.warn({ conversationId, err: error }, 'kept web replies could not be re-scanned; they wait for the next signal or reconnect');
    });
  }

  /**
   * Registers a socket, then sends it the conversation's recent history (one frame) and the replies kept
   * while the conversation had no acknowledging socket; a kept reply is left out of the history, so it
   * arrives once, as itself.
   */
  async attach(connection: ChatConnection): Promise<void> {
    let sockets = this.connections.get(connection.conversationId);
    if (!sockets) {
      sockets = new Map();
      this.connections.set(connection.conversationId, sockets);
      this.signal.watch(connection.conversationId);
    }
    const state: ConnectionState = { ready: false, sent: new Set(), attachedAt: Date.now() };
    sockets.set(connection, state);
    await this.order.withLock(connection.conversationId, async () => {
      try {
        let pending: PendingDelivery[] = [];
        try {
          pending = await this.store.listPendingDeliveries(connection.conversationId);
        } finally {
          // Sent even when the kept replies could not be read: the widget waits for it before it starts.
          connection.send(JSON.stringify(await this.history(connection.conversationId, new Set(pending.map((delivery) => delivery.id)))));
        }
        for (const delivery of pending) {
          const frame = replyFrameSchema.safeParse(delivery.payload);
          if (!frame.success) {
            this.logger.warn({ conversationId: connection.conversationId, replyId: delivery.id }, 'kept web reply is not a valid frame; skipped');
            continue;
          }
          sendOnce(connection, state, frame.data.id, JSON.stringify(frame.data));
        }
      } finally {
        state.ready = true;
      }
    });
  }

  /** The conversation's recent messages the customer may see, without the kept replies about to be sent; empty when the store fails. */
  private async history(conversationId: string, kept: ReadonlySet<string>): Promise<HistoryFrame> {
    const messages: HistoryEntry[] = [];
    try {
      for (const message of await this.store.listMessages(conversationId, HISTORY_LIMIT)) {
        const entry = toHistoryEntry(message);
        if (entry !== null && !kept.has(entry.id)) messages.push(entry);
      }
    } catch (error) {
      // The chat still works without its history; the widget then starts as for a new conversation.
      this.logger.warn({ conversationId, err: error }, 'web chat history could not be read');
    }
    return { type: 'history', messages };
  }

  /** Forgets a closed socket; the conversation's other sockets are untouched. */
  detach(connection: ChatConnection): void {
    const sockets = this.connections.get(connection.conversationId);
    if (!sockets) return;
    sockets.delete(connection);
    if (sockets.size === 0) {
      this.connections.delete(connection.conversationId);
      this.signal.unwatch(connection.conversationId);
    }
  }

  /** Records that a socket received a reply, so it is not sent again on a later reconnect. */
  async acknowledge(connection: ChatConnection, replyId: string): Promise<void> {
    // In the delivery order: an ack can arrive before its reply is kept (the reply leaves while being kept).
    await this.order.withLock(connection.conversationId, () => this.store.ackDelivery(connection.conversationId, replyId));
  }

  /** Stops hearing other instances. */
  async close(): Promise<void> {
    await this.signal.close();
  }

  /** Sends a transient frame (e.g. typing) to every open socket of a conversation; it is not kept. */
  broadcast(conversationId: string, data: string): void {
    const sockets = this.connections.get(conversationId);
    if (!sockets) return;
    for (const connection of sockets.keys()) connection.send(data);
  }

  /** Returns true when the conversation has at least one open socket. */
  isConnected(conversationId: string): boolean {
    return this.connections.has(conversationId);
  }

  /** The number of open sockets, for metrics and tests. */
  connectionCount(): number {
    let count = 0;
    for (const sockets of this.connections.values()) count += sockets.size;
    return count;
  }

  private sendToReady(conversationId: string, replyId: string, data: string): number {
    const sockets = this.connections.get(conversationId);
    if (!sockets) return 0;
    let reached = 0;
    for (const [connection, state] of sockets) {
      if (state.ready && sendOnce(connection, state, replyId, data)) reached += 1;
    }
    return reached;
  }
}

function sendOnce(connection: ChatConnection, state: ConnectionState, replyId: string, data: string): boolean {
  if (state.sent.has(replyId)) return false;
  if (!connection.send(data)) return false;
  state.sent.add(replyId);
  if (state.sent.size > MAX_SENT_PER_CONNECTION) {
    const oldest = state.sent.values().next();
    if (!oldest.done) state.sent.delete(oldest.value);
  }
  return true;
}
