import pg from 'pg';
import type { ConversationStore, RetentionPass } from '../../core/ports/conversation-store.js';
import type { Logger } from '../../core/ports/logger.js';
import { migratePostgres, quoteIdentifier } from './migrations.js';
import { PostgresAuditStore } from './postgres-audit-store.js';
import { PostgresCaseStore } from './postgres-case-store.js';
import { PostgresConnection } from './postgres-connection.js';
import { PostgresDeliveryStore } from './postgres-delivery-store.js';
import { PostgresOperationsQueries } from './postgres-operations-queries.js';
import { PostgresOutboxStore } from './postgres-outbox-store.js';
import { PostgresRetention } from './postgres-retention.js';
import { PostgresTurnStore } from './postgres-turn-store.js';

/** How to reach Postgres and where Candor's tables live. */
export interface PostgresStoreOptions {
  /** `postgres://user@host:5432/db`. */
  connectionString: string;
  /** The schema (search_path) holding Candor's tables; created if missing. Defaults to `public`. */
  schema?: string;
  /** Most connections this instance opens; defaults to 10. */
  poolMax?: number;
  /** How long to wait for a connection before failing as `storage_unavailable`; defaults to 5 s. */
  connectTimeoutMs?: number;
  /** Where pool errors (a dropped idle connection) are reported; they carry no customer data. */
  logger?: Logger;
}

/**
 * The ConversationStore for several instances: one pg Pool shared by its parts (the turn write, cases,
 * the outbox leased with `FOR UPDATE SKIP LOCKED`, deliveries, audit, operations queries, retention).
 */
export class PostgresConversationStore implements ConversationStore {
  private readonly turns: PostgresTurnStore;
  private readonly cases: PostgresCaseStore;
  private readonly outbox: PostgresOutboxStore;
  private readonly deliveries: PostgresDeliveryStore;
  private readonly audit: PostgresAuditStore;
  private readonly operations: PostgresOperationsQueries;
  private readonly retention: PostgresRetention;

  getConversation(...args: Parameters<PostgresTurnStore['getConversation']>): ReturnType<PostgresTurnStore['getConversation']> {
    return this.turns.getConversation(...args);
  }
  hasClientMessage(...args: Parameters<PostgresTurnStore['hasClientMessage']>): ReturnType<PostgresTurnStore['hasClientMessage']> {
    return this.turns.hasClientMessage(...args);
  }
  loadTurnState(...args: Parameters<PostgresTurnStore['loadTurnState']>): ReturnType<PostgresTurnStore['loadTurnState']> {
    return this.turns.loadTurnState(...args);
  }
  saveTurn(...args: Parameters<PostgresTurnStore['saveTurn']>): ReturnType<PostgresTurnStore['saveTurn']> {
    return this.turns.saveTurn(...args);
  }
  listMessages(...args: Parameters<PostgresTurnStore['listMessages']>): ReturnType<PostgresTurnStore['listMessages']> {
    return this.turns.listMessages(...args);
  }
  getCase(...args: Parameters<PostgresCaseStore['getCase']>): ReturnType<PostgresCaseStore['getCase']> {
    return this.cases.getCase(...args);
  }
  getCaseByRef(...args: Parameters<PostgresCaseStore['getCaseByRef']>): ReturnType<PostgresCaseStore['getCaseByRef']> {
    return this.cases.getCaseByRef(...args);
  }
  listCases(...args: Parameters<PostgresCaseStore['listCases']>): ReturnType<PostgresCaseStore['listCases']> {
    return this.cases.listCases(...args);
  }
  claimCase(...args: Parameters<PostgresCaseStore['claimCase']>): ReturnType<PostgresCaseStore['claimCase']> {
    return this.cases.claimCase(...args);
  }
  updateCase(...args: Parameters<PostgresCaseStore['updateCase']>): ReturnType<PostgresCaseStore['updateCase']> {
    return this.cases.updateCase(...args);
  }
  markEventSeen(...args: Parameters<PostgresCaseStore['markEventSeen']>): ReturnType<PostgresCaseStore['markEventSeen']> {
    return this.cases.markEventSeen(...args);
  }
  claimOutbox(...args: Parameters<PostgresOutboxStore['claimOutbox']>): ReturnType<PostgresOutboxStore['claimOutbox']> {
    return this.outbox.claimOutbox(...args);
  }
  completeOutbox(...args: Parameters<PostgresOutboxStore['completeOutbox']>): ReturnType<PostgresOutboxStore['completeOutbox']> {
    return this.outbox.completeOutbox(...args);
  }
  retryOutbox(...args: Parameters<PostgresOutboxStore['retryOutbox']>): ReturnType<PostgresOutboxStore['retryOutbox']> {
    return this.outbox.retryOutbox(...args);
  }
  releaseOutbox(...args: Parameters<PostgresOutboxStore['releaseOutbox']>): ReturnType<PostgresOutboxStore['releaseOutbox']> {
    return this.outbox.releaseOutbox(...args);
  }
  deadLetterOutbox(...args: Parameters<PostgresOutboxStore['deadLetterOutbox']>): ReturnType<PostgresOutboxStore['deadLetterOutbox']> {
    return this.outbox.deadLetterOutbox(...args);
  }
  deadLetterCaseOutbox(...args: Parameters<PostgresOutboxStore['deadLetterCaseOutbox']>): ReturnType<PostgresOutboxStore['deadLetterCaseOutbox']> {
    return this.outbox.deadLetterCaseOutbox(...args);
  }
  outboxResults(...args: Parameters<PostgresOutboxStore['outboxResults']>): ReturnType<PostgresOutboxStore['outboxResults']> {
    return this.outbox.outboxResults(...args);
  }
  findCaseIdByCard(...args: Parameters<PostgresOutboxStore['findCaseIdByCard']>): ReturnType<PostgresOutboxStore['findCaseIdByCard']> {
    return this.outbox.findCaseIdByCard(...args);
  }
  outboxStats(...args: Parameters<PostgresOutboxStore['outboxStats']>): ReturnType<PostgresOutboxStore['outboxStats']> {
    return this.outbox.outboxStats(...args);
  }
  enqueueDelivery(...args: Parameters<PostgresDeliveryStore['enqueueDelivery']>): ReturnType<PostgresDeliveryStore['enqueueDelivery']> {
    return this.deliveries.enqueueDelivery(...args);
  }
  listPendingDeliveries(...args: Parameters<PostgresDeliveryStore['listPendingDeliveries']>): ReturnType<PostgresDeliveryStore['listPendingDeliveries']> {
    return this.deliveries.listPendingDeliveries(...args);
  }
  ackDelivery(...args: Parameters<PostgresDeliveryStore['ackDelivery']>): ReturnType<PostgresDeliveryStore['ackDelivery']> {
    return this.deliveries.ackDelivery(...args);
  }
  listExplanations(...args: Parameters<PostgresAuditStore['listExplanations']>): ReturnType<PostgresAuditStore['listExplanations']> {
    return this.audit.listExplanations(...args);
  }
  summarizeConversations(...args: Parameters<PostgresOperationsQueries['summarizeConversations']>): ReturnType<PostgresOperationsQueries['summarizeConversations']> {
    return this.operations.summarizeConversations(...args);
  }
  listCasesCreated(...args: Parameters<PostgresOperationsQueries['listCasesCreated']>): ReturnType<PostgresOperationsQueries['listCasesCreated']> {
    return this.operations.listCasesCreated(...args);
  }
  countCustomerIntents(...args: Parameters<PostgresOperationsQueries['countCustomerIntents']>): ReturnType<PostgresOperationsQueries['countCustomerIntents']> {
    return this.operations.countCustomerIntents(...args);
  }
  topCustomerTexts(...args: Parameters<PostgresOperationsQueries['topCustomerTexts']>): ReturnType<PostgresOperationsQueries['topCustomerTexts']> {
    return this.operations.topCustomerTexts(...args);
  }
  runRetentionPass<T>(pass: RetentionPass<T>): Promise<T> {
    return this.retention.runRetentionPass(pass);
  }

  private constructor(private readonly connection: PostgresConnection) {
    this.turns = new PostgresTurnStore(connection);
    this.cases = new PostgresCaseStore(connection);
    this.outbox = new PostgresOutboxStore(connection);
    this.deliveries = new PostgresDeliveryStore(connection);
    this.audit = new PostgresAuditStore(connection);
    this.operations = new PostgresOperationsQueries(connection);
    this.retention = new PostgresRetention(connection);
  }

  /** Connects, applies pending migrations under an advisory lock, and returns a ready store. */
  static async open(options: PostgresStoreOptions): Promise<PostgresConversationStore> {
    const schema = options.schema ?? 'public';
    quoteIdentifier(schema);
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      application_name: 'candor',
      // Set at connection start, so every pooled connection sees only this schema's tables. Each
      // execution is planned for the tables as they are: a generic plan made while they were small (a new
      // deployment, the benchmark's fresh database) scanned whole tables for every batch, and for every
      // foreign-key check, until the next ANALYZE (Postgres CPU per reply 578 µs with it, 322 without).
      options: `-c search_path=${schema} -c plan_cache_mode=force_custom_plan`,
    });
    pool.on('error', (error: Error & { code?: string }) => {
      options.logger?.warn({ code: error.code ?? null }, 'postgres pool: idle connection failed');
    });
    const store = new PostgresConversationStore(new PostgresConnection(pool));
    try {
      await store.connection.withClient((client) => migratePostgres(client, schema));
      return store;
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  async ping(): Promise<void> {
    await this.connection.query('candor_ping', 'SELECT 1', []);
  }

  async close(): Promise<void> {
    // Turns, keeps and acknowledgements queued for a group commit are written (or fail) before the pool ends.
    await Promise.all([this.turns.drain(), this.deliveries.drain()]);
    await this.connection.close();
  }
}
