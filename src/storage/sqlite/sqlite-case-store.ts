import type Database from 'better-sqlite3';
import { CandorError } from '../../core/candor-error.js';
import type { Conversation, StoredMessage } from '../../core/conversation.js';
import type { CaseStatus, EscalationCase } from '../../core/escalation-case.js';
import type { NewOutboxItem } from '../../core/outbox.js';
import type { CaseStore, ClaimResult } from '../../core/ports/case-store.js';
import { caseFromRow, toIsoInstant } from '../stored-rows.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { caseParams, type SqliteRowWrites } from './sqlite-row-writes.js';

type Row = Record<string, unknown>;

/** Escalation cases in SQLite: claimed with a conditional UPDATE, changed with their conversation in one transaction. */
export class SqliteCaseStore implements CaseStore {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(
    private readonly connection: SqliteConnection,
    private readonly writes: SqliteRowWrites,
  ) {
    this.sql = prepareStatements(connection.db);
  }

  async getCase(id: string): Promise<EscalationCase | null> {
    return this.connection.read(() => this.findCase(id));
  }

  async getCaseByRef(ref: string): Promise<EscalationCase | null> {
    return this.connection.read(() => {
      const row = this.sql.getCaseByRef.get(ref) as Row | undefined;
      return row ? caseFromRow(row) : null;
    });
  }

  async listCases(statuses: CaseStatus[]): Promise<EscalationCase[]> {
    if (statuses.length === 0) return [];
    return this.connection.read(() => (this.sql.listCases.all(JSON.stringify(statuses)) as Row[]).map(caseFromRow));
  }

  async claimCase(caseId: string, agent: { id: string; name: string }, at: string): Promise<ClaimResult> {
    return this.connection.write((): ClaimResult => {
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
    const stored = this.connection.write(() => {
      const conversation = update.conversation ? this.writes.upsertConversation(update.conversation) : null;
      const changed = this.sql.updateCase.run(caseParams(update.case)).changes;
      if (changed === 0) throw new CandorError('case_not_found', `no case ${update.case.id} to update`);
      for (const message of update.messages ?? []) this.writes.insertMessage(message);
      for (const item of update.outbox ?? []) this.writes.insertOutbox(item);
      return conversation;
    });
    if (stored) this.connection.memo.remember(stored);
  }

  async markEventSeen(eventId: string, at: string): Promise<boolean> {
    return this.connection.write(() => this.sql.markEventSeen.run(eventId, toIsoInstant(at)).changes === 1);
  }

  private findCase(id: string): EscalationCase | null {
    const row = this.sql.getCase.get(id) as Row | undefined;
    return row ? caseFromRow(row) : null;
  }
}

function prepareStatements(db: Database.Database) {
  return {
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
    markEventSeen: db.prepare('INSERT INTO seen_events (event_id, seen_at) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING'),
  };
}
