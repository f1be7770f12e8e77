import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { CandorError } from '../../core/candor-error.js';
import type { Conversation, StoredMessage } from '../../core/conversation.js';
import type { CaseStatus, EscalationCase, ExplanationRecord } from '../../core/escalation-case.js';
import type { NewOutboxItem, OutboxItem } from '../../core/outbox.js';
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
import type { Logger } from '../../core/ports/logger.js';
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
import { migratePostgres, quoteIdentifier } from './migrations.js';

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

const CONVERSATION_COLUMNS =
  'id, channel, customer_id, locale, state, case_id, consecutive_misses, last_intent, awaiting_rating, bot_rating, context, created_at, updated_at';
const MESSAGE_COLUMNS = 'seq, id, conversation_id, author, text, intent, confidence, client_message_id, created_at';
const CASE_COLUMNS = `id, ref, conversation_id, customer_ref, locale, intent, decision_id, reasons_shown, trigger, restricted,
  note, status, agent_id, agent_name, rating, created_at, claimed_at, resolved_at`;
const EXPLANATION_COLUMNS = `id, conversation_id, customer_id, decision_id, locale, codes_shown, codes_suppressed, template_ids,
  content_version, review_requested, created_at`;
const OUTBOX_COLUMNS = 'seq, id, topic, case_id, payload, created_at, status, attempts, next_attempt_at, last_error, result';

/**
 * The ConversationStore for several instances: a pg Pool, every write one transaction, outbox items
 * leased with `FOR UPDATE SKIP LOCKED`, cases claimed with a conditional UPDATE.
 */
export class PostgresConversationStore implements ConversationStore {
  private readonly pool: pg.Pool;

  private constructor(pool: pg.Pool) {
    this.pool = pool;
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
      // Set at connection start, so every pooled connection sees only this schema's tables.
      options: `-c search_path=${schema}`,
    });
    pool.on('error', (error: Error & { code?: string }) => {
      options.logger?.warn({ code: error.code ?? null }, 'postgres pool: idle connection failed');
    });
    const store = new PostgresConversationStore(pool);
    try {
      await store.withClient((client) => migratePostgres(client, schema));
      return store;
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  async getConversation(id: string): Promise<Conversation | null> {
    const rows = await this.query('candor_get_conversation', `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $1`, [id]);
    return rows[0] ? conversationFromRow(rows[0]) : null;
  }

  async loadTurnState(conversationId: string, clientMessageId: string | null): Promise<TurnState> {
    const rows = await this.query(
      'candor_load_turn_state',
      `SELECT ${CONVERSATION_COLUMNS}, ($2::text IS NOT NULL AND EXISTS (
         SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.client_message_id = $2)) AS has_client_message
       FROM conversations c WHERE c.id = $1`,
      [conversationId, clientMessageId],
    );
    const row = rows[0];
    // No conversation means no message of it either (messages reference their conversation).
    if (!row) return { conversation: null, hasClientMessage: false };
    return { conversation: conversationFromRow(row), hasClientMessage: row.has_client_message === true };
  }

  async hasClientMessage(conversationId: string, clientMessageId: string): Promise<boolean> {
    const rows = await this.query(
      'candor_has_client_message',
      'SELECT 1 FROM messages WHERE conversation_id = $1 AND client_message_id = $2',
      [conversationId, clientMessageId],
    );
    return rows.length > 0;
  }

  async saveTurn(write: TurnWrite): Promise<SaveTurnOutcome> {
    try {
      return await this.transaction<SaveTurnOutcome>(async (client) => {
        await upsertConversation(client, write.conversation);
        for (const message of write.messages) {
          // The insert finds a resend itself (its client id is taken), so a turn costs no extra query:
          // the transaction is rolled back and nothing of the turn is stored.
          if (!(await insertMessage(client, message)) && message.clientMessageId !== null) throw new ResentTurn();
        }
        for (const record of write.explanations) await insertExplanation(client, record);
        if (write.openedCase) await insertCase(client, write.openedCase);
        for (const item of write.outbox) await insertOutbox(client, item);
        return 'stored';
      });
    } catch (error) {
      if (error instanceof ResentTurn) return 'duplicate';
      throw error;
    }
  }

  async listMessages(conversationId: string, limit?: number): Promise<StoredMessage[]> {
    const cap = limit === undefined ? null : checkLimit(limit);
    const rows = await this.query(
      'candor_list_messages',
      `SELECT ${MESSAGE_COLUMNS} FROM (
         SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY seq DESC LIMIT $2
       ) latest ORDER BY seq`,
      [conversationId, cap],
    );
    return rows.map(messageFromRow);
  }

  async getCase(id: string): Promise<EscalationCase | null> {
    const rows = await this.query('candor_get_case', `SELECT ${CASE_COLUMNS} FROM cases WHERE id = $1`, [id]);
    return rows[0] ? caseFromRow(rows[0]) : null;
  }

  async getCaseByRef(ref: string): Promise<EscalationCase | null> {
    const rows = await this.query('candor_get_case_by_ref', `SELECT ${CASE_COLUMNS} FROM cases WHERE ref = $1`, [ref]);
    return rows[0] ? caseFromRow(rows[0]) : null;
  }

  async listCases(statuses: CaseStatus[]): Promise<EscalationCase[]> {
    if (statuses.length === 0) return [];
    const rows = await this.query(
      'candor_list_cases',
      `SELECT ${CASE_COLUMNS} FROM cases WHERE status = ANY($1::text[]) ORDER BY created_at, id`,
      [statuses],
    );
    return rows.map(caseFromRow);
  }

  async claimCase(caseId: string, agent: { id: string; name: string }, at: string): Promise<ClaimResult> {
    // The status test inside the UPDATE is what makes the claim atomic: the second claim waits on the
    // row lock, re-reads the row, finds it no longer queued and updates nothing.
    const claimed = await this.query(
      'candor_claim_case',
      `UPDATE cases SET status = 'claimed', agent_id = $2, agent_name = $3, claimed_at = $4
       WHERE id = $1 AND status = 'queued'
       RETURNING ${CASE_COLUMNS}`,
      [caseId, agent.id, agent.name, toIsoInstant(at)],
    );
    if (claimed[0]) return { status: 'claimed', case: caseFromRow(claimed[0]) };
    const current = await this.getCase(caseId);
    if (!current) return { status: 'not_found' };
    return current.status === 'claimed' ? { status: 'already_claimed', case: current } : { status: 'not_open', case: current };
  }

  async updateCase(update: {
    case: EscalationCase;
    conversation?: Conversation;
    messages?: StoredMessage[];
    outbox?: NewOutboxItem[];
  }): Promise<void> {
    await this.transaction(async (client) => {
      if (update.conversation) await upsertConversation(client, update.conversation);
      const record = update.case;
      const result = await client.query({
        name: 'candor_update_case',
        text: `UPDATE cases SET ref = $2, conversation_id = $3, customer_ref = $4, locale = $5, intent = $6, decision_id = $7,
                 reasons_shown = $8::jsonb, trigger = $9, restricted = $10, note = $11, status = $12, agent_id = $13,
                 agent_name = $14, rating = $15, created_at = $16, claimed_at = $17, resolved_at = $18
               WHERE id = $1`,
        values: caseValues(record),
      });
      if (result.rowCount === 0) throw new CandorError('case_not_found', `no case ${record.id} to update`);
      for (const message of update.messages ?? []) await insertMessage(client, message);
      for (const item of update.outbox ?? []) await insertOutbox(client, item);
    });
  }

  async listExplanations(query: ExplanationQuery): Promise<ExplanationRecord[]> {
    const rows = await this.query(
      'candor_list_explanations',
      `SELECT ${EXPLANATION_COLUMNS} FROM explanations
       WHERE ($1::text IS NULL OR customer_id = $1)
         AND ($2::timestamptz IS NULL OR created_at >= $2)
         AND ($3::timestamptz IS NULL OR created_at < $3)
       ORDER BY created_at, id`,
      [
        query.customerId ?? null,
        query.from === undefined ? null : toIsoInstant(query.from),
        query.to === undefined ? null : toIsoInstant(query.to),
      ],
    );
    return rows.map(explanationFromRow);
  }

  async claimOutbox(limit: number, now: string, leaseMs: number): Promise<OutboxItem[]> {
    const cap = checkLimit(limit);
    if (cap === 0) return [];
    const at = toIsoInstant(now);
    const leaseUntil = new Date(Date.parse(at) + Math.max(0, leaseMs)).toISOString();
    // Only the oldest pending item of a case is eligible, so a case never has two items in flight.
    // SKIP LOCKED passes over rows another instance is leasing right now; when that instance has
    // already committed, the row is re-checked against `next_attempt_at <= now` and, being leased
    // into the future, dropped, so two instances never lease the same item.
    const rows = await this.query(
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
    await this.query(
      'candor_complete_outbox',
      `UPDATE outbox SET status = 'done', result = $2::jsonb, last_error = NULL WHERE id = $1`,
      [id, JSON.stringify(result)],
    );
  }

  async retryOutbox(id: string, nextAttemptAt: string, error: string, options: { countsAsAttempt?: boolean } = {}): Promise<void> {
    await this.query(
      'candor_retry_outbox',
      `UPDATE outbox SET next_attempt_at = $2, last_error = $3, attempts = greatest(0, attempts - $4::int) WHERE id = $1 AND status = 'pending'`,
      [id, toIsoInstant(nextAttemptAt), truncateError(error), options.countsAsAttempt === false ? 1 : 0],
    );
  }

  async releaseOutbox(now: string): Promise<number> {
    // A leased item has no last error (the lease clears it), so only items waiting to retry move.
    const rows = await this.query(
      'candor_release_outbox',
      `UPDATE outbox SET next_attempt_at = $1 WHERE status = 'pending' AND last_error IS NOT NULL AND next_attempt_at > $1 RETURNING seq`,
      [toIsoInstant(now)],
    );
    return rows.length;
  }

  async deadLetterCaseOutbox(caseId: string, error: string): Promise<number> {
    const rows = await this.query(
      'candor_dead_letter_case_outbox',
      `UPDATE outbox SET status = 'dead', last_error = $2 WHERE case_id = $1 AND status = 'pending' RETURNING seq`,
      [caseId, truncateError(error)],
    );
    return rows.length;
  }

  async deadLetterOutbox(id: string, error: string): Promise<void> {
    await this.query(
      'candor_dead_letter_outbox',
      `UPDATE outbox SET status = 'dead', last_error = $2 WHERE id = $1 AND status = 'pending'`,
      [id, truncateError(error)],
    );
  }

  async outboxResults(caseId: string, topic: NewOutboxItem['topic']): Promise<Record<string, unknown>[]> {
    const rows = await this.query(
      'candor_outbox_results',
      `SELECT result FROM outbox WHERE case_id = $1 AND topic = $2 AND status = 'done' ORDER BY seq`,
      [caseId, topic],
    );
    return rows.map((row) => outboxResultFromColumn(row['result']));
  }

  async outboxStats(now: string): Promise<{ pending: number; dead: number; oldestPendingAgeMs: number | null }> {
    const at = Date.parse(toIsoInstant(now));
    const rows = await this.query(
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

  async markEventSeen(eventId: string, at: string): Promise<boolean> {
    return this.withClient(async (client) => {
      const result = await client.query({
        name: 'candor_mark_event_seen',
        text: 'INSERT INTO seen_events (event_id, seen_at) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING',
        values: [eventId, toIsoInstant(at)],
      });
      return result.rowCount === 1;
    });
  }

  async enqueueDelivery(delivery: PendingDelivery): Promise<void> {
    await this.query(
      'candor_enqueue_delivery',
      `INSERT INTO pending_deliveries (recipient, id, payload, created_at) VALUES ($1, $2, $3::jsonb, $4)
       ON CONFLICT (recipient, id) DO NOTHING`,
      [delivery.recipient, delivery.id, delivery.payloadJson ?? JSON.stringify(delivery.payload), toIsoInstant(delivery.createdAt)],
    );
  }

  async listPendingDeliveries(recipient: string, options: { includeAckedSince?: string } = {}): Promise<PendingDelivery[]> {
    const since = options.includeAckedSince === undefined ? null : toIsoInstant(options.includeAckedSince);
    const rows = await this.query(
      'candor_list_deliveries',
      `SELECT id, recipient, payload, created_at, acked_at FROM pending_deliveries
       WHERE recipient = $1 AND (acked_at IS NULL OR acked_at >= $2::timestamptz) ORDER BY seq`,
      [recipient, since],
    );
    return rows.map(deliveryFromRow);
  }

  async ackDelivery(recipient: string, id: string): Promise<void> {
    const now = Date.now();
    await this.query(
      'candor_ack_delivery',
      `WITH acked AS (
         UPDATE pending_deliveries SET acked_at = $3 WHERE recipient = $1 AND id = $2 AND acked_at IS NULL
       )
       DELETE FROM pending_deliveries WHERE recipient = $1 AND acked_at < $4`,
      [recipient, id, new Date(now).toISOString(), new Date(now - ACKED_DELIVERY_KEEP_MS).toISOString()],
    );
  }

  async ping(): Promise<void> {
    await this.query('candor_ping', 'SELECT 1', []);
  }

  async summarizeConversations(range: TimeRange): Promise<ConversationSummary[]> {
    const rows = await this.query(
      'candor_summarize_conversations',
      `SELECT c.id, c.channel, c.created_at, c.bot_rating,
         (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id AND m.author = 'customer')::int AS customer_messages,
         (SELECT count(*) FROM cases k WHERE k.conversation_id = c.id)::int AS case_count
       FROM conversations c WHERE c.created_at >= $1 AND c.created_at < $2
       ORDER BY c.created_at, c.id`,
      rangeValues(range),
    );
    return rows.map(conversationSummaryFromRow);
  }

  async listCasesCreated(range: TimeRange): Promise<EscalationCase[]> {
    const rows = await this.query(
      'candor_list_cases_created',
      `SELECT ${CASE_COLUMNS} FROM cases WHERE created_at >= $1 AND created_at < $2 ORDER BY created_at, id`,
      rangeValues(range),
    );
    return rows.map(caseFromRow);
  }

  async countCustomerIntents(range: TimeRange): Promise<CountedValue[]> {
    const rows = await this.query(
      'candor_count_customer_intents',
      `SELECT intent AS value, count(*)::int AS count FROM messages
       WHERE author = 'customer' AND intent IS NOT NULL AND created_at >= $1 AND created_at < $2
       GROUP BY intent ORDER BY count DESC, intent COLLATE "C"`,
      rangeValues(range),
    );
    return rows.map(countedValueFromRow);
  }

  async topCustomerTexts(range: TimeRange, intent: string, limit: number): Promise<CountedValue[]> {
    const rows = await this.query(
      'candor_top_customer_texts',
      `SELECT text AS value, count(*)::int AS count FROM messages
       WHERE author = 'customer' AND intent = $3 AND text <> '' AND created_at >= $1 AND created_at < $2
       GROUP BY text ORDER BY count DESC, text COLLATE "C" LIMIT $4`,
      [...rangeValues(range), intent, checkLimit(limit)],
    );
    return rows.map(countedValueFromRow);
  }

  async purgeTranscripts(input: { before: string; now: string; newId: () => string }): Promise<TranscriptPurgeResult> {
    const before = toIsoInstant(input.before);
    const now = toIsoInstant(input.now);
    return this.transaction(async (client) => {
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
    return this.transaction(async (client) => {
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
    return this.transaction(async (client) => {
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

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  private async query(name: string, text: string, values: unknown[]): Promise<QueryResultRow[]> {
    return this.withClient(async (client) => (await client.query({ name, text, values })).rows);
  }

  /** Borrows a connection; a failure to get one is an outage, a failing statement is classified by its SQLSTATE. */
  private async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw new CandorError('storage_unavailable', 'could not connect to Postgres', { cause: error });
    }
    let broken: Error | undefined;
    // Checked out, the client has no pool listener; a connection lost between two statements must not
    // become an unhandled 'error' event (the statement in progress, if any, fails on its own).
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    try {
      return await work(client);
    } catch (error) {
      const failure = storageError(error);
      if (failure.code === 'storage_unavailable') broken = failure;
      throw failure;
    } finally {
      client.off('error', onError);
      // Releasing with an error destroys the connection instead of returning a broken one to the pool.
      client.release(broken);
    }
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          throw new CandorError('storage_unavailable', 'Postgres transaction failed, and so did its rollback', {
            cause: new AggregateError([error, rollbackError]),
          });
        }
        throw error;
      }
    });
  }
}

function rangeValues(range: TimeRange): [string, string] {
  return [toIsoInstant(range.from), toIsoInstant(range.to)];
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

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) throw new CandorError('internal', `limit must be a non-negative integer, got ${limit}`);
  return limit;
}

/**
 * Connection loss, shutdown and resource exhaustion are outages; constraint and data errors from the
 * server, and programming errors on our side, are bugs.
 */
function storageError(error: unknown): CandorError {
  if (error instanceof CandorError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const isServerError = error instanceof pg.DatabaseError;
  const isOurBug = error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError;
  // pg reports a dropped connection as a plain Error without a code, so anything else is taken as an outage.
  const isOutage = isServerError ? /^(08|53|57P|58)/.test(code) : !isOurBug;
  return new CandorError(isOutage ? 'storage_unavailable' : 'internal', `Postgres ${isServerError ? 'statement' : 'call'} failed${code ? ` (${code})` : ''}`, {
    cause: error,
  });
}

async function upsertConversation(client: PoolClient, conversation: Conversation): Promise<void> {
  await client.query({
    name: 'candor_upsert_conversation',
    text: `INSERT INTO conversations (${CONVERSATION_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (id) DO UPDATE SET
             channel = excluded.channel, customer_id = excluded.customer_id, locale = excluded.locale, state = excluded.state,
             case_id = excluded.case_id, consecutive_misses = excluded.consecutive_misses, last_intent = excluded.last_intent,
             awaiting_rating = excluded.awaiting_rating, bot_rating = excluded.bot_rating, context = excluded.context,
             updated_at = excluded.updated_at`,
    values: [
      conversation.id,
      conversation.channel,
      conversation.customerId,
      conversation.locale,
      conversation.state,
      conversation.caseId,
      conversation.consecutiveMisses,
      conversation.lastIntent,
      conversation.awaitingRating,
      conversation.botRating,
      JSON.stringify(conversation.context),
      toIsoInstant(conversation.createdAt),
      toIsoInstant(conversation.updatedAt),
    ],
  });
}

/**
 * Thrown inside saveTurn's transaction when its customer message is a resend, to roll the turn back.
 * A CandorError, so the connection wrapper passes it through as it is (it is not an outage).
 */
class ResentTurn extends CandorError {
  constructor() {
    super('internal', "the turn's customer message was already stored (a resend)");
  }
}

/** Inserts a message; false when a message with its client id is already stored for the conversation (nothing inserted). */
async function insertMessage(client: PoolClient, message: StoredMessage): Promise<boolean> {
  const result = await client.query({
    name: 'candor_insert_message',
    text: `INSERT INTO messages (id, conversation_id, author, text, intent, confidence, client_message_id, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (conversation_id, client_message_id) DO NOTHING`,
    values: [
      message.id,
      message.conversationId,
      message.author,
      message.text,
      message.intent,
      message.confidence,
      message.clientMessageId,
      toIsoInstant(message.createdAt),
    ],
  });
  return (result.rowCount ?? 0) > 0;
}

async function insertExplanation(client: PoolClient, record: ExplanationRecord): Promise<void> {
  await client.query({
    name: 'candor_insert_explanation',
    text: `INSERT INTO explanations (${EXPLANATION_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb, $9, $10, $11)`,
    values: [
      record.id,
      record.conversationId,
      record.customerId,
      record.decisionId,
      record.locale,
      JSON.stringify(record.codesShown),
      JSON.stringify(record.codesSuppressed),
      JSON.stringify(record.templateIds),
      record.contentVersion,
      record.reviewRequested,
      toIsoInstant(record.createdAt),
    ],
  });
}

function caseValues(record: EscalationCase): unknown[] {
  return [
    record.id,
    record.ref,
    record.conversationId,
    record.customerRef,
    record.locale,
    record.intent,
    record.decisionId,
    JSON.stringify(record.reasonsShown),
    record.trigger,
    record.restricted,
    record.note,
    record.status,
    record.agentId,
    record.agentName,
    record.rating,
    toIsoInstant(record.createdAt),
    record.claimedAt === null ? null : toIsoInstant(record.claimedAt),
    record.resolvedAt === null ? null : toIsoInstant(record.resolvedAt),
  ];
}

async function insertCase(client: PoolClient, record: EscalationCase): Promise<void> {
  await client.query({
    name: 'candor_insert_case',
    text: `INSERT INTO cases (${CASE_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
    values: caseValues(record),
  });
}

async function insertOutbox(client: PoolClient, item: NewOutboxItem): Promise<void> {
  await client.query({
    name: 'candor_insert_outbox',
    text: `INSERT INTO outbox (id, topic, case_id, payload, created_at, status, attempts, next_attempt_at)
           VALUES ($1, $2, $3, $4::jsonb, $5, 'pending', 0, $5)`,
    values: [item.id, item.topic, item.caseId, JSON.stringify(item.payload), toIsoInstant(item.createdAt)],
  });
}
