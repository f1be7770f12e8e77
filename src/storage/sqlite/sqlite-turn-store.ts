import type Database from 'better-sqlite3';
import type { Conversation, StoredMessage } from '../../core/conversation.js';
import type { SaveTurnOutcome, TurnState, TurnStore, TurnWrite } from '../../core/ports/turn-store.js';
import { checkLimit, conversationFromRow, messageFromRow } from '../stored-rows.js';
import type { SqliteConnection } from './sqlite-connection.js';
import type { SqliteRowWrites } from './sqlite-row-writes.js';

type Row = Record<string, unknown>;

/** The turn write and conversation reads in SQLite: a turn joins the next group commit, and a remembered conversation needs no read. */
export class SqliteTurnStore implements TurnStore {
  private readonly sql: ReturnType<typeof prepareStatements>;

  constructor(
    private readonly connection: SqliteConnection,
    private readonly writes: SqliteRowWrites,
  ) {
    this.sql = prepareStatements(connection.db);
  }

  async getConversation(id: string): Promise<Conversation | null> {
    return this.connection.read(() => {
      const row = this.sql.getConversation.get(id) as Row | undefined;
      return row ? conversationFromRow(row) : null;
    });
  }

  async hasClientMessage(conversationId: string, clientMessageId: string): Promise<boolean> {
    return this.connection.read(() => this.sql.hasClientMessage.get(conversationId, clientMessageId) !== undefined);
  }

  async loadTurnState(conversationId: string, clientMessageId: string | null): Promise<TurnState> {
    return this.connection.read(() => {
      this.connection.memo.forgetIfChangedElsewhere();
      // A conversation this store knows needs no read at all: saveTurn finds a resend inside its write
      // transaction. As a read of its own, that check was a tenth of the server's CPU under load.
      const known = this.connection.memo.get(conversationId);
      if (known !== undefined) return { conversation: { ...known }, hasClientMessage: false };
      const row = this.sql.loadTurnState.get({ clientMessageId, conversationId }) as (Row & { has_client_message: number }) | undefined;
      // No conversation means no message of it either (messages reference their conversation).
      if (!row) return { conversation: null, hasClientMessage: false };
      const conversation = conversationFromRow(row);
      this.connection.memo.remember(conversation);
      return { conversation: { ...conversation }, hasClientMessage: row.has_client_message === 1 };
    });
  }

  async saveTurn(write: TurnWrite): Promise<SaveTurnOutcome> {
    let stored: Conversation | null = null;
    let outcome: SaveTurnOutcome = 'stored';
    await this.connection.writeInGroup(
      () => {
        // Inside the write transaction the resend check is one more probe of the index page the
        // message's insert reads anyway; before the turn (loadTurnState) it was a read of its own.
        stored = null;
        outcome = write.messages.some((message) => this.writes.isStoredClientMessage(message)) ? 'duplicate' : 'stored';
        if (outcome === 'duplicate') return;
        stored = this.writes.upsertConversation(write.conversation);
        for (const message of write.messages) this.writes.insertMessage(message);
        for (const explanation of write.explanations) this.writes.insertExplanation(explanation);
        if (write.openedCase) this.writes.insertCase(write.openedCase);
        for (const item of write.outbox) this.writes.insertOutbox(item);
      },
      () => {
        if (stored) this.connection.memo.remember(stored);
      },
    );
    return outcome;
  }

  async listMessages(conversationId: string, limit?: number): Promise<StoredMessage[]> {
    const cap = limit === undefined ? -1 : checkLimit(limit);
    return this.connection.read(() => (this.sql.listMessages.all(conversationId, cap) as Row[]).map(messageFromRow));
  }
}

function prepareStatements(db: Database.Database) {
  return {
    getConversation: db.prepare('SELECT * FROM conversations WHERE id = ?'),
    loadTurnState: db.prepare(`
      SELECT c.*, (@clientMessageId IS NOT NULL AND EXISTS (
        SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.client_message_id = @clientMessageId)) AS has_client_message
      FROM conversations c WHERE c.id = @conversationId`),
    hasClientMessage: db.prepare('SELECT 1 FROM messages WHERE conversation_id = ? AND client_message_id = ?'),
    listMessages: db.prepare(`
      SELECT * FROM (SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq`),
  };
}
