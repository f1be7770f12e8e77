import type { Conversation, StoredMessage } from '../conversation.js';
import type { EscalationCase, ExplanationRecord } from '../escalation-case.js';
import type { NewOutboxItem } from '../outbox.js';

/** Everything one turn writes, stored in one transaction. */
export interface TurnWrite {
  conversation: Conversation;
  messages: StoredMessage[];
  explanations: ExplanationRecord[];
  /** A case opened by this turn. */
  openedCase?: EscalationCase;
  outbox: NewOutboxItem[];
}

/** What a turn reads before it runs: the stored conversation (null when new) and whether the message is a resend. */
export interface TurnState {
  conversation: Conversation | null;
  /**
   * True when a customer message with this client id is already stored. A store may answer false
   * without looking, since `saveTurn` finds a resend anyway (and then stores nothing).
   */
  hasClientMessage: boolean;
}

/** What `saveTurn` did: stored the turn, or stored nothing because its customer message was a resend. */
export type SaveTurnOutcome = 'stored' | 'duplicate';

/** Conversations and their transcripts: what a turn reads and writes. */
export interface TurnStore {
  getConversation(id: string): Promise<Conversation | null>;
  /** Returns true when a customer message with this client id was already stored for the conversation. */
  hasClientMessage(conversationId: string, clientMessageId: string): Promise<boolean>;
  /**
   * Optional: the conversation and whether a customer message with this client id is already stored, in
   * one read (what a turn starts with); without it a turn calls `getConversation` and `hasClientMessage`.
   */
  loadTurnState?(conversationId: string, clientMessageId: string | null): Promise<TurnState>;
  /**
   * Stores a turn atomically. When the turn's customer message has a client id already stored for the
   * conversation (a resend), nothing of the turn is stored and the outcome is 'duplicate'.
   */
  saveTurn(write: TurnWrite): Promise<SaveTurnOutcome>;
  listMessages(conversationId: string, limit?: number): Promise<StoredMessage[]>;
}
