import type { CustomerChannel, OutgoingReply } from '../../src/core/reply.js';

/** A CustomerChannel that records every reply, as the customer's browser would receive them. */
export class RecordingCustomerChannel implements CustomerChannel {
  readonly replies: OutgoingReply[] = [];

  async deliver(reply: OutgoingReply): Promise<void> {
    this.replies.push(structuredClone(reply));
  }

  /** Replies sent to one conversation. */
  to(conversationId: string): OutgoingReply[] {
    return this.replies.filter((reply) => reply.conversationId === conversationId);
  }
}
