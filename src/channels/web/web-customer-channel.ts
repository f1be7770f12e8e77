import { CandorError } from '../../core/candor-error.js';
import { InProcessConversationLock } from '../../core/in-process-conversation-lock.js';
import type { ConversationStore } from '../../core/ports/conversation-store.js';
import type { Logger } from '../../core/ports/logger.js';
import type { CustomerChannel, OutgoingReply } from '../../core/reply.js';
import { replyFrameSchema, toReplyFrame } from './chat-frames.js';

/** The part of the conversation store the web channel uses: replies kept until acknowledged. */
export type DeliveryStore = Pick<ConversationStore, 'enqueueDelivery' | 'listPendingDeliveries' | 'ackDelivery'>;

/** One open socket of a conversation, as the delivery side sees it. */
export interface ChatConnection {
  readonly conversationId: string;
  /** Sends one serialised frame; returns false when the socket is no longer open. */
  send(data: string): boolean;
}

interface ConnectionState {
  /** False until the replies kept while offline have been sent, so live replies cannot overtake them. */
  ready: boolean;
  /** Reply ids sent on this socket and not yet acknowledged: each reply goes once per socket. */
  sent: Set<string>;
}

/** Unacknowledged ids remembered per socket; a client that never acks cannot grow memory without bound. */
const MAX_UNACKED_PER_CONNECTION = 512;

/**
 * Delivers replies to every open socket of a conversation and keeps each in the store until a
 * socket acknowledges it, so replies to an offline customer arrive in order, once, on reconnect.
 */
export class WebCustomerChannel implements CustomerChannel {
  private readonly connections = new Map<string, Map<ChatConnection, ConnectionState>>();
  // Deliveries and reconnect flushes of one conversation run one at a time, in order.
  private readonly order = new InProcessConversationLock();
  private readonly store: DeliveryStore;
  private readonly logger: Logger;

  constructor(deps: { store: DeliveryStore; logger: Logger }) {
    this.store = deps.store;
    this.logger = deps.logger;
  }

  /** Keeps the reply until acknowledged and sends it to every open socket of its conversation. */
  async deliver(reply: OutgoingReply): Promise<void> {
    const frame = toReplyFrame(reply);
    await this.order.withLock(reply.conversationId, async () => {
      let isKept = true;
      try {
        await this.store.enqueueDelivery({ id: reply.id, recipient: reply.conversationId, payload: frame, createdAt: reply.createdAt });
      } catch (error) {
        isKept = false;
        this.logger.error({ conversationId: reply.conversationId, replyId: reply.id, err: error }, 'web reply could not be kept for redelivery');
      }
      const reached = this.sendToReady(reply.conversationId, frame.id, JSON.stringify(frame));
      if (!isKept && reached === 0) {
        throw new CandorError('storage_unavailable', `reply ${reply.id} could neither be kept nor sent`);
      }
    });
  }

  /** Registers a socket, then sends it the replies kept while the conversation had no acknowledging socket. */
  async attach(connection: ChatConnection): Promise<void> {
    let sockets = this.connections.get(connection.conversationId);
    if (!sockets) {
      sockets = new Map();
      this.connections.set(connection.conversationId, sockets);
    }
    const state: ConnectionState = { ready: false, sent: new Set() };
    sockets.set(connection, state);
    await this.order.withLock(connection.conversationId, async () => {
      try {
        const pending = await this.store.listPendingDeliveries(connection.conversationId);
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

  /** Forgets a closed socket; the conversation's other sockets are untouched. */
  detach(connection: ChatConnection): void {
    const sockets = this.connections.get(connection.conversationId);
    if (!sockets) return;
    sockets.delete(connection);
    if (sockets.size === 0) this.connections.delete(connection.conversationId);
  }

  /** Records that a socket received a reply, so it is not sent again on a later reconnect. */
  async acknowledge(connection: ChatConnection, replyId: string): Promise<void> {
    this.connections.get(connection.conversationId)?.get(connection)?.sent.delete(replyId);
    await this.store.ackDelivery(connection.conversationId, replyId);
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
  if (state.sent.size > MAX_UNACKED_PER_CONNECTION) {
    const oldest = state.sent.values().next();
    if (!oldest.done) state.sent.delete(oldest.value);
  }
  return true;
}
