import { emptyContext, type ConversationContext } from './conversation-context.js';
import type { Locale } from './locale.js';

/** Who is talking to the customer: the bot, or a person (queued, claimed), or a person who just finished. */
export type ConversationState = 'bot' | 'queued' | 'claimed' | 'resolved';

/** The channel a conversation came through. */
export type ChannelName = 'web' | 'cli' | 'test';

/** A conversation with one customer (or one anonymous visitor) and its dialogue state. */
export interface Conversation {
  id: string;
  channel: ChannelName;
  /** The verified customer id, or null for an anonymous visitor who gets general answers only. */
  customerId: string | null;
  locale: Locale;
  state: ConversationState;
  /** The open case while queued or claimed; the last case after resolution. */
  caseId: string | null;
  /** Low-confidence or out-of-scope turns in a row; reset by any understood turn. */
  consecutiveMisses: number;
  lastIntent: string | null;
  /** Set when a resolved case asked the customer for a 1–5 rating and the answer is still awaited. */
  awaitingRating: boolean;
  /** The customer's 1–5 rating of help the bot gave alone (no case), asked for when they say goodbye. */
  botRating: number | null;
  /** What the conversation last explained and offered, for follow-ups. */
  context: ConversationContext;
  createdAt: string;
  updatedAt: string;
}

/** Who wrote a stored message. */
export type MessageAuthor = 'customer' | 'bot' | 'agent' | 'system';

/** One message of a transcript; its text is always redacted before it is built. */
export interface StoredMessage {
  id: string;
  conversationId: string;
  author: MessageAuthor;
  /** Redacted text; never the raw customer input. */
  text: string;
  intent: string | null;
  confidence: number | null;
  /** The client's own id for a customer message, so a resent message is processed once. */
  clientMessageId: string | null;
  createdAt: string;
}

/** Returns a new bot-state conversation. */
export function newConversation(input: {
  id: string;
  channel: ChannelName;
  customerId: string | null;
  locale: Locale;
  now: string;
}): Conversation {
  return {
    id: input.id,
    channel: input.channel,
    customerId: input.customerId,
    locale: input.locale,
    state: 'bot',
    caseId: null,
    consecutiveMisses: 0,
    lastIntent: null,
    awaitingRating: false,
    botRating: null,
    context: emptyContext(),
    createdAt: input.now,
    updatedAt: input.now,
  };
}

/** The prefix of the opaque id an anonymised conversation gets, so no customer id survives in its key. */
export const ANONYMIZED_CONVERSATION_PREFIX = 'redacted:';
