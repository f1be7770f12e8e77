import type { ChannelName } from '../conversation.js';
import type { EscalationCase } from '../escalation-case.js';

/** A span of time as ISO instants: `from` inclusive, `to` exclusive. */
export interface TimeRange {
  from: string;
  to: string;
}

/** One conversation as the analytics report counts it. */
export interface ConversationSummary {
  id: string;
  channel: ChannelName;
  createdAt: string;
  /** Customer messages still stored (retention removes old ones). */
  customerMessages: number;
  /** Cases opened in the conversation. */
  caseCount: number;
  /** The customer's rating of bot-only help, if they gave one. */
  botRating: number | null;
}

/** A value and how often it occurred. */
export interface CountedValue {
  value: string;
  count: number;
}

/** The read-only queries behind the operations report. */
export interface OperationsQueries {
  /** Conversations started in the range, with their customer-message and case counts, oldest first. */
  summarizeConversations(range: TimeRange): Promise<ConversationSummary[]>;
  /** Cases opened in the range, oldest first. */
  listCasesCreated(range: TimeRange): Promise<EscalationCase[]>;
  /** Customer messages in the range counted by intent, most frequent first. */
  countCustomerIntents(range: TimeRange): Promise<CountedValue[]>;
  /** The most frequent (already redacted) customer texts with this intent in the range, e.g. `oos`. */
  topCustomerTexts(range: TimeRange, intent: string, limit: number): Promise<CountedValue[]>;
}
