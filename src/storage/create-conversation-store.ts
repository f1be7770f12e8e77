import type { StorageConfig } from '../config/storage-config.js';
import type { ConversationStore } from '../core/ports/conversation-store.js';
import type { Logger } from '../core/ports/logger.js';
import { PostgresConversationStore } from './postgres/postgres-conversation-store.js';
import { SqliteConversationStore } from './sqlite/sqlite-conversation-store.js';

/** Opens the configured store: Postgres when `DATABASE_URL` is set, else the SQLite file at `SQLITE_PATH`; migrations applied. */
export async function createConversationStore(config: StorageConfig, logger?: Logger): Promise<ConversationStore> {
  if (config.DATABASE_URL !== undefined) {
    return PostgresConversationStore.open({
      connectionString: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      poolMax: config.DATABASE_POOL_MAX,
      ...(logger ? { logger } : {}),
    });
  }
  return SqliteConversationStore.open({ path: config.SQLITE_PATH, ...(logger ? { logger } : {}) });
}
