import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { CandorError } from '../../core/candor-error.js';
import type { Conversation, StoredMessage } from '../../core/conversation.js';
import type { CaseStatus, EscalationCase, ExplanationRecord } from '../../core/escalation-case.js';
import type { NewOutboxItem, OutboxItem } from '../../core/outbox.js';
import type { Logger } from '../../core/ports/logger.js';
import type {
  AuditPurgeResult,
  ClaimResult,
  ConversationStore,
  ConversationSummary,
  CountedValue,
  CustomerErasureResult,
  ExplanationQuery,
  PendingDelivery,
  TimeRange,
  TranscriptPurgeResult,
  TurnState,
  SaveTurnOutcome,
  TurnWrite,
} from '../../core/ports/conversation-store.js';
import {
  ACKED_DELIVERY_KEEP_MS,
  ANONYMIZED_CONVERSATION_PREFIX,
  caseFromRow,
  conversationFromRow,
  conversationSummaryFromRow,
  countedValueFromRow,
  deliveryFromRow,
  explanationFromRow,
  messageFromRow,
  outboxItemFromRow,
  outboxResultFromColumn,
  toIsoInstant,
  truncateError,
} from '../stored-rows.js';
import { migrateSqlite } from './migrations.js';
import { startSqliteWalCheckpointer, type SqliteWalCheckpointer } from './sqlite-wal-checkpointer.js';

/** Where the SQLite store keeps its data. */
export interface SqliteStoreOptions {
  /** A file path (its folder is created) or `:memory:`; defaults to `data/candor.sqlite`. */
  path?: string;
  /** How long a write waits for another connection's lock before failing. */
  busyTimeoutMs?: number;
  /**
   * Checkpoint the WAL from a worker thread (default) instead of on the event loop after a commit;
   * ignored for `:memory:` and `file:` URIs, which keep SQLite's automatic checkpoints.
   */
  checkpointInWorker?: boolean;
  /** How often the worker checkpoints, in ms. */
  checkpointIntervalMs?: number;
  /** WAL length (in pages) from which the worker also starts the WAL over; see DEFAULT_WAL_RESTART_PAGES. */
  walRestartPages?: number;
  /** Told when the checkpoint worker fails (automatic checkpoints are then back on). */
  logger?: Logger;
}

/** The default SQLite file, relative to the working directory. */
export const DEFAULT_SQLITE_PATH = 'data/candor.sqlite';

/** How long a write waits for another connection's write lock by default, in ms. */
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** How soon queued writes try again when another connection holds the write lock, in ms. */
const LOCK_RETRY_MS = 2;

/** The WAL file is cut back to this size when the WAL starts over, and kept (reused) below it. */
const WAL_FILE_LIMIT_BYTES = 512 * 1024 * 1024;

/** SQLite's page cache per connection, in KiB (it only grows as pages are used). */
const PAGE_CACHE_KIB = 32 * 1024;

type Row = Record<string, unknown>;

/** Acknowledged deliveries older than the keep time are forgotten at most this often per recipient. */
const FORGET_ACKED_EVERY_MS = 60_000;
/** Recipients whose last forgetting time is remembered; the map starts over beyond this. */
const MAX_FORGET_TIMES = 50_000;

/** A hot-path write waiting for the next group commit, with the promise its caller awaits. */
interface QueuedWrite {
  work: () => void;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** Runs once the write is committed (not if it fails or is rolled back). */
  onCommitted: (() => void) | undefined;
}

/** Conversations remembered for the read that starts a turn; the memo starts over beyond this. */
const MAX_KNOWN_CONVERSATIONS = 20_000;

/**
 * A group commit starts as soon as this many writes are queued, without waiting for the end of the poll
 * phase: under load one phase reads a frame from every busy socket, and otherwise every reply would wait
 * for all of that phase's turns; committing in slices lets the first replies leave while later frames
 * are still being read.
 */
const EARLY_COMMIT_WRITES = 128;

/** The default ConversationStore: one SQLite file in WAL mode, every statement prepared once, every write one transaction. */
export class SqliteConversationStore implements ConversationStore {
  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof prepareStatements>;
  /** Writes of turns and deliveries queued for the next group commit (see {@link writeInGroup}). */
  private queued: QueuedWrite[] = [];
  private isCommitScheduled = false;
  /** When each recipient's long-acknowledged deliveries were last forgotten (epoch ms). */
  private readonly forgottenAt = new Map<string, number>();
  private checkpointer: SqliteWalCheckpointer | null = null;
  private lastInstant: [string, string] = ['', ''];
  /**
   * Conversations exactly as this connection last committed or read them, so the read that starts a
   * turn is one index probe (the resend check) instead of a row read and parse. Any commit by another
   * connection (another process, an operations command) changes `data_version` and empties it; writes
   * here other than turns and case updates empty it too.
   */
  private readonly knownConversations = new Map<string, Conversation>();
  private knownDataVersion = -1;
  /** True while `data_version` has been read in this turn of the event loop. */
  private isDataVersionChecked = false;
  /** How long a write may wait for another connection's write lock (the `busy_timeout`). */
  private busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS;
  /** When the queued writes first found the write lock taken (ms), or null while it is free. */
  private lockWaitSince: number | null = null;
  private isLockRetryScheduled = false;
  /** Runs a batch of queued writes in one transaction, telling the caller when a write (not the commit) failed. */
  private readonly runBatch: Database.Transaction<(batch: QueuedWrite[], onWriteFailed: () => void) => void>;

  private constructor(db: Database.Database) {
    this.db = db;
    this.sql = prepareStatements(db);
    this.runBatch = db.transaction((batch: QueuedWrite[], onWriteFailed: () => void) => {
      for (const item of batch) {
        try {
          item.work();
        } catch (error) {
          onWriteFailed();
          throw error;
        }
      }
    });
  }

  /** Opens (creating if needed) the database, sets WAL and `synchronous=NORMAL`, and applies pending migrations. */
  static open(options: SqliteStoreOptions = {}): SqliteConversationStore {
    const path = options.path ?? DEFAULT_SQLITE_PATH;
    try {
      if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
      const db = new Database(path);
      try {
        const busyTimeoutMs = Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
        db.pragma(`busy_timeout = ${busyTimeoutMs}`);
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('foreign_keys = ON');
        // A turn touches index pages all over the hot tables; a page cache larger than SQLite's 2 MiB
        // default keeps them in memory instead of re-reading them from the OS on the next commit.
        db.pragma(`cache_size = ${-PAGE_CACHE_KIB}`);
        migrateSqlite(db);
        const store = new SqliteConversationStore(db);
        store.busyTimeoutMs = busyTimeoutMs;
        if ((options.checkpointInWorker ?? true) && path !== ':memory:' && path !== '' && !path.startsWith('file:')) {
          store.checkpointFromWorker(path, options);
        }
        return store;
      } catch (error) {
        db.close();
        throw error;
      }
    } catch (error) {
      if (error instanceof CandorError) throw error;
      throw new CandorError('storage_unavailable', `could not open the SQLite store at ${path}`, { cause: error });
    }
  }

  async getConversation(id: string): Promise<Conversation | null> {
    return this.read(() => {
      const row = this.sql.getConversation.get(id) as Row | undefined;
      return row ? conversationFromRow(row) : null;
    });
  }

  async hasClientMessage(conversationId: string, clientMessageId: string): Promise<boolean> {
    return this.read(() => this.sql.hasClientMessage.get(conversationId, clientMessageId) !== undefined);
  }

  async loadTurnState(conversationId: string, clientMessageId: string | null): Promise<TurnState> {
    return this.read(() => {
      this.forgetConversationsIfChangedElsewhere();
      // A conversation this store knows needs no read at all: saveTurn finds a resend inside its write
      // transaction. As a read of its own, that check was a tenth of the server's CPU under load.
      const known = this.knownConversations.get(conversationId);
      if (known !== undefined) return { conversation: { ...known }, hasClientMessage: false };
      const row = this.sql.loadTurnState.get({ clientMessageId, conversationId }) as (Row & { has_client_message: number }) | undefined;
      // No conversation means no message of it either (messages reference their conversation).
      if (!row) return { conversation: null, hasClientMessage: false };
      const conversation = conversationFromRow(row);
      this.rememberConversation(conversation);
      return { conversation: { ...conversation }, hasClientMessage: row.has_client_message === 1 };
    });
  }

  async saveTurn(write: TurnWrite): Promise<SaveTurnOutcome> {
    let stored: Conversation | null = null;
    let outcome: SaveTurnOutcome = 'stored';
    await this.writeInGroup(
      () => {
        // Inside the write transaction the resend check is one more probe of the index page the
        // message's insert reads anyway; before the turn (loadTurnState) it was a read of its own.
        stored = null;
        outcome = write.messages.some((message) => this.isStoredClientMessage(message)) ? 'duplicate' : 'stored';
        if (outcome === 'duplicate') return;
        stored = this.upsertConversation(write.conversation);
        for (const message of write.messages) this.insertMessage(message);
        for (const explanation of write.explanations) this.insertExplanation(explanation);
        if (write.openedCase) this.sql.insertCase.run(caseParams(write.openedCase));
        for (const item of write.outbox) this.insertOutbox(item);
      },
      () => {
        if (stored) this.rememberConversation(stored);
      },
    );
    return outcome;
  }

  private isStoredClientMessage(message: StoredMessage): boolean {
    return message.clientMessageId !== null && this.sql.hasClientMessage.get(message.conversationId, message.clientMessageId) !== undefined;
  }

  async listMessages(conversationId: string, limit?: number): Promise<StoredMessage[]> {
    const cap = limit === undefined ? -1 : checkLimit(limit);
    return this.read(() => (this.sql.listMessages.all(conversationId, cap) as Row[]).map(messageFromRow));
  }

  async getCase(id: string): Promise<EscalationCase | null> {
    return this.read(() => this.findCase(id));
  }

  async getCaseByRef(ref: string): Promise<EscalationCase | null> {
    return this.read(() => {
      const row = this.sql.getCaseByRef.get(ref) as Row | undefined;
      return row ? caseFromRow(row) : null;
    });
  }

  async listCases(statuses: CaseStatus[]): Promise<EscalationCase[]> {
    if (statuses.length === 0) return [];
    return this.read(() => (this.sql.listCases.all(JSON.stringify(statuses)) as Row[]).map(caseFromRow));
  }

  async claimCase(caseId: string, agent: { id: string; name: string }, at: string): Promise<ClaimResult> {
    return this.write((): ClaimResult => {
      // The status test inside the UPDATE is what makes the claim atomic: a second claim matches no row.
      const claimed = this.sql.claimCase.get({ id: caseId, agentId: agent.id, agentName: agent.name, at: toIsoInstant(at) }) as
        | Row
        | undefined;
      if (claimed) return { status: 'claimed', case: caseFromRow(claimed) };
      const current = this.findCase(caseId);
      if (!current) return { status: 'not_found' };
      return current.status === 'claimed' ? { status: 'already_claimed', case: current } : { status: 'not_open', case: current };
    });
  }

  async updateCase(update: {
    case: EscalationCase;
    conversation?: Conversation;
    messages?: StoredMessage[];
    outbox?: NewOutboxItem[];
  }): Promise<void> {
    const stored = this.write(() => {
      const conversation = update.conversation ? this.upsertConversation(update.conversation) : null;
      const changed = this.sql.updateCase.run(caseParams(update.case)).changes;
      if (changed === 0) throw new CandorError('case_not_found', `no case ${update.case.id} to update`);
      for (const message of update.messages ?? []) this.insertMessage(message);
      for (const item of update.outbox ?? []) this.insertOutbox(item);
      return conversation;
    });
    if (stored) this.rememberConversation(stored);
  }

  async listExplanations(query: ExplanationQuery): Promise<ExplanationRecord[]> {
    const params = {
      customerId: query.customerId ?? null,
      from: query.from === undefined ? null : toIsoInstant(query.from),
      to: query.to === undefined ? null : toIsoInstant(query.to),
    };
    return this.read(() => (this.sql.listExplanations.all(params) as Row[]).map(explanationFromRow));
  }

  async claimOutbox(limit: number, now: string, leaseMs: number): Promise<OutboxItem[]> {
    const cap = checkLimit(limit);
    if (cap === 0) return [];
    const at = toIsoInstant(now);
    const leaseUntil = new Date(Date.parse(at) + Math.max(0, leaseMs)).toISOString();
    return this.write(() =>
      (this.sql.claimOutbox.all({ now: at, limit: cap, leaseUntil }) as Row[]).map(outboxItemFromRow).sort((a, b) => a.seq - b.seq),
    );
  }

  async completeOutbox(id: string, result: Record<string, unknown>): Promise<void> {
    this.write(() => this.sql.completeOutbox.run(JSON.stringify(result), id));
  }

  async retryOutbox(id: string, nextAttemptAt: string, error: string, options: { countsAsAttempt?: boolean } = {}): Promise<void> {
    const refund = options.countsAsAttempt === false ? 1 : 0;
    this.write(() => this.sql.retryOutbox.run(toIsoInstant(nextAttemptAt), truncateError(error), refund, id));
  }

  async releaseOutbox(now: string): Promise<number> {
    return this.write(() => this.sql.releaseOutbox.run(toIsoInstant(now), toIsoInstant(now)).changes);
  }

  async deadLetterOutbox(id: string, error: string): Promise<void> {
    this.write(() => this.sql.deadLetterOutbox.run(truncateError(error), id));
  }

  async deadLetterCaseOutbox(caseId: string, error: string): Promise<number> {
    return this.write(() => this.sql.deadLetterCaseOutbox.run(truncateError(error), caseId).changes);
  }

  async outboxResults(caseId: string, topic: NewOutboxItem['topic']): Promise<Record<string, unknown>[]> {
    return this.read(() => (this.sql.outboxResults.all(caseId, topic) as unknown[]).map(outboxResultFromColumn));
  }

  async outboxStats(now: string): Promise<{ pending: number; dead: number; oldestPendingAgeMs: number | null }> {
    const at = Date.parse(toIsoInstant(now));
    return this.read(() => {
      const row = this.sql.outboxStats.get() as { pending: number | null; dead: number | null; oldest: string | null };
      return {
        pending: row.pending ?? 0,
        dead: row.dead ?? 0,
        oldestPendingAgeMs: row.oldest === null ? null : Math.max(0, at - Date.parse(row.oldest)),
      };
    });
  }

  async markEventSeen(eventId: string, at: string): Promise<boolean> {
    return this.write(() => this.sql.markEventSeen.run(eventId, toIsoInstant(at)).changes === 1);
  }

  async enqueueDelivery(delivery: PendingDelivery): Promise<void> {
    return this.writeInGroup(() =>
      this.sql.enqueueDelivery.run(delivery.recipient, delivery.id, delivery.payloadJson ?? JSON.stringify(delivery.payload), this.instant(delivery.createdAt)),
    );
  }

  async listPendingDeliveries(recipient: string, options: { includeAckedSince?: string } = {}): Promise<PendingDelivery[]> {
    const since = options.includeAckedSince === undefined ? null : toIsoInstant(options.includeAckedSince);
    return this.read(() => (this.sql.listDeliveries.all(recipient, since, since) as Row[]).map(deliveryFromRow));
  }

  async ackDelivery(recipient: string, id: string): Promise<void> {
    const now = Date.now();
    return this.writeInGroup(() => {
      this.sql.ackDelivery.run(new Date(now).toISOString(), recipient, id);
      // Forgetting scans the recipient's rows, so it runs once a minute per recipient, not on every ack.
      if (now - (this.forgottenAt.get(recipient) ?? 0) < FORGET_ACKED_EVERY_MS) return;
      if (this.forgottenAt.size >= MAX_FORGET_TIMES) this.forgottenAt.clear();
      this.forgottenAt.set(recipient, now);
      this.sql.forgetAckedDeliveries.run(recipient, new Date(now - ACKED_DELIVERY_KEEP_MS).toISOString());
    });
  }

  async ping(): Promise<void> {
    this.read(() => this.db.prepare('SELECT 1').get());
  }

  async summarizeConversations(range: TimeRange): Promise<ConversationSummary[]> {
    const params = rangeParams(range);
    return this.read(() => (this.sql.summarizeConversations.all(params) as Row[]).map(conversationSummaryFromRow));
  }

  async listCasesCreated(range: TimeRange): Promise<EscalationCase[]> {
    const params = rangeParams(range);
    return this.read(() => (this.sql.listCasesCreated.all(params) as Row[]).map(caseFromRow));
  }

  async countCustomerIntents(range: TimeRange): Promise<CountedValue[]> {
    const params = rangeParams(range);
    return this.read(() => (this.sql.countCustomerIntents.all(params) as Row[]).map(countedValueFromRow));
  }

  async topCustomerTexts(range: TimeRange, intent: string, limit: number): Promise<CountedValue[]> {
    const params = { ...rangeParams(range), intent, limit: checkLimit(limit) };
    return this.read(() => (this.sql.topCustomerTexts.all(params) as Row[]).map(countedValueFromRow));
  }

  async purgeTranscripts(input: { before: string; now: string; newId: () => string }): Promise<TranscriptPurgeResult> {
    const before = toIsoInstant(input.before);
    const now = toIsoInstant(input.now);
    return this.writeRewritingConversations((): TranscriptPurgeResult => {
      const messagesDeleted = this.db.prepare('DELETE FROM messages WHERE created_at < ?').run(before).changes;
      const inactive = this.db
        .prepare('SELECT id FROM conversations WHERE updated_at < ? AND anonymized_at IS NULL ORDER BY id')
        .pluck()
        .all(before) as string[];
      const scrubbed = this.anonymize(inactive, { now, erase: false, newId: input.newId });
      const deliveriesDeleted = this.db.prepare('DELETE FROM pending_deliveries WHERE created_at < ?').run(before).changes;
      const eventsDeleted = this.db.prepare('DELETE FROM seen_events WHERE seen_at < ?').run(before).changes;
      return {
        messagesDeleted: messagesDeleted + scrubbed.messagesDeleted,
        conversationsAnonymized: scrubbed.conversationsAnonymized,
        casesScrubbed: scrubbed.casesScrubbed,
        casesClosed: scrubbed.casesClosed,
        threadDeletionsQueued: scrubbed.threadDeletionsQueued,
        deliveriesDeleted: deliveriesDeleted + scrubbed.deliveriesDeleted,
        eventsDeleted,
      };
    });
  }

  async purgeAuditRecords(input: { before: string }): Promise<AuditPurgeResult> {
    const before = toIsoInstant(input.before);
    return this.writeRewritingConversations((): AuditPurgeResult => {
      const explanationsDeleted = this.db.prepare('DELETE FROM explanations WHERE created_at < ?').run(before).changes;
      const shells = this.db
        .prepare(
          `SELECT c.id FROM conversations c
           WHERE c.anonymized_at IS NOT NULL AND (c.erase_requested_at IS NOT NULL OR c.updated_at < ?) ORDER BY c.id`,
        )
        .pluck()
        .all(before) as string[];
      return { explanationsDeleted, ...this.deleteShells(shells) };
    });
  }

  async eraseCustomer(input: { customerId: string; now: string; auditBefore: string; newId: () => string }): Promise<CustomerErasureResult> {
    const now = toIsoInstant(input.now);
    const auditBefore = toIsoInstant(input.auditBefore);
    return this.writeRewritingConversations((): CustomerErasureResult => {
      const explanationsDeleted = this.db
        .prepare('DELETE FROM explanations WHERE customer_id = ? AND created_at < ?')
        .run(input.customerId, auditBefore).changes;
      const found = this.db
        .prepare(
          `SELECT id FROM conversations WHERE customer_id = ?
           UNION SELECT conversation_id FROM explanations WHERE customer_id = ? ORDER BY 1`,
        )
        .pluck()
        .all(input.customerId, input.customerId) as string[];
      const scrubbed = this.anonymize(found, { now, erase: true, newId: input.newId });
      const deleted = this.deleteShells(scrubbed.ids);
      const kept = scrubbed.ids.filter((id) => this.sql.getConversation.get(id) !== undefined);
      const keptExplanations = (
        this.db.prepare('SELECT * FROM explanations WHERE customer_id = ? ORDER BY created_at, id').all(input.customerId) as Row[]
      ).map(explanationFromRow);
      const awaiting = this.db
        .prepare(
          `SELECT COUNT(DISTINCT o.case_id) FROM outbox o JOIN cases k ON k.id = o.case_id
           WHERE o.topic = 'case.delete_thread' AND o.status = 'pending' AND k.conversation_id IN (SELECT value FROM json_each(?))`,
        )
        .pluck()
        .get(JSON.stringify(kept)) as number;
      return {
        conversationsFound: found.length,
        conversationsAnonymized: scrubbed.conversationsAnonymized,
        messagesDeleted: scrubbed.messagesDeleted,
        deliveriesDeleted: scrubbed.deliveriesDeleted,
        casesScrubbed: scrubbed.casesScrubbed,
        threadDeletionsQueued: scrubbed.threadDeletionsQueued,
        explanationsDeleted,
        conversationsDeleted: deleted.conversationsDeleted,
        casesDeleted: deleted.casesDeleted,
        keptExplanations,
        keptConversations: kept.length,
        casesAwaitingThreadDeletion: awaiting,
      };
    });
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.commitQueued({ mayWaitForLock: true });
    const checkpointer = this.checkpointer;
    this.checkpointer = null;
    await checkpointer?.stop();
    // The last connection to close checkpoints what is left and removes the WAL.
    if (this.db.open) this.db.close();
  }

  /**
   * A checkpoint copies the WAL into the database file and syncs it to disk; run after a commit on the
   * event loop (SQLite's default) it stalled every turn for the length of an fsync. Here the main
   * connection never checkpoints and a worker thread does, without blocking readers or writers; if the
   * worker fails, automatic checkpoints come back so the WAL cannot grow without bound.
   */
  private checkpointFromWorker(path: string, options: SqliteStoreOptions): void {
    const { checkpointIntervalMs: intervalMs, walRestartPages, logger } = options;
    this.db.pragma('wal_autocheckpoint = 0');
    // When the WAL starts over, its file is cut back to this size. Under load the WAL refills to its
    // peak within seconds, and growing the file again (allocating blocks, journalling the filesystem's
    // metadata) stalled commits on ext4: with a 64 MiB limit p99 was 1.2–1.35× Botkit's, with this one
    // 0.84–1.06× (paired runs at 500 clients). The file is cut only beyond this size.
    this.db.pragma(`journal_size_limit = ${WAL_FILE_LIMIT_BYTES}`);
    this.checkpointer = startSqliteWalCheckpointer({
      path,
      ...(intervalMs === undefined ? {} : { intervalMs }),
      ...(walRestartPages === undefined ? {} : { restartAfterPages: walRestartPages }),
      onResumeWrites: () => this.commitQueued(),
      onFailure: (reason) => {
        logger?.warn({ reason }, 'SQLite WAL checkpoints moved back to the main connection');
        this.checkpointer = null;
        if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
      },
    });
  }

  /**
   * Gives each conversation a new opaque id (its old id may embed the customer id), drops its customer
   * id, messages and pending deliveries, scrubs its cases and queues the deletion of their Slack threads.
   * Runs inside the caller's transaction; conversations already anonymised only get the erase mark.
   */
  private anonymize(ids: string[], options: { now: string; erase: boolean; newId: () => string }) {
    let messagesDeleted = 0;
    let deliveriesDeleted = 0;
    let conversationsAnonymized = 0;
    const current: string[] = [];
    for (const id of ids) {
      const row = this.db.prepare('SELECT anonymized_at, erase_requested_at FROM conversations WHERE id = ?').get(id) as
        | { anonymized_at: string | null; erase_requested_at: string | null }
        | undefined;
      if (row === undefined) continue;
      messagesDeleted += this.db.prepare('DELETE FROM messages WHERE conversation_id = ?').run(id).changes;
      deliveriesDeleted += this.db.prepare('DELETE FROM pending_deliveries WHERE recipient = ?').run(id).changes;
      if (row.anonymized_at !== null) {
        if (options.erase && row.erase_requested_at === null) {
          this.db.prepare('UPDATE conversations SET erase_requested_at = ? WHERE id = ?').run(options.now, id);
          conversationsAnonymized += 1;
        }
        current.push(id);
        continue;
      }
      const opaque = `${ANONYMIZED_CONVERSATION_PREFIX}${options.newId()}`;
      this.db
        .prepare(
          `INSERT INTO conversations (id, channel, customer_id, locale, state, case_id, consecutive_misses, last_intent,
             awaiting_rating, bot_rating, context, created_at, updated_at, anonymized_at, erase_requested_at)
           SELECT @opaque, channel, NULL, locale, state, case_id, consecutive_misses, last_intent, awaiting_rating,
             bot_rating, context, created_at, updated_at, @now, @erase FROM conversations WHERE id = @id`,
        )
        .run({ opaque, now: options.now, erase: options.erase ? options.now : null, id });
      this.db.prepare('UPDATE cases SET conversation_id = ? WHERE conversation_id = ?').run(opaque, id);
      this.db.prepare('UPDATE explanations SET conversation_id = ? WHERE conversation_id = ?').run(opaque, id);
      this.db.prepare('DELETE FROM conversations WHERE id = ?').run(id);
      conversationsAnonymized += 1;
      current.push(opaque);
    }
    const list = JSON.stringify(current);
    const casesScrubbed = this.db
      .prepare(
        `UPDATE cases SET customer_ref = NULL, reasons_shown = '[]', note = NULL
         WHERE conversation_id IN (SELECT value FROM json_each(?))
           AND (customer_ref IS NOT NULL OR reasons_shown <> '[]' OR note IS NOT NULL)`,
      )
      .run(list).changes;
    this.db
      .prepare(
        `UPDATE outbox SET payload = '{}'
         WHERE topic = 'case.message' AND status <> 'pending' AND payload <> '{}'
           AND case_id IN (SELECT id FROM cases WHERE conversation_id IN (SELECT value FROM json_each(?)))`,
      )
      .run(list);
    const needDeletion = this.db
      .prepare(
        `SELECT k.id FROM cases k
         WHERE k.conversation_id IN (SELECT value FROM json_each(?))
           AND EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = k.id AND o.topic IN ('case.created', 'case.reping') AND o.status <> 'dead')
           AND NOT EXISTS (SELECT 1 FROM outbox d WHERE d.case_id = k.id AND d.topic = 'case.delete_thread')
         ORDER BY k.id`,
      )
      .pluck()
      .all(list) as string[];
    for (const caseId of needDeletion) {
      this.insertOutbox({ id: options.newId(), topic: 'case.delete_thread', caseId, payload: {}, createdAt: options.now });
    }
    const casesClosed = this.closePurgedCases(list, options.now);
    return { ids: current, messagesDeleted, deliveriesDeleted, conversationsAnonymized, casesScrubbed, casesClosed, threadDeletionsQueued: needDeletion.length };
  }

  /**
   * Closes the open cases of anonymised conversations (a queued case would otherwise be re-pinged with
   * its marker gone) and drops their undelivered outbox items, so nothing but the thread deletion
   * reaches Slack after a purge. Returns how many cases it closed.
   */
  private closePurgedCases(list: string, now: string): number {
    const casesClosed = this.db
      .prepare(
        `UPDATE cases SET status = 'returned', resolved_at = coalesce(resolved_at, ?)
         WHERE conversation_id IN (SELECT value FROM json_each(?)) AND status IN ('queued', 'claimed', 'callback')`,
      )
      .run(now, list).changes;
    this.db
      .prepare(`UPDATE conversations SET state = 'bot', awaiting_rating = 0 WHERE id IN (SELECT value FROM json_each(?)) AND state <> 'bot'`)
      .run(list);
    this.db
      .prepare(
        `DELETE FROM outbox WHERE status = 'pending' AND topic <> 'case.delete_thread'
           AND case_id IN (SELECT id FROM cases WHERE conversation_id IN (SELECT value FROM json_each(?)))`,
      )
      .run(list);
    return casesClosed;
  }

  /** Deletes anonymised conversations (with their cases and outbox rows) that no explanation record and no pending outbox item holds. */
  private deleteShells(ids: string[]): { conversationsDeleted: number; casesDeleted: number } {
    const deletable = this.db
      .prepare(
        `SELECT c.id FROM conversations c
         WHERE c.id IN (SELECT value FROM json_each(?)) AND c.anonymized_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM explanations e WHERE e.conversation_id = c.id)
           AND NOT EXISTS (SELECT 1 FROM outbox o JOIN cases k ON k.id = o.case_id WHERE k.conversation_id = c.id AND o.status = 'pending')`,
      )
      .pluck()
      .all(JSON.stringify(ids)) as string[];
    const list = JSON.stringify(deletable);
    this.db.prepare('DELETE FROM outbox WHERE case_id IN (SELECT id FROM cases WHERE conversation_id IN (SELECT value FROM json_each(?)))').run(list);
    const casesDeleted = this.db.prepare('DELETE FROM cases WHERE conversation_id IN (SELECT value FROM json_each(?))').run(list).changes;
    this.db.prepare('DELETE FROM messages WHERE conversation_id IN (SELECT value FROM json_each(?))').run(list);
    const conversationsDeleted = this.db.prepare('DELETE FROM conversations WHERE id IN (SELECT value FROM json_each(?))').run(list).changes;
    return { conversationsDeleted, casesDeleted };
  }

  private findCase(id: string): EscalationCase | null {
    const row = this.sql.getCase.get(id) as Row | undefined;
    return row ? caseFromRow(row) : null;
  }

  // The hot writes bind positionally: better-sqlite3 looks each named parameter up on the object, which
  // cost more than the row insert itself for the wide rows of a turn.
  /** Writes the conversation and returns it as now stored (an existing row keeps its creation time). */
  private upsertConversation(conversation: Conversation): Conversation {
    const params = this.conversationParams(conversation);
    const updatedAt = params[12];
    const known = this.knownConversations.get(conversation.id);
    // A remembered conversation is on file: a plain UPDATE skips the upsert's failed INSERT and its RETURNING.
    if (known !== undefined && this.sql.updateConversation.run(...params.slice(1, 11), updatedAt, conversation.id).changes === 1) {
      return { ...conversation, createdAt: known.createdAt, updatedAt };
    }
    const createdAt = this.sql.upsertConversation.get(...params) as string;
    return { ...conversation, createdAt, updatedAt };
  }

  /** The conversation's columns in upsertConversation's order. */
  private conversationParams(conversation: Conversation) {
    return [
      conversation.id,
      conversation.channel,
      conversation.customerId,
      conversation.locale,
      conversation.state,
      conversation.caseId,
      conversation.consecutiveMisses,
      conversation.lastIntent,
      conversation.awaitingRating ? 1 : 0,
      conversation.botRating,
      JSON.stringify(conversation.context),
      this.instant(conversation.createdAt),
      this.instant(conversation.updatedAt),
    ] as const;
  }

  private rememberConversation(conversation: Conversation): void {
    if (this.knownConversations.size >= MAX_KNOWN_CONVERSATIONS) this.knownConversations.clear();
    this.knownConversations.set(conversation.id, conversation);
  }

  /**
   * `data_version` changes whenever another connection commits; then nothing remembered can be trusted.
   * It is read once per turn of the event loop: the hundreds of turns read in one poll phase would only
   * ask again within microseconds, and a commit elsewhere could land just after any of those reads anyway.
   */
  private forgetConversationsIfChangedElsewhere(): void {
    if (this.isDataVersionChecked) return;
    this.isDataVersionChecked = true;
    setImmediate(() => {
      this.isDataVersionChecked = false;
    });
    const version = this.sql.dataVersion.get() as number;
    if (version === this.knownDataVersion) return;
    this.knownConversations.clear();
    this.knownDataVersion = version;
  }

  private insertMessage(message: StoredMessage): void {
    this.sql.insertMessage.run(
      message.id,
      message.conversationId,
      message.author,
      message.text,
      message.intent,
      message.confidence,
      message.clientMessageId,
      this.instant(message.createdAt),
    );
  }

  private insertExplanation(record: ExplanationRecord): void {
    this.sql.insertExplanation.run(
      record.id,
      record.conversationId,
      record.customerId,
      record.decisionId,
      record.locale,
      JSON.stringify(record.codesShown),
      JSON.stringify(record.codesSuppressed),
      JSON.stringify(record.templateIds),
      record.contentVersion,
      record.reviewRequested ? 1 : 0,
      this.instant(record.createdAt),
    );
  }

  /** `toIsoInstant`, remembering the last answer: the rows of a turn (and of a group commit) share their timestamps. */
  private instant(value: string): string {
    if (value === this.lastInstant[0]) return this.lastInstant[1];
    const iso = toIsoInstant(value);
    this.lastInstant = [value, iso];
    return iso;
  }

  private insertOutbox(item: NewOutboxItem): void {
    const createdAt = toIsoInstant(item.createdAt);
    this.sql.insertOutbox.run({
      id: item.id,
      topic: item.topic,
      caseId: item.caseId,
      payload: JSON.stringify(item.payload),
      createdAt,
    });
  }

  private read<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw storageError(error, 'SQLite read failed');
    }
  }

  /** A write that renames, anonymises or deletes conversations in bulk: the memo of known conversations starts over after it. */
  private writeRewritingConversations<T>(work: () => T): T {
    try {
      return this.write(work);
    } finally {
      this.knownConversations.clear();
    }
  }

  private write<T>(work: () => T): T {
    // Writes queued earlier commit first, so writes land in the order they were asked for.
    this.commitQueued({ mayWaitForLock: true });
    try {
      // IMMEDIATE takes the write lock up front, so a read-then-write (a claim) cannot interleave with another process.
      return this.db.transaction(work).immediate();
    } catch (error) {
      throw storageError(error, 'SQLite write failed');
    }
  }
  /**
   * Group commit: the writes of every turn and delivery asked for in one turn of the event loop (or
   * each slice of EARLY_COMMIT_WRITES of them) share one IMMEDIATE transaction; a failing write rolls
   * back alone and rejects only its caller. A commit writes each touched page to the WAL once instead of once per
   * write, which was the largest single cost of a turn. Each promise resolves only once its write is
   * committed, so callers that await see exactly what they saw before; a direct write commits the
   * queue first, so the order of writes is unchanged.
   */
  private writeInGroup(work: () => void, onCommitted?: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ work, resolve, reject, onCommitted });
      // Every full slice tries to commit, so writes queued during a WAL restart go as soon as it ends.
      if (this.queued.length % EARLY_COMMIT_WRITES === 0) queueMicrotask(() => this.commitQueued());
      if (this.isCommitScheduled) return;
      this.isCommitScheduled = true;
      setImmediate(() => this.commitQueued());
    });
  }

  private commitQueued(options: { mayWaitForLock?: boolean } = {}): void {
    this.isCommitScheduled = false;
    if (this.queued.length === 0) return;
    // While another connection holds the write lock, the retry timer commits everything in order; while
    // the checkpoint worker restarts the WAL, the first commit tried after it is done (or its 'done') does.
    if ((this.isLockRetryScheduled || this.checkpointer?.isHoldingWrites() === true) && options.mayWaitForLock !== true) return;
    const batch = this.queued;
    this.queued = [];
    // A group commit does not sleep on the event loop for a lock another connection holds (the WAL
    // checkpointer restarting the WAL holds it for a few ms): it finds the lock taken at once and tries
    // again on a timer, while frames keep being read, and gives up after the busy timeout as SQLite
    // would. A caller that must write now (a direct write, close) waits in SQLite's busy handler.
    const waitsForLock = options.mayWaitForLock === true;
    let failures: Map<QueuedWrite, unknown>;
    try {
      // Writes almost never fail, so the batch first runs without a savepoint per write (each cost two
      // statements and a wrapper); if one does fail, the whole batch is rolled back and run again isolated.
      failures = this.tryBatch(batch, waitsForLock) ? new Map() : this.commitIsolated(batch);
      this.lockWaitSince = null;
    } catch (error) {
      const now = Date.now();
      if (!waitsForLock && isLockTaken(error) && now - (this.lockWaitSince ?? now) < this.busyTimeoutMs) {
        this.queued = batch.concat(this.queued);
        this.lockWaitSince ??= now;
        this.retryWhenLockFrees();
        return;
      }
      this.lockWaitSince = null;
      for (const item of batch) item.reject(storageError(error, 'SQLite write failed'));
      return;
    }
    for (const item of batch) {
      if (failures.has(item)) {
        item.reject(storageError(failures.get(item), 'SQLite write failed'));
      } else {
        item.onCommitted?.();
        item.resolve();
      }
    }
    // Callers resume when the promise reactions above run, and often write again at once (a reply is
    // kept for delivery as soon as its turn is stored). Left to setImmediate, that write would wait for
    // the next turn of the event loop, behind a whole poll phase of new frames. A microtask queued now
    // runs after the first reactions and queues a nextTick, which Node runs only once every microtask is
    // done: those follow-up writes then commit together in this same phase, and replies go out sooner.
    queueMicrotask(() => process.nextTick(() => this.commitQueued()));
  }

  private retryWhenLockFrees(): void {
    if (this.isLockRetryScheduled) return;
    this.isLockRetryScheduled = true;
    setTimeout(() => {
      this.isLockRetryScheduled = false;
      this.commitQueued();
    }, LOCK_RETRY_MS);
  }

  /**
   * Commits the batch in one transaction; false (and nothing written) when one of its writes failed.
   * Unless `waitsForLock`, a write lock held by another connection throws SQLITE_BUSY at once.
   */
  private tryBatch(batch: QueuedWrite[], waitsForLock: boolean): boolean {
    let hasFailedWrite = false;
    if (!waitsForLock) this.db.pragma('busy_timeout = 0');
    try {
      this.runBatch.immediate(batch, () => {
        hasFailedWrite = true;
      });
    } catch (error) {
      if (!hasFailedWrite) throw error;
      return false;
    } finally {
      if (!waitsForLock) this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    }
    return true;
  }

  /** Commits the batch with each write in its own savepoint: a failing write rolls back alone. */
  private commitIsolated(batch: QueuedWrite[]): Map<QueuedWrite, unknown> {
    const failures = new Map<QueuedWrite, unknown>();
    this.db
      .transaction(() => {
        for (const item of batch) {
          try {
            // A transaction inside a transaction is a savepoint in better-sqlite3.
            this.db.transaction(item.work)();
          } catch (error) {
            // Some errors (disk full, I/O) end the whole transaction; then nothing of the batch is kept.
            if (!this.db.inTransaction) throw error;
            failures.set(item, error);
          }
        }
      })
      .immediate();
    return failures;
  }
}

function rangeParams(range: TimeRange): { from: string; to: string } {
  return { from: toIsoInstant(range.from), to: toIsoInstant(range.to) };
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) throw new CandorError('internal', `limit must be a non-negative integer, got ${limit}`);
  return limit;
}

function caseParams(record: EscalationCase): Record<string, unknown> {
  return {
    id: record.id,
    ref: record.ref,
    conversationId: record.conversationId,
    customerRef: record.customerRef,
    locale: record.locale,
    intent: record.intent,
    decisionId: record.decisionId,
    reasonsShown: JSON.stringify(record.reasonsShown),
    trigger: record.trigger,
    restricted: record.restricted ? 1 : 0,
    note: record.note,
    status: record.status,
    agentId: record.agentId,
    agentName: record.agentName,
    rating: record.rating,
    createdAt: toIsoInstant(record.createdAt),
    claimedAt: record.claimedAt === null ? null : toIsoInstant(record.claimedAt),
    resolvedAt: record.resolvedAt === null ? null : toIsoInstant(record.resolvedAt),
  };
}

/** True for SQLITE_BUSY: another connection holds the lock (nothing of the transaction was written). */
function isLockTaken(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code === 'SQLITE_BUSY';
}

/** Busy, locked and unopenable databases are outages; anything else (a constraint, a bad row) is a bug. */
function storageError(error: unknown, message: string): CandorError {
  if (error instanceof CandorError) return error;
  const code = error instanceof Database.SqliteError ? error.code : undefined;
  const isOutage = code !== undefined && /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY|NOTADB|CORRUPT)/.test(code);
  return new CandorError(isOutage ? 'storage_unavailable' : 'internal', code ? `${message} (${code})` : message, { cause: error });
}

function prepareStatements(db: Database.Database) {
  const caseColumns = `id, ref, conversation_id, customer_ref, locale, intent, decision_id, reasons_shown, trigger, restricted,
    note, status, agent_id, agent_name, rating, created_at, claimed_at, resolved_at`;
  return {
    getConversation: db.prepare('SELECT * FROM conversations WHERE id = ?'),
    loadTurnState: db.prepare(`
      SELECT c.*, (@clientMessageId IS NOT NULL AND EXISTS (
        SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.client_message_id = @clientMessageId)) AS has_client_message
      FROM conversations c WHERE c.id = @conversationId`),
    upsertConversation: db.prepare(`
      INSERT INTO conversations (id, channel, customer_id, locale, state, case_id, consecutive_misses, last_intent,
        awaiting_rating, bot_rating, context, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET
        channel = excluded.channel, customer_id = excluded.customer_id, locale = excluded.locale, state = excluded.state,
        case_id = excluded.case_id, consecutive_misses = excluded.consecutive_misses, last_intent = excluded.last_intent,
        awaiting_rating = excluded.awaiting_rating, bot_rating = excluded.bot_rating, context = excluded.context,
        updated_at = excluded.updated_at
      RETURNING created_at`).pluck(),
    // The upsert's columns from channel to context, then updated_at and the id (an update keeps created_at).
    updateConversation: db.prepare(`
      UPDATE conversations SET channel = ?, customer_id = ?, locale = ?, state = ?, case_id = ?, consecutive_misses = ?,
        last_intent = ?, awaiting_rating = ?, bot_rating = ?, context = ?, updated_at = ?
      WHERE id = ?`),
    dataVersion: db.prepare('PRAGMA data_version').pluck(),
    hasClientMessage: db.prepare('SELECT 1 FROM messages WHERE conversation_id = ? AND client_message_id = ?'),
    insertMessage: db.prepare(`
      INSERT INTO messages (id, conversation_id, author, text, intent, confidence, client_message_id, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (conversation_id, client_message_id) DO NOTHING`),
    listMessages: db.prepare(`
      SELECT * FROM (SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq`),
    insertCase: db.prepare(`
      INSERT INTO cases (${caseColumns})
      VALUES (@id, @ref, @conversationId, @customerRef, @locale, @intent, @decisionId, @reasonsShown, @trigger, @restricted,
        @note, @status, @agentId, @agentName, @rating, @createdAt, @claimedAt, @resolvedAt)`),
    updateCase: db.prepare(`
      UPDATE cases SET ref = @ref, conversation_id = @conversationId, customer_ref = @customerRef, locale = @locale,
        intent = @intent, decision_id = @decisionId, reasons_shown = @reasonsShown, trigger = @trigger,
        restricted = @restricted, note = @note, status = @status, agent_id = @agentId, agent_name = @agentName,
        rating = @rating, created_at = @createdAt, claimed_at = @claimedAt, resolved_at = @resolvedAt
      WHERE id = @id`),
    getCase: db.prepare('SELECT * FROM cases WHERE id = ?'),
    getCaseByRef: db.prepare('SELECT * FROM cases WHERE ref = ?'),
    listCases: db.prepare('SELECT * FROM cases WHERE status IN (SELECT value FROM json_each(?)) ORDER BY created_at, id'),
    claimCase: db.prepare(`
      UPDATE cases SET status = 'claimed', agent_id = @agentId, agent_name = @agentName, claimed_at = @at
      WHERE id = @id AND status = 'queued'
      RETURNING *`),
    insertExplanation: db.prepare(`
      INSERT INTO explanations (id, conversation_id, customer_id, decision_id, locale, codes_shown, codes_suppressed,
        template_ids, content_version, review_requested, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    listExplanations: db.prepare(`
      SELECT * FROM explanations
      WHERE (@customerId IS NULL OR customer_id = @customerId)
        AND (@from IS NULL OR created_at >= @from)
        AND (@to IS NULL OR created_at < @to)
      ORDER BY created_at, id`),
    insertOutbox: db.prepare(`
      INSERT INTO outbox (id, topic, case_id, payload, created_at, status, attempts, next_attempt_at)
      VALUES (@id, @topic, @caseId, @payload, @createdAt, 'pending', 0, @createdAt)`),
    // Only the oldest pending item of a case is eligible, so a case never has two items in flight and
    // its items go out in order; a leased item is not due again until its lease (next_attempt_at) ends.
    // A leased item has no last error: that is how a release tells an item in flight from one waiting to retry.
    claimOutbox: db.prepare(`
      UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @leaseUntil, last_error = NULL
      WHERE seq IN (
        SELECT o.seq FROM outbox o
        WHERE o.status = 'pending' AND o.next_attempt_at <= @now
          AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.case_id = o.case_id AND p.status = 'pending' AND p.seq < o.seq)
        ORDER BY o.seq
        LIMIT @limit)
      RETURNING *`),
    completeOutbox: db.prepare(`UPDATE outbox SET status = 'done', result = ?, last_error = NULL WHERE id = ?`),
    retryOutbox: db.prepare(`UPDATE outbox SET next_attempt_at = ?, last_error = ?, attempts = max(0, attempts - ?) WHERE id = ? AND status = 'pending'`),
    releaseOutbox: db.prepare(`UPDATE outbox SET next_attempt_at = ? WHERE status = 'pending' AND last_error IS NOT NULL AND next_attempt_at > ?`),
    deadLetterOutbox: db.prepare(`UPDATE outbox SET status = 'dead', last_error = ? WHERE id = ? AND status = 'pending'`),
    deadLetterCaseOutbox: db.prepare(`UPDATE outbox SET status = 'dead', last_error = ? WHERE case_id = ? AND status = 'pending'`),
    outboxResults: db.prepare(`SELECT result FROM outbox WHERE case_id = ? AND topic = ? AND status = 'done' ORDER BY seq`).pluck(),
    outboxStats: db.prepare(`
      SELECT SUM(status = 'pending') AS pending, SUM(status = 'dead') AS dead,
        MIN(CASE WHEN status = 'pending' THEN created_at END) AS oldest
      FROM outbox`),
    markEventSeen: db.prepare('INSERT INTO seen_events (event_id, seen_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING'),
    enqueueDelivery: db.prepare(`
      INSERT INTO pending_deliveries (recipient, id, payload, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (recipient, id) DO NOTHING`),
    listDeliveries: db.prepare(
      'SELECT * FROM pending_deliveries WHERE recipient = ? AND (acked_at IS NULL OR (? IS NOT NULL AND acked_at >= ?)) ORDER BY seq',
    ),
    ackDelivery: db.prepare('UPDATE pending_deliveries SET acked_at = ? WHERE recipient = ? AND id = ? AND acked_at IS NULL'),
    forgetAckedDeliveries: db.prepare('DELETE FROM pending_deliveries WHERE recipient = ? AND acked_at < ?'),
    summarizeConversations: db.prepare(`
      SELECT c.id, c.channel, c.created_at, c.bot_rating,
        (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.author = 'customer') AS customer_messages,
        (SELECT COUNT(*) FROM cases k WHERE k.conversation_id = c.id) AS case_count
      FROM conversations c WHERE c.created_at >= @from AND c.created_at < @to
      ORDER BY c.created_at, c.id`),
    listCasesCreated: db.prepare('SELECT * FROM cases WHERE created_at >= @from AND created_at < @to ORDER BY created_at, id'),
    countCustomerIntents: db.prepare(`
      SELECT intent AS value, COUNT(*) AS count FROM messages
      WHERE author = 'customer' AND intent IS NOT NULL AND created_at >= @from AND created_at < @to
      GROUP BY intent ORDER BY count DESC, value`),
    topCustomerTexts: db.prepare(`
      SELECT text AS value, COUNT(*) AS count FROM messages
      WHERE author = 'customer' AND intent = @intent AND text <> '' AND created_at >= @from AND created_at < @to
      GROUP BY text ORDER BY count DESC, value LIMIT @limit`),
  };
}
