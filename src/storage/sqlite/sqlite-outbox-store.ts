import type Database from 'better-sqlite3';
import type { NewOutboxItem, OutboxItem } from '../../core/outbox.js';
import type { OutboxStore } from '../../core/ports/outbox-store.js';
import { checkLimit, outboxItemFromRow, outboxResultFromColumn, toIsoInstant, truncateError } from '../stored-rows.js';
import type { SqliteConnection } from './sqlite-connection.js';

type Row = Record<string, unknown>;

/** The outbox in SQLite: due items leased oldest first, at most one in flight per case. */
export class SqliteOutboxStore implements OutboxStore {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(private readonly connection: SqliteConnection) {
    this.sql = prepareStatements(connection.db);
  }

  async claimOutbox(limit: number, now: string, leaseMs: number): Promise<OutboxItem[]> {
    const cap = checkLimit(limit);
    if (cap === 0) return [];
    const at = toIsoInstant(now);
    const leaseUntil = new Date(Date.parse(at) + Math.max(0, leaseMs)).toISOString();
    return this.connection.write(() =>
      (this.sql.claimOutbox.all({ now: at, limit: cap, leaseUntil }) as Row[]).map(outboxItemFromRow).sort((a, b) => a.seq - b.seq),
    );
  }

  async completeOutbox(id: string, result: Record<string, unknown>): Promise<void> {
    this.connection.write(() => this.sql.completeOutbox.run(JSON.stringify(result), id));
  }

  async retryOutbox(id: string, nextAttemptAt: string, error: string, options: { countsAsAttempt?: boolean } = {}): Promise<void> {
    const refund = options.countsAsAttempt === false ? 1 : 0;
    this.connection.write(() => this.sql.retryOutbox.run(toIsoInstant(nextAttemptAt), truncateError(error), refund, id));
  }

  async releaseOutbox(now: string): Promise<number> {
    return this.connection.write(() => this.sql.releaseOutbox.run(toIsoInstant(now), toIsoInstant(now)).changes);
  }

  async deadLetterOutbox(id: string, error: string): Promise<void> {
    this.connection.write(() => this.sql.deadLetterOutbox.run(truncateError(error), id));
  }

  async deadLetterCaseOutbox(caseId: string, error: string): Promise<number> {
    return this.connection.write(() => this.sql.deadLetterCaseOutbox.run(truncateError(error), caseId).changes);
  }

  async outboxResults(caseId: string, topic: NewOutboxItem['topic']): Promise<Record<string, unknown>[]> {
    return this.connection.read(() => (this.sql.outboxResults.all(caseId, topic) as unknown[]).map(outboxResultFromColumn));
  }

  async findCaseIdByCard(card: { channel: string; ts: string }): Promise<string | null> {
    return this.connection.read(() => (this.sql.findCaseIdByCard.get(card.ts, card.channel) as string | undefined) ?? null);
  }

  async outboxStats(now: string): Promise<{ pending: number; dead: number; oldestPendingAgeMs: number | null }> {
    const at = Date.parse(toIsoInstant(now));
    return this.connection.read(() => {
      const row = this.sql.outboxStats.get() as { pending: number | null; dead: number | null; oldest: string | null };
      return {
        pending: row.pending ?? 0,
        dead: row.dead ?? 0,
        oldestPendingAgeMs: row.oldest === null ? null : Math.max(0, at - Date.parse(row.oldest)),
      };
    });
  }
}

function prepareStatements(db: Database.Database) {
  return {
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
    // `topic IN (…)` as in the partial index on the card's ts (migration 7).
    findCaseIdByCard: db
      .prepare(
        `SELECT case_id FROM outbox WHERE topic IN ('case.created', 'case.reping') AND json_extract(result, '$.ts') = ?
           AND json_extract(result, '$.channel') = ? AND status = 'done' ORDER BY seq LIMIT 1`,
      )
      .pluck(),
    outboxStats: db.prepare(`
      SELECT SUM(status = 'pending') AS pending, SUM(status = 'dead') AS dead,
        MIN(CASE WHEN status = 'pending' THEN created_at END) AS oldest
      FROM outbox`),
  };
}
