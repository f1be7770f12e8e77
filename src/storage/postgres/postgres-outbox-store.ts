import type { NewOutboxItem, OutboxItem } from '../../core/outbox.js';
import type { OutboxStore } from '../../core/ports/outbox-store.js';
import { checkLimit, outboxItemFromRow, outboxResultFromColumn, toIsoInstant, truncateError } from '../stored-rows.js';
import type { PostgresConnection } from './postgres-connection.js';
import { OUTBOX_COLUMNS } from './postgres-row-writes.js';

/** The outbox in Postgres: items leased with `FOR UPDATE SKIP LOCKED`, so two instances never lease the same one. */
export class PostgresOutboxStore implements OutboxStore {
  constructor(private readonly connection: PostgresConnection) {}

  async claimOutbox(limit: number, now: string, leaseMs: number): Promise<OutboxItem[]> {
    const cap = checkLimit(limit);
    if (cap === 0) return [];
    const at = toIsoInstant(now);
    const leaseUntil = new Date(Date.parse(at) + Math.max(0, leaseMs)).toISOString();
    // Only the oldest pending item of a case is eligible, so a case never has two items in flight.
    // SKIP LOCKED passes over rows another instance is leasing right now; when that instance has
    // already committed, the row is re-checked against `next_attempt_at <= now` and, being leased
    // into the future, dropped, so two instances never lease the same item.
    const rows = await this.connection.query(
      'candor_claim_outbox',
      `WITH due AS (
         SELECT o.seq FROM outbox o
         WHERE o.status = 'pending' AND o.next_attempt_at <= $1
           AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.case_id = o.case_id AND p.status = 'pending' AND p.seq < o.seq)
         ORDER BY o.seq
         LIMIT $2
         FOR UPDATE OF o SKIP LOCKED
       )
       UPDATE outbox SET attempts = outbox.attempts + 1, next_attempt_at = $3, last_error = NULL
       FROM due WHERE outbox.seq = due.seq
       RETURNING ${OUTBOX_COLUMNS.split(', ')
         .map((column) => `outbox.${column}`)
         .join(', ')}`,
      [at, cap, leaseUntil],
    );
    return rows.map(outboxItemFromRow).sort((a, b) => a.seq - b.seq);
  }

  async completeOutbox(id: string, result: Record<string, unknown>): Promise<void> {
    await this.connection.query(
      'candor_complete_outbox',
      `UPDATE outbox SET status = 'done', result = $2::jsonb, last_error = NULL WHERE id = $1`,
      [id, JSON.stringify(result)],
    );
  }

  async retryOutbox(id: string, nextAttemptAt: string, error: string, options: { countsAsAttempt?: boolean } = {}): Promise<void> {
    await this.connection.query(
      'candor_retry_outbox',
      `UPDATE outbox SET next_attempt_at = $2, last_error = $3, attempts = greatest(0, attempts - $4::int) WHERE id = $1 AND status = 'pending'`,
      [id, toIsoInstant(nextAttemptAt), truncateError(error), options.countsAsAttempt === false ? 1 : 0],
    );
  }

  async releaseOutbox(now: string): Promise<number> {
    // A leased item has no last error (the lease clears it), so only items waiting to retry move.
    const rows = await this.connection.query(
      'candor_release_outbox',
      `UPDATE outbox SET next_attempt_at = $1 WHERE status = 'pending' AND last_error IS NOT NULL AND next_attempt_at > $1 RETURNING seq`,
      [toIsoInstant(now)],
    );
    return rows.length;
  }

  async deadLetterCaseOutbox(caseId: string, error: string): Promise<number> {
    const rows = await this.connection.query(
      'candor_dead_letter_case_outbox',
      `UPDATE outbox SET status = 'dead', last_error = $2 WHERE case_id = $1 AND status = 'pending' RETURNING seq`,
      [caseId, truncateError(error)],
    );
    return rows.length;
  }

  async deadLetterOutbox(id: string, error: string): Promise<void> {
    await this.connection.query(
      'candor_dead_letter_outbox',
      `UPDATE outbox SET status = 'dead', last_error = $2 WHERE id = $1 AND status = 'pending'`,
      [id, truncateError(error)],
    );
  }

  async outboxResults(caseId: string, topic: NewOutboxItem['topic']): Promise<Record<string, unknown>[]> {
    const rows = await this.connection.query(
      'candor_outbox_results',
      `SELECT result FROM outbox WHERE case_id = $1 AND topic = $2 AND status = 'done' ORDER BY seq`,
      [caseId, topic],
    );
    return rows.map((row) => outboxResultFromColumn(row['result']));
  }

  async findCaseIdByCard(card: { channel: string; ts: string }): Promise<string | null> {
    // `topic IN (…)` as in the partial index on the card's ts (migration 6).
    const rows = await this.connection.query(
      'candor_find_case_by_card',
      `SELECT case_id FROM outbox WHERE topic IN ('case.created', 'case.reping') AND result ->> 'ts' = $1
         AND result ->> 'channel' = $2 AND status = 'done' ORDER BY seq LIMIT 1`,
      [card.ts, card.channel],
    );
    const caseId = rows[0]?.['case_id'];
    return typeof caseId === 'string' ? caseId : null;
  }

  async outboxStats(now: string): Promise<{ pending: number; dead: number; oldestPendingAgeMs: number | null }> {
    const at = Date.parse(toIsoInstant(now));
    const rows = await this.connection.query(
      'candor_outbox_stats',
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
              count(*) FILTER (WHERE status = 'dead')::int AS dead,
              min(created_at) FILTER (WHERE status = 'pending') AS oldest
       FROM outbox`,
      [],
    );
    const row = rows[0] as { pending: number; dead: number; oldest: Date | null };
    return { pending: row.pending, dead: row.dead, oldestPendingAgeMs: row.oldest === null ? null : Math.max(0, at - row.oldest.getTime()) };
  }
}
