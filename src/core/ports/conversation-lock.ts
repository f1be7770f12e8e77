/** Runs the turns of one conversation one at a time, in arrival order. */
export interface ConversationLock {
  withLock<T>(conversationId: string, work: () => Promise<T>): Promise<T>;
}
