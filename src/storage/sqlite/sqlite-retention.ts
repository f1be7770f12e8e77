import type Database from 'better-sqlite3';
import type { AuditPurgeResult, CustomerErasureResult, RetentionStore, TranscriptPurgeResult } from '../../core/ports/retention-store.js';
import { ANONYMIZED_CONVERSATION_PREFIX, explanationFromRow, toIsoInstant } from '../stored-rows.js';
import type { SqliteConnection } from './sqlite-connection.js';
import type { SqliteRowWrites } from './sqlite-row-writes.js';

type Row = Record<string, unknown>;

/** Retention and erasure in SQLite: each pass one write transaction, after which remembered conversations are forgotten. */
export class SqliteRetention implements RetentionStore {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(
    private readonly connection: SqliteConnection,
    private readonly writes: SqliteRowWrites,
  ) {
    this.sql = prepareStatements(connection.db);
  }

  async purgeTranscripts(input: { before: string; now: string; newId: () => string }): Promise<TranscriptPurgeResult> {
    const before = toIsoInstant(input.before);
    const now = toIsoInstant(input.now);
    return this.connection.writeRewritingConversations((): TranscriptPurgeResult => {
      const messagesDeleted = this.connection.db.prepare('DELETE FROM messages WHERE created_at < ?').run(before).changes;
      const inactive = this.connection.db
        .prepare('SELECT id FROM conversations WHERE updated_at < ? AND anonymized_at IS NULL ORDER BY id')
        .pluck()
        .all(before) as string[];
      const scrubbed = this.anonymize(inactive, { now, erase: false, newId: input.newId });
      const deliveriesDeleted = this.connection.db.prepare('DELETE FROM pending_deliveries WHERE created_at < ?').run(before).changes;
      const eventsDeleted = this.connection.db.prepare('DELETE FROM seen_events WHERE seen_at < ?').run(before).changes;
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
    return this.connection.writeRewritingConversations((): AuditPurgeResult => {
      const explanationsDeleted = this.connection.db.prepare('DELETE FROM explanations WHERE created_at < ?').run(before).changes;
      const shells = this.connection.db
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
    return this.connection.writeRewritingConversations((): CustomerErasureResult => {
      const explanationsDeleted = this.connection.db
        .prepare('DELETE FROM explanations WHERE customer_id = ? AND created_at < ?')
        .run(input.customerId, auditBefore).changes;
      const found = this.connection.db
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
        this.connection.db.prepare('SELECT * FROM explanations WHERE customer_id = ? ORDER BY created_at, id').all(input.customerId) as Row[]
      ).map(explanationFromRow);
      const awaiting = this.connection.db
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
      const row = this.connection.db.prepare('SELECT anonymized_at, erase_requested_at FROM conversations WHERE id = ?').get(id) as
        | { anonymized_at: string | null; erase_requested_at: string | null }
        | undefined;
      if (row === undefined) continue;
      messagesDeleted += this.connection.db.prepare('DELETE FROM messages WHERE conversation_id = ?').run(id).changes;
      deliveriesDeleted += this.connection.db.prepare('DELETE FROM pending_deliveries WHERE recipient = ?').run(id).changes;
      if (row.anonymized_at !== null) {
        if (options.erase && row.erase_requested_at === null) {
          this.connection.db.prepare('UPDATE conversations SET erase_requested_at = ? WHERE id = ?').run(options.now, id);
          conversationsAnonymized += 1;
        }
        current.push(id);
        continue;
      }
      const opaque = `${ANONYMIZED_CONVERSATION_PREFIX}${options.newId()}`;
      this.connection.db
        .prepare(
          `INSERT INTO conversations (id, channel, customer_id, locale, state, case_id, consecutive_misses, last_intent,
             awaiting_rating, bot_rating, context, created_at, updated_at, anonymized_at, erase_requested_at)
           SELECT @opaque, channel, NULL, locale, state, case_id, consecutive_misses, last_intent, awaiting_rating,
             bot_rating, context, created_at, updated_at, @now, @erase FROM conversations WHERE id = @id`,
        )
        .run({ opaque, now: options.now, erase: options.erase ? options.now : null, id });
      this.connection.db.prepare('UPDATE cases SET conversation_id = ? WHERE conversation_id = ?').run(opaque, id);
      this.connection.db.prepare('UPDATE explanations SET conversation_id = ? WHERE conversation_id = ?').run(opaque, id);
      this.connection.db.prepare('DELETE FROM conversations WHERE id = ?').run(id);
      conversationsAnonymized += 1;
      current.push(opaque);
    }
    const list = JSON.stringify(current);
    const casesScrubbed = this.connection.db
      .prepare(
        `UPDATE cases SET customer_ref = NULL, reasons_shown = '[]', note = NULL
         WHERE conversation_id IN (SELECT value FROM json_each(?))
           AND (customer_ref IS NOT NULL OR reasons_shown <> '[]' OR note IS NOT NULL)`,
      )
      .run(list).changes;
    this.connection.db
      .prepare(
        `UPDATE outbox SET payload = '{}'
         WHERE topic = 'case.message' AND status <> 'pending' AND payload <> '{}'
           AND case_id IN (SELECT id FROM cases WHERE conversation_id IN (SELECT value FROM json_each(?)))`,
      )
      .run(list);
    const needDeletion = this.connection.db
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
      this.writes.insertOutbox({ id: options.newId(), topic: 'case.delete_thread', caseId, payload: {}, createdAt: options.now });
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
    const casesClosed = this.connection.db
      .prepare(
        `UPDATE cases SET status = 'returned', resolved_at = coalesce(resolved_at, ?)
         WHERE conversation_id IN (SELECT value FROM json_each(?)) AND status IN ('queued', 'claimed', 'callback')`,
      )
      .run(now, list).changes;
    this.connection.db
      .prepare(`UPDATE conversations SET state = 'bot', awaiting_rating = 0 WHERE id IN (SELECT value FROM json_each(?)) AND state <> 'bot'`)
      .run(list);
    this.connection.db
      .prepare(
        `DELETE FROM outbox WHERE status = 'pending' AND topic <> 'case.delete_thread'
           AND case_id IN (SELECT id FROM cases WHERE conversation_id IN (SELECT value FROM json_each(?)))`,
      )
      .run(list);
    return casesClosed;
  }

  /** Deletes anonymised conversations (with their cases and outbox rows) that no explanation record and no pending outbox item holds. */
  private deleteShells(ids: string[]): { conversationsDeleted: number; casesDeleted: number } {
    const deletable = this.connection.db
      .prepare(
        `SELECT c.id FROM conversations c
         WHERE c.id IN (SELECT value FROM json_each(?)) AND c.anonymized_at IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM explanations e WHERE e.conversation_id = c.id)
           AND NOT EXISTS (SELECT 1 FROM outbox o JOIN cases k ON k.id = o.case_id WHERE k.conversation_id = c.id AND o.status = 'pending')`,
      )
      .pluck()
      .all(JSON.stringify(ids)) as string[];
    const list = JSON.stringify(deletable);
    this.connection.db.prepare('DELETE FROM outbox WHERE case_id IN (SELECT id FROM cases WHERE conversation_id IN (SELECT value FROM json_each(?)))').run(list);
    const casesDeleted = this.connection.db.prepare('DELETE FROM cases WHERE conversation_id IN (SELECT value FROM json_each(?))').run(list).changes;
    this.connection.db.prepare('DELETE FROM messages WHERE conversation_id IN (SELECT value FROM json_each(?))').run(list);
    const conversationsDeleted = this.connection.db.prepare('DELETE FROM conversations WHERE id IN (SELECT value FROM json_each(?))').run(list).changes;
    return { conversationsDeleted, casesDeleted };
  }
}

function prepareStatements(db: Database.Database) {
  return {
    getConversation: db.prepare('SELECT * FROM conversations WHERE id = ?'),
  };
}
