import type { StoredMessage } from '../../src/core/conversation.js';
import type { PendingDelivery } from '../../src/core/ports/conversation-store.js';
import type { WebChannelStore } from '../../src/channels/web/web-customer-channel.js';

/** The offline-delivery and transcript part of the ConversationStore, in memory, for web channel tests. */
export class WebMemoryStore implements WebChannelStore {
  private readonly pending = new Map<string, PendingDelivery[]>();
  private readonly messages: StoredMessage[] = [];
  /** When set, `listMessages` throws it (a database outage). */
  failHistory: Error | null = null;
  /** Every acknowledgement received, in order, for assertions. */
  readonly acks: Array<{ recipient: string; id: string }> = [];

  async enqueueDelivery(delivery: PendingDelivery): Promise<void> {
    const list = this.pending.get(delivery.recipient) ?? [];
    if (!list.some((kept) => kept.id === delivery.id)) list.push(structuredClone(delivery));
    this.pending.set(delivery.recipient, list);
  }

  async listPendingDeliveries(recipient: string): Promise<PendingDelivery[]> {
    return (this.pending.get(recipient) ?? []).map((delivery) => structuredClone(delivery));
  }

  async ackDelivery(recipient: string, id: string): Promise<void> {
    this.acks.push({ recipient, id });
    const list = this.pending.get(recipient);
    if (!list) return;
    const remaining = list.filter((delivery) => delivery.id !== id);
    if (remaining.length === 0) this.pending.delete(recipient);
    else this.pending.set(recipient, remaining);
  }

  async listMessages(conversationId: string, limit?: number): Promise<StoredMessage[]> {
    if (this.failHistory !== null) throw this.failHistory;
    const mine = this.messages.filter((message) => message.conversationId === conversationId);
    return structuredClone(limit === undefined ? mine : mine.slice(-limit));
  }

  /** Stores transcript messages, as a turn or a case action would. */
  addMessages(...messages: StoredMessage[]): void {
    this.messages.push(...structuredClone(messages));
  }

  /** Ids still kept for a recipient, oldest first. */
  pendingIds(recipient: string): string[] {
    return (this.pending.get(recipient) ?? []).map((delivery) => delivery.id);
  }
}
