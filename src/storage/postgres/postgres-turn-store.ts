import type { PoolClient } from 'pg';
import type { Conversation, StoredMessage } from '../../core/conversation.js';
import type { SaveTurnOutcome, TurnState, TurnStore, TurnWrite } from '../../core/ports/turn-store.js';
import { checkLimit, conversationFromRow, messageFromRow } from '../stored-rows.js';
import type { PostgresConnection } from './postgres-connection.js';
import { PostgresGroupCommit } from './postgres-group-commit.js';
import { CONVERSATION_COLUMNS, MESSAGE_COLUMNS, ResentTurn, insertCase, insertExplanation, insertMessage, insertOutbox, upsertConversation } from './postgres-row-writes.js';
import { SAVE_TURN_SQL, fitsOneStatement, saveTurnValues } from './postgres-turn-statement.js';

/**
 * Most turns in one group-commit statement. Like SQLite's slices, it lets the first replies leave while
 * later turns are still being asked for; a batch also grows only as large as what gathered while the
 * pool's connections were busy.
 */
const MAX_TURNS_PER_BATCH = 128;

/**
 * The turn write and conversation reads in Postgres: turns of different conversations are group-committed,
 * a batch of them in one statement (one round trip, one commit), a resend found by its insert.
 */
export class PostgresTurnStore implements TurnStore {
  private readonly group: PostgresGroupCommit<TurnWrite, SaveTurnOutcome>;
  /** The reads that start turns, batched the same way: many turns' states in one round trip. */
  private readonly turnStates: PostgresGroupCommit<TurnStateRequest, TurnState>;

  constructor(private readonly connection: PostgresConnection) {
    this.group = new PostgresGroupCommit(connection, saveTurns, { maxBatch: MAX_TURNS_PER_BATCH, keyOf: (write) => write.conversation.id });
    this.turnStates = new PostgresGroupCommit(connection, loadTurnStates, { maxBatch: MAX_TURNS_PER_BATCH });
  }

  /** Resolves once every queued turn has been committed or has failed. */
  async drain(): Promise<void> {
    await Promise.all([this.group.drain(), this.turnStates.drain()]);
  }

  async getConversation(id: string): Promise<Conversation | null> {
    const rows = await this.connection.query('candor_get_conversation', `SELECT ${CONVERSATION_COLUMNS} FROM conversations WHERE id = $1`, [id]);
    return rows[0] ? conversationFromRow(rows[0]) : null;
  }

  async loadTurnState(conversationId: string, clientMessageId: string | null): Promise<TurnState> {
    return this.turnStates.write({ conversationId, clientMessageId });
  }

  async hasClientMessage(conversationId: string, clientMessageId: string): Promise<boolean> {
    const rows = await this.connection.query(
      'candor_has_client_message',
      'SELECT 1 FROM messages WHERE conversation_id = $1 AND client_message_id = $2',
      [conversationId, clientMessageId],
    );
    return rows.length > 0;
  }

  async saveTurn(write: TurnWrite): Promise<SaveTurnOutcome> {
    if (fitsOneStatement(write)) return this.group.write(write);
    return this.saveTurnStatementByStatement(write);
  }

  /** A turn of another shape (a client id on a message after the first): one transaction, a statement per row. */
  private async saveTurnStatementByStatement(write: TurnWrite): Promise<SaveTurnOutcome> {
    try {
      return await this.connection.transaction<SaveTurnOutcome>(async (client) => {
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
    const rows = await this.connection.query(
      'candor_list_messages',
      `SELECT ${MESSAGE_COLUMNS} FROM (
         SELECT ${MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY seq DESC LIMIT $2
       ) latest ORDER BY seq`,
      [conversationId, cap],
    );
    return rows.map(messageFromRow);
  }
}

/** What a turn reads first: its conversation, and whether its client message id is already stored. */
interface TurnStateRequest {
  conversationId: string;
  clientMessageId: string | null;
}

/** The state of each requested turn, in one statement; a conversation not stored yet comes back as nulls. */
const LOAD_TURN_STATES_SQL = `
  SELECT ${CONVERSATION_COLUMNS}, (r.client_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.client_message_id = r.client_id)) AS has_client_message
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS r(conversation_id, client_id, n)
  LEFT JOIN conversations c ON c.id = r.conversation_id
  ORDER BY r.n`;

/** Reads a batch of turn states in one statement, in the batch's order. */
async function loadTurnStates(client: PoolClient, requests: readonly TurnStateRequest[]): Promise<TurnState[]> {
  const { rows } = await client.query({
    name: 'candor_load_turn_states',
    text: LOAD_TURN_STATES_SQL,
    values: [requests.map((request) => request.conversationId), requests.map((request) => request.clientMessageId)],
  });
  return rows.map((row) =>
    // No conversation means no message of it either (messages reference their conversation).
    row.id === null ? { conversation: null, hasClientMessage: false } : { conversation: conversationFromRow(row), hasClientMessage: row.has_client_message === true },
  );
}

/** Writes a batch of turns in one statement; each turn's outcome, in the batch's order. */
async function saveTurns(client: PoolClient, writes: readonly TurnWrite[]): Promise<SaveTurnOutcome[]> {
  const { rows } = await client.query({ name: 'candor_save_turn', text: SAVE_TURN_SQL, values: saveTurnValues(writes) });
  const stored = new Set(rows.map((row) => Number(row.turn)));
  return writes.map((_, turn) => (stored.has(turn) ? 'stored' : 'duplicate'));
}
