import { CandorError } from '../../core/candor-error.js';
import type { Conversation, StoredMessage } from '../../core/conversation.js';
import type { CaseStatus, EscalationCase } from '../../core/escalation-case.js';
import type { NewOutboxItem } from '../../core/outbox.js';
import type { CaseStore, ClaimResult } from '../../core/ports/case-store.js';
import { caseFromRow, toIsoInstant } from '../stored-rows.js';
import type { PostgresConnection } from './postgres-connection.js';
import { CASE_COLUMNS, caseValues, insertMessage, insertOutbox, upsertConversation } from './postgres-row-writes.js';

/** Escalation cases in Postgres: claimed with a conditional UPDATE, changed with their conversation in one transaction. */
export class PostgresCaseStore implements CaseStore {
  constructor(private readonly connection: PostgresConnection) {}

  async getCase(id: string): Promise<EscalationCase | null> {
    const rows = await this.connection.query('candor_get_case', `SELECT ${CASE_COLUMNS} FROM cases WHERE id = $1`, [id]);
    return rows[0] ? caseFromRow(rows[0]) : null;
  }

  async getCaseByRef(ref: string): Promise<EscalationCase | null> {
    const rows = await this.connection.query('candor_get_case_by_ref', `SELECT ${CASE_COLUMNS} FROM cases WHERE ref = $1`, [ref]);
    return rows[0] ? caseFromRow(rows[0]) : null;
  }

  async listCases(statuses: CaseStatus[]): Promise<EscalationCase[]> {
    if (statuses.length === 0) return [];
    const rows = await this.connection.query(
      'candor_list_cases',
      `SELECT ${CASE_COLUMNS} FROM cases WHERE status = ANY($1::text[]) ORDER BY created_at, id`,
      [statuses],
    );
    return rows.map(caseFromRow);
  }

  async claimCase(caseId: string, agent: { id: string; name: string }, at: string): Promise<ClaimResult> {
    // The status test inside the UPDATE is what makes the claim atomic: the second claim waits on the
    // row lock, re-reads the row, finds it no longer queued and updates nothing.
    const claimed = await this.connection.query(
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
    await this.connection.transaction(async (client) => {
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

  async markEventSeen(eventId: string, at: string): Promise<boolean> {
    return this.connection.withClient(async (client) => {
      const result = await client.query({
        name: 'candor_mark_event_seen',
        text: 'INSERT INTO seen_events (event_id, seen_at) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING',
        values: [eventId, toIsoInstant(at)],
      });
      return result.rowCount === 1;
    });
  }
}
