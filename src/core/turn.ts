import type { ChannelName, ConversationState } from './conversation.js';
import type { EscalationTrigger } from './escalation-case.js';
import type { Locale } from './locale.js';
import type { OutgoingReply } from './reply.js';

/** A customer message as a channel hands it to the core, identity already verified by the channel. */
export interface IncomingMessage {
  conversationId: string;
  channel: ChannelName;
  /** Verified customer id, or null for an anonymous visitor. */
  customerId: string | null;
  locale: Locale;
  /** Raw text as typed (NFKC-normalised by the channel); redacted by the core before storage. */
  text: string;
  /** The client's id for this message, so a resent message is processed once. */
  clientMessageId?: string;
  /** A deep-link alias or quick-reply topic that names the intent outright, skipping the classifier. */
  topic?: string;
}

/** What one turn produced: the replies, plus internals for the CLI, tests and audit (never sent to customers). */
export interface TurnResult {
  replies: OutgoingReply[];
  intent: string | null;
  confidence: number | null;
  state: ConversationState;
  /** Reason codes shown to the customer in this turn, in order. */
  reasonsShown: string[];
  /** True when this message was a resend already processed. */
  duplicate: boolean;
  /** What the dialogue policy chose, for metrics (`answer`, `clarify`, `out_of_scope`, …); null for a duplicate. */
  action: string | null;
  /** The trigger of a case this turn opened, if any. */
  escalation: EscalationTrigger | null;
}

/** Handles one customer message end to end. */
export interface TurnHandler {
  handle(message: IncomingMessage): Promise<TurnResult>;
}
