import type { ConversationLock } from './ports/conversation-lock.js';

/** Serialises work per conversation inside one process by chaining promises; the chain is dropped when idle. */
export class InProcessConversationLock implements ConversationLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  async withLock<T>(conversationId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(conversationId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(conversationId, tail);
    try {
      return await run;
    } finally {
      if (this.tails.get(conversationId) === tail) this.tails.delete(conversationId);
    }
  }
}
