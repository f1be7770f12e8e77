import type { StorageConfig } from '../config/storage-config.js';
import { InProcessConversationLock } from '../core/in-process-conversation-lock.js';
import type { ConversationLock } from '../core/ports/conversation-lock.js';
import type { Logger } from '../core/ports/logger.js';
import { PostgresConversationLock } from './postgres/postgres-conversation-lock.js';

/** A conversation lock that can be shut down with the rest of the app. */
export interface ClosableConversationLock extends ConversationLock {
  close(): Promise<void>;
}

/**
 * Picks the lock that matches the store: with Postgres several instances may serve one conversation,
 * so they lock in the database; with SQLite there is one process, so an in-process lock suffices.
 */
export function createConversationLock(config: StorageConfig, logger?: Logger): ClosableConversationLock {
  if (config.DATABASE_URL !== undefined) {
    return new PostgresConversationLock({
      connectionString: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      waitMs: config.CONVERSATION_LOCK_TIMEOUT_MS,
      ...(logger ? { logger } : {}),
    });
  }
  const lock = new InProcessConversationLock();
  return {
    withLock: (conversationId, work) => lock.withLock(conversationId, work),
    close: async () => undefined,
  };
}
