import type { Conversation, StoredMessage } from './conversation.js';
import type { EscalationCase, ExplanationRecord } from './escalation-case.js';
import type { NewOutboxItem } from './outbox.js';
import type { ComposedReply } from './ports/reply-composer.js';
import type { ReplyAct, ReplyEvent } from './reply.js';

/** A bot reply composed during a turn, before it gets its id and the final state. */
export interface DraftReply {
  composed: ComposedReply;
  act: ReplyAct;
  event?: ReplyEvent;
}

/** Everything a turn decides before it is saved and sent; mutated only by the turn that owns it. */
export interface TurnDraft {
  conversation: Conversation;
  customerMessage: StoredMessage;
  /** The topic the message named (deep link or quick reply), if any. */
  topic: string | null;
  replies: DraftReply[];
  explanations: ExplanationRecord[];
  openedCase?: EscalationCase;
  /** A case changed by this turn (a rating), saved with the conversation. */
  updatedCase?: EscalationCase;
  outbox: NewOutboxItem[];
  reasonsShown: string[];
  /** Set when a case was due but a cap refused it: the customer gets the calm answer instead of the hand-over. */
  escalationLimited?: boolean;
}
