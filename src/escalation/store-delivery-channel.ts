import type { DeliveryStore } from '../core/ports/delivery-store.js';
import type { CustomerChannel, OutgoingReply } from '../core/reply.js';

/** A CustomerChannel for processes that do not hold the customer's socket (the agent console): replies wait in the store, keyed by conversation id, until the web channel or chat CLI sends them. */
export class StoreDeliveryChannel implements CustomerChannel {
  constructor(private readonly store: DeliveryStore) {}

  async deliver(reply: OutgoingReply): Promise<void> {
    await this.store.enqueueDelivery({
      id: reply.id,
      recipient: reply.conversationId,
      payload: { ...reply },
      createdAt: reply.createdAt,
    });
  }
}
