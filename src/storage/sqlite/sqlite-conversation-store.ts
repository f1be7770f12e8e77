import type { ConversationStore, RetentionPass } from '../../core/ports/conversation-store.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';
import { SqliteCaseStore } from './sqlite-case-store.js';
import { SqliteConnection, type SqliteStoreOptions } from './sqlite-connection.js';
import { SqliteDeliveryStore } from './sqlite-delivery-store.js';
import { SqliteOperationsQueries } from './sqlite-operations-queries.js';
import { SqliteOutboxStore } from './sqlite-outbox-store.js';
import { SqliteRetention } from './sqlite-retention.js';
import { SqliteRowWrites } from './sqlite-row-writes.js';
import { SqliteTurnStore } from './sqlite-turn-store.js';

export { DEFAULT_SQLITE_PATH, type SqliteStoreOptions } from './sqlite-connection.js';

/**
 * The default ConversationStore: one SQLite file in WAL mode, every statement prepared once, every write
 * one transaction (turns and deliveries in a group commit). Its parts, one per port, share one connection.
 */
export class SqliteConversationStore implements ConversationStore {
  private readonly turns: SqliteTurnStore;
  private readonly cases: SqliteCaseStore;
  private readonly outbox: SqliteOutboxStore;
  private readonly deliveries: SqliteDeliveryStore;
  private readonly audit: SqliteAuditStore;
  private readonly operations: SqliteOperationsQueries;
  private readonly retention: SqliteRetention;

  private constructor(private readonly connection: SqliteConnection) {
    const writes = new SqliteRowWrites(connection);
    this.turns = new SqliteTurnStore(connection, writes);
    this.cases = new SqliteCaseStore(connection, writes);
    this.outbox = new SqliteOutboxStore(connection);
    this.deliveries = new SqliteDeliveryStore(connection);
    this.audit = new SqliteAuditStore(connection);
    this.operations = new SqliteOperationsQueries(connection);
    this.retention = new SqliteRetention(connection, writes);
  }

  /** Opens (creating if needed) the database, sets WAL and `synchronous=NORMAL`, and applies pending migrations. */
  static open(options: SqliteStoreOptions = {}): SqliteConversationStore {
    return new SqliteConversationStore(SqliteConnection.open(options));
  }

  getConversation(...args: Parameters<SqliteTurnStore['getConversation']>): ReturnType<SqliteTurnStore['getConversation']> {
    return this.turns.getConversation(...args);
  }
  hasClientMessage(...args: Parameters<SqliteTurnStore['hasClientMessage']>): ReturnType<SqliteTurnStore['hasClientMessage']> {
    return this.turns.hasClientMessage(...args);
  }
  loadTurnState(...args: Parameters<SqliteTurnStore['loadTurnState']>): ReturnType<SqliteTurnStore['loadTurnState']> {
    return this.turns.loadTurnState(...args);
  }
  saveTurn(...args: Parameters<SqliteTurnStore['saveTurn']>): ReturnType<SqliteTurnStore['saveTurn']> {
    return this.turns.saveTurn(...args);
  }
  listMessages(...args: Parameters<SqliteTurnStore['listMessages']>): ReturnType<SqliteTurnStore['listMessages']> {
    return this.turns.listMessages(...args);
  }
  getCase(...args: Parameters<SqliteCaseStore['getCase']>): ReturnType<SqliteCaseStore['getCase']> {
    return this.cases.getCase(...args);
  }
  getCaseByRef(...args: Parameters<SqliteCaseStore['getCaseByRef']>): ReturnType<SqliteCaseStore['getCaseByRef']> {
    return this.cases.getCaseByRef(...args);
  }
  listCases(...args: Parameters<SqliteCaseStore['listCases']>): ReturnType<SqliteCaseStore['listCases']> {
    return this.cases.listCases(...args);
  }
  claimCase(...args: Parameters<SqliteCaseStore['claimCase']>): ReturnType<SqliteCaseStore['claimCase']> {
    return this.cases.claimCase(...args);
  }
  updateCase(...args: Parameters<SqliteCaseStore['updateCase']>): ReturnType<SqliteCaseStore['updateCase']> {
    return this.cases.updateCase(...args);
  }
  markEventSeen(...args: Parameters<SqliteCaseStore['markEventSeen']>): ReturnType<SqliteCaseStore['markEventSeen']> {
    return this.cases.markEventSeen(...args);
  }
  claimOutbox(...args: Parameters<SqliteOutboxStore['claimOutbox']>): ReturnType<SqliteOutboxStore['claimOutbox']> {
    return this.outbox.claimOutbox(...args);
  }
  completeOutbox(...args: Parameters<SqliteOutboxStore['completeOutbox']>): ReturnType<SqliteOutboxStore['completeOutbox']> {
    return this.outbox.completeOutbox(...args);
  }
  retryOutbox(...args: Parameters<SqliteOutboxStore['retryOutbox']>): ReturnType<SqliteOutboxStore['retryOutbox']> {
    return this.outbox.retryOutbox(...args);
  }
  releaseOutbox(...args: Parameters<SqliteOutboxStore['releaseOutbox']>): ReturnType<SqliteOutboxStore['releaseOutbox']> {
    return this.outbox.releaseOutbox(...args);
  }
  deadLetterOutbox(...args: Parameters<SqliteOutboxStore['deadLetterOutbox']>): ReturnType<SqliteOutboxStore['deadLetterOutbox']> {
    return this.outbox.deadLetterOutbox(...args);
  }
  deadLetterCaseOutbox(...args: Parameters<SqliteOutboxStore['deadLetterCaseOutbox']>): ReturnType<SqliteOutboxStore['deadLetterCaseOutbox']> {
    return this.outbox.deadLetterCaseOutbox(...args);
  }
  outboxResults(...args: Parameters<SqliteOutboxStore['outboxResults']>): ReturnType<SqliteOutboxStore['outboxResults']> {
    return this.outbox.outboxResults(...args);
  }
  findCaseIdByCard(...args: Parameters<SqliteOutboxStore['findCaseIdByCard']>): ReturnType<SqliteOutboxStore['findCaseIdByCard']> {
    return this.outbox.findCaseIdByCard(...args);
  }
  outboxStats(...args: Parameters<SqliteOutboxStore['outboxStats']>): ReturnType<SqliteOutboxStore['outboxStats']> {
    return this.outbox.outboxStats(...args);
  }
  enqueueDelivery(...args: Parameters<SqliteDeliveryStore['enqueueDelivery']>): ReturnType<SqliteDeliveryStore['enqueueDelivery']> {
    return this.deliveries.enqueueDelivery(...args);
  }
  listPendingDeliveries(...args: Parameters<SqliteDeliveryStore['listPendingDeliveries']>): ReturnType<SqliteDeliveryStore['listPendingDeliveries']> {
    return this.deliveries.listPendingDeliveries(...args);
  }
  ackDelivery(...args: Parameters<SqliteDeliveryStore['ackDelivery']>): ReturnType<SqliteDeliveryStore['ackDelivery']> {
    return this.deliveries.ackDelivery(...args);
  }
  listExplanations(...args: Parameters<SqliteAuditStore['listExplanations']>): ReturnType<SqliteAuditStore['listExplanations']> {
    return this.audit.listExplanations(...args);
  }
  summarizeConversations(...args: Parameters<SqliteOperationsQueries['summarizeConversations']>): ReturnType<SqliteOperationsQueries['summarizeConversations']> {
    return this.operations.summarizeConversations(...args);
  }
  listCasesCreated(...args: Parameters<SqliteOperationsQueries['listCasesCreated']>): ReturnType<SqliteOperationsQueries['listCasesCreated']> {
    return this.operations.listCasesCreated(...args);
  }
  countCustomerIntents(...args: Parameters<SqliteOperationsQueries['countCustomerIntents']>): ReturnType<SqliteOperationsQueries['countCustomerIntents']> {
    return this.operations.countCustomerIntents(...args);
  }
  topCustomerTexts(...args: Parameters<SqliteOperationsQueries['topCustomerTexts']>): ReturnType<SqliteOperationsQueries['topCustomerTexts']> {
    return this.operations.topCustomerTexts(...args);
  }
  runRetentionPass<T>(pass: RetentionPass<T>): Promise<T> {
    return this.retention.runRetentionPass(pass);
  }

  async ping(): Promise<void> {
    this.connection.read(() => this.connection.db.prepare('SELECT 1').get());
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}
