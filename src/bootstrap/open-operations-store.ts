import type { CandorConfig } from '../config/load-config.js';
import type { Clock, IdGenerator } from '../core/ports/clock.js';
import type { ConversationStore } from '../core/ports/conversation-store.js';
import type { Logger } from '../core/ports/logger.js';
import { createPinoLogger } from '../observability/create-pino-logger.js';
import { systemClock } from '../runtime/system-clock.js';
import { timeOrderedIdGenerator } from '../runtime/time-ordered-id-generator.js';
import { createConversationStore } from '../storage/create-conversation-store.js';
import { loadConfigOrExit } from './load-config-or-exit.js';

/** What an operations command needs: the settings, a logger, the store (migrations applied), a clock and ids. */
export interface OperationsContext {
  config: CandorConfig;
  logger: Logger;
  store: ConversationStore;
  clock: Clock;
  ids: IdGenerator;
  /** Closes the store. */
  close(): Promise<void>;
}

/**
 * Opens the configured store for an operations command (report, audit:export, retention, forget)
 * without building the bot: no content, NLU, decision engine, channels or Slack. Settings are read
 * quietly (warnings only unless LOG_LEVEL is set); invalid settings print their problems and exit 1.
 */
export async function openOperationsStore(): Promise<OperationsContext> {
  const config = loadConfigOrExit({ quiet: true });
  const logger = createPinoLogger({ level: config.app.LOG_LEVEL, destination: process.stderr });
  const store = await createConversationStore(config.storage, logger);
  return { config, logger, store, clock: systemClock, ids: timeOrderedIdGenerator, close: () => store.close() };
}
