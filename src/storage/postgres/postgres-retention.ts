import type { PoolClient } from 'pg';
import type { AuditPurgeResult, CustomerErasureResult, RetentionStore, TranscriptPurgeResult } from '../../core/ports/retention-store.js';
import { ANONYMIZED_CONVERSATION_PREFIX, explanationFromRow, toIsoInstant } from '../stored-rows.js';
import type { PostgresConnection } from './postgres-connection.js';
import { CONVERSATION_COLUMNS, EXPLANATION_COLUMNS, insertOutbox } from './postgres-row-writes.js';

/** Retention and erasure in Postgres: one pass per database at a time, under an advisory lock. */
export class PostgresRetention implements RetentionStore {
  constructor(private readonly connection: PostgresConnection) {}

  async purgeTranscripts(input: { before: string; now: string; newId: () => string }): Promise<TranscriptPurgeResult> {
    const before = toIsoInstant(input.before);
    const now = toIsoInstant(input.now);
    return this.connection.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['candor.retention']);
      const messagesDeleted = (await client.query('DELETE FROM messages WHERE created_at < $1', [before])).rowCount ?? 0;
      const inactive = await client.query<{ id: string }>(
        'SELECT id FROM conversations WHERE updated_at < $1 AND anonymized_at IS NULL ORDER BY id COLLATE "C" FOR UPDATE',
        [before],
      );
      const scrubbed = await anonymize(client, inactive.rows.map((row) => row.id), { now, erase: false, newId: input.newId });
      const deliveriesDeleted = (await client.query('DELETE FROM pending_deliveries WHERE created_at < $1', [before])).rowCount ?? 0;
      const eventsDeleted = (await client.query('DELETE FROM seen_events WHERE seen_at < $1', [before])).rowCount ?? 0;
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
    return this.connection.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['candor.retention']);
      const explanationsDeleted = (await client.query('DELETE FROM explanations WHERE created_at < $1', [before])).rowCount ?? 0;
      const shells = await client.query<{ id: string }>(
        `SELECT id FROM conversations
         WHERE anonymized_at IS NOT NULL AND (erase_requested_at IS NOT NULL OR updated_at < $1) ORDER BY id COLLATE "C"`,
        [before],
      );
      return { explanationsDeleted, ...(await deleteShells(client, shells.rows.map((row) => row.id))) };
    });
  }

  async eraseCustomer(input: { customerId: string; now: string; auditBefore: string; newId: () => string }): Promise<CustomerErasureResult> {
    const now = toIsoInstant(input.now);
    const auditBefore = toIsoInstant(input.auditBefore);
    return this.connection.transaction(async (client) => {
      // One erasure or retention pass per database at a time: they rename conversations other passes may be reading.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['candor.retention']);
      const explanationsDeleted =
        (await client.query('DELETE FROM explanations WHERE customer_id = $1 AND created_at < $2', [input.customerId, auditBefore])).rowCount ?? 0;
      const found = await client.query<{ id: string }>(
        `SELECT id FROM conversations WHERE customer_id = $1
         UNION SELECT conversation_id FROM explanations WHERE customer_id = $1 ORDER BY 1`,
        [input.customerId],
      );
      const scrubbed = await anonymize(client, found.rows.map((row) => row.id), { now, erase: true, newId: input.newId });
      const deleted = await deleteShells(client, scrubbed.ids);
      const kept = await client.query<{ id: string }>('SELECT id FROM conversations WHERE id = ANY($1::text[])', [scrubbed.ids]);
      const keptIds = kept.rows.map((row) => row.id);
      const explanations = await client.query(
        `SELECT ${EXPLANATION_COLUMNS} FROM explanations WHERE customer_id = $1 ORDER BY created_at, id COLLATE "C"`,
        [input.customerId],
      );
      const awaiting = await client.query<{ n: number }>(
        `SELECT count(DISTINCT o.case_id)::int AS n FROM outbox o JOIN cases k ON k.id = o.case_id
         WHERE o.topic = 'case.delete_thread' AND o.status = 'pending' AND k.conversation_id = ANY($1::text[])`,
        [keptIds],
      );
      return {
        conversationsFound: found.rows.length,
        conversationsAnonymized: scrubbed.conversationsAnonymized,
        messagesDeleted: scrubbed.messagesDeleted,
        deliveriesDeleted: scrubbed.deliveriesDeleted,
        casesScrubbed: scrubbed.casesScrubbed,
        threadDeletionsQueued: scrubbed.threadDeletionsQueued,
        explanationsDeleted,
        conversationsDeleted: deleted.conversationsDeleted,
        casesDeleted: deleted.casesDeleted,
        keptExplanations: explanations.rows.map(explanationFromRow),
        keptConversations: keptIds.length,
        casesAwaitingThreadDeletion: awaiting.rows[0]?.n ?? 0,
      };
    });
  }
}

/**
 * Gives each conversation a new opaque id (its old id may embed the customer id), drops its customer
 * id, messages and pending deliveries, scrubs its cases and queues the deletion of their Slack threads.
 * Runs inside the caller's transaction; conversations already anonymised only get the erase mark.
 */
async function anonymize(client: PoolClient, ids: string[], options: { now: string; erase: boolean; newId: () => string }) {
  let messagesDeleted = 0;
  let deliveriesDeleted = 0;
  let conversationsAnonymized = 0;
  const current: string[] = [];
  for (const id of ids) {
    const found = await client.query<{ anonymized_at: Date | null; erase_requested_at: Date | null }>(
      'SELECT anonymized_at, erase_requested_at FROM conversations WHERE id = $1 FOR UPDATE',
      [id],
    );
    const row = found.rows[0];
    if (row === undefined) continue;
    messagesDeleted += (await client.query('DELETE FROM messages WHERE conversation_id = $1', [id])).rowCount ?? 0;
    deliveriesDeleted += (await client.query('DELETE FROM pending_deliveries WHERE recipient = $1', [id])).rowCount ?? 0;
    if (row.anonymized_at !== null) {
      if (options.erase && row.erase_requested_at === null) {
        await client.query('UPDATE conversations SET erase_requested_at = $2 WHERE id = $1', [id, options.now]);
        conversationsAnonymized += 1;
      }
      current.push(id);
      continue;
    }
    const opaque = `${ANONYMIZED_CONVERSATION_PREFIX}${options.newId()}`;
    await client.query(
      `INSERT INTO conversations (${CONVERSATION_COLUMNS}, anonymized_at, erase_requested_at)
       SELECT $1, channel, NULL, locale, state, case_id, consecutive_misses, last_intent, awaiting_rating, bot_rating, context, created_at, updated_at, $2, $3
       FROM conversations WHERE id = $4`,
      [opaque, options.now, options.erase ? options.now : null, id],
    );
    await client.query('UPDATE cases SET conversation_id = $1 WHERE conversation_id = $2', [opaque, id]);
    await client.query('UPDATE explanations SET conversation_id = $1 WHERE conversation_id = $2', [opaque, id]);
    await client.query('DELETE FROM conversations WHERE id = $1', [id]);
    conversationsAnonymized += 1;
    current.push(opaque);
  }
  const casesScrubbed =
    (
      await client.query(
        `UPDATE cases SET customer_ref = NULL, reasons_shown = '[]'::jsonb, note = NULL
         WHERE conversation_id = ANY($1::text[]) AND (customer_ref IS NOT NULL OR reasons_shown <> '[]'::jsonb OR note IS NOT NULL)`,
        [current],
      )
    ).rowCount ?? 0;
  await client.query(
    `UPDATE outbox SET payload = '{}'::jsonb
     WHERE topic = 'case.message' AND status <> 'pending' AND payload <> '{}'::jsonb
       AND case_id IN (SELECT id FROM cases WHERE conversation_id = ANY($1::text[]))`,
    [current],
  );
  const needDeletion = await client.query<{ id: string }>(
    `SELECT k.id FROM cases k
     WHERE k.conversation_id = ANY($1::text[])
       AND EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = k.id AND o.topic IN ('case.created', 'case.reping') AND o.status <> 'dead')
       AND NOT EXISTS (SELECT 1 FROM outbox d WHERE d.case_id = k.id AND d.topic = 'case.delete_thread')
     ORDER BY k.id COLLATE "C"`,
    [current],
  );
  for (const { id: caseId } of needDeletion.rows) {
    await insertOutbox(client, { id: options.newId(), topic: 'case.delete_thread', caseId, payload: {}, createdAt: options.now });
  }
  const casesClosed = await closePurgedCases(client, current, options.now);
  return { ids: current, messagesDeleted, deliveriesDeleted, conversationsAnonymized, casesScrubbed, casesClosed, threadDeletionsQueued: needDeletion.rows.length };
}

/**
 * Closes the open cases of anonymised conversations (a queued case would otherwise be re-pinged with
 * its marker gone) and drops their undelivered outbox items, so nothing but the thread deletion
 * reaches Slack after a purge. Returns how many cases it closed.
 */
async function closePurgedCases(client: PoolClient, ids: string[], now: string): Promise<number> {
  const closed = await client.query(
    `UPDATE cases SET status = 'returned', resolved_at = coalesce(resolved_at, $2)
     WHERE conversation_id = ANY($1::text[]) AND status IN ('queued', 'claimed', 'callback')`,
    [ids, now],
  );
  await client.query(`UPDATE conversations SET state = 'bot', awaiting_rating = false WHERE id = ANY($1::text[]) AND state <> 'bot'`, [ids]);
  await client.query(
    `DELETE FROM outbox WHERE status = 'pending' AND topic <> 'case.delete_thread'
       AND case_id IN (SELECT id FROM cases WHERE conversation_id = ANY($1::text[]))`,
    [ids],
  );
  return closed.rowCount ?? 0;
}

/** Deletes anonymised conversations (with their cases and outbox rows) that no explanation record and no pending outbox item holds. */
async function deleteShells(client: PoolClient, ids: string[]): Promise<{ conversationsDeleted: number; casesDeleted: number }> {
  const deletable = await client.query<{ id: string }>(
    `SELECT c.id FROM conversations c
     WHERE c.id = ANY($1::text[]) AND c.anonymized_at IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM explanations e WHERE e.conversation_id = c.id)
       AND NOT EXISTS (SELECT 1 FROM outbox o JOIN cases k ON k.id = o.case_id WHERE k.conversation_id = c.id AND o.status = 'pending')`,
    [ids],
  );
  const list = deletable.rows.map((row) => row.id);
  await client.query('DELETE FROM outbox WHERE case_id IN (SELECT id FROM cases WHERE conversation_id = ANY($1::text[]))', [list]);
  const casesDeleted = (await client.query('DELETE FROM cases WHERE conversation_id = ANY($1::text[])', [list])).rowCount ?? 0;
  await client.query('DELETE FROM messages WHERE conversation_id = ANY($1::text[])', [list]);
  const conversationsDeleted = (await client.query('DELETE FROM conversations WHERE id = ANY($1::text[])', [list])).rowCount ?? 0;
  return { conversationsDeleted, casesDeleted };
}
