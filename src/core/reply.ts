import type { ConversationState } from './conversation.js';

/** A quick-reply button: its label, and the topic alias it opens (so no NLU guess is needed). */
export interface Suggestion {
  label: string;
  /** A deep-link alias from intents/, e.g. `limit-drop`; absent for free text such as a rating. */
  topic?: string;
  /** The text sent when the button is pressed; defaults to the label. */
  text?: string;
}

/** The quick-reply topic a queued customer sends to ask for a callback instead of waiting. */
export const CALLBACK_TOPIC = 'callback';

/** A link to a help-centre article. */
export interface HelpLink {
  label: string;
  url: string;
}

/** Conversation events a channel shows as a state change rather than a message. */
export type ReplyEvent = 'agent_joined' | 'agent_left' | 'bot_back' | 'queued' | 'resolved';

/**
 * What a reply does in the conversation: answers, asks which of several things was meant (its choices are
 * the suggestions), says what is out of scope, hands over to or back from a person, relays a person's
 * words, or asks for or thanks for a rating.
 */
export type ReplyAct = 'answer' | 'clarify' | 'out_of_scope' | 'handover' | 'relay' | 'rating';

/** One message to a customer: everything that may leave the server, and nothing internal. */
export interface OutgoingReply {
  /** Unique id; channels use it to acknowledge delivery exactly once. */
  id: string;
  conversationId: string;
  from: 'bot' | 'agent';
  /** The agent's display name (first name or alias) for agent messages. */
  agentName?: string;
  text: string;
  suggestions: Suggestion[];
  links: HelpLink[];
  event?: ReplyEvent;
  act: ReplyAct;
  /** The client's id of the customer message this reply answers; it also tells the client that message was stored. */
  inReplyTo?: string;
  state: ConversationState;
  createdAt: string;
}

/** Sends replies to a customer's open sessions, or keeps them until the customer comes back. */
export interface CustomerChannel {
  /** Sends or keeps one reply; callers store the reply's message first, so a reply never exists only on the wire. */
  deliver(reply: OutgoingReply): Promise<void>;
}
