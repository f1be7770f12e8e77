import type { Conversation } from './conversation.js';
import type { EscalationTrigger } from './escalation-case.js';
import { OUT_OF_SCOPE, type Classification } from './ports/intent-classifier.js';
import type { IntentProfile } from './ports/intent-directory.js';

/** Tunable thresholds of the dialogue policy. */
export interface PolicySettings {
  /** Below this confidence an in-scope guess is confirmed with a clarifying question. */
  clarifyBelow: number;
  /** Sentiment at or below this is strongly negative and hands the conversation to a person. */
  negativeSentimentAtOrBelow: number;
  /** Misses in a row (clarifications or out of scope) after which a person is offered. */
  offerAgentAfterMisses: number;
  /** Misses in a row after which the conversation is handed to a person. */
  escalateAfterMisses: number;
}

/** Defaults chosen with the NLU's calibrated confidence in mind. */
export const DEFAULT_POLICY_SETTINGS: PolicySettings = {
  clarifyBelow: 0.5,
  negativeSentimentAtOrBelow: -0.5,
  offerAgentAfterMisses: 2,
  escalateAfterMisses: 3,
};

/** What the policy knows about the current message. */
export interface PolicyInput {
  conversation: Conversation;
  /** The redacted text, trimmed. */
  text: string;
  /** The intent named outright by a deep link or a quick reply, if any. */
  topicIntent: IntentProfile | undefined;
  /** True when the message named a topic alias that does not exist. */
  unknownTopic: boolean;
  classification: Classification | null;
  profileOf: (intentId: string) => IntentProfile | undefined;
  sentiment: number;
}

/** The next move of the conversation. */
export type PolicyDecision =
  | { action: 'relay_to_agent' }
  | { action: 'record_rating'; rating: number }
  | { action: 'greet' }
  | { action: 'smalltalk'; intent: 'smalltalk.greeting' | 'smalltalk.thanks' | 'smalltalk.goodbye' }
  | { action: 'clarify'; intents: string[]; miss: true }
  | { action: 'out_of_scope'; offerAgent: boolean; miss: true }
  | { action: 'escalate'; trigger: EscalationTrigger }
  | { action: 'answer'; intent: IntentProfile; escalate: EscalationTrigger | null };

const SMALLTALK = new Set(['smalltalk.greeting', 'smalltalk.thanks', 'smalltalk.goodbye']);

/** Decides the next move from the conversation state and what was understood; pure. */
export function decideNextMove(input: PolicyInput, settings: PolicySettings = DEFAULT_POLICY_SETTINGS): PolicyDecision {
  const { conversation } = input;
  if (conversation.state === 'queued' || conversation.state === 'claimed') return { action: 'relay_to_agent' };

  if (conversation.awaitingRating) {
    const rating = parseRating(input.text);
    if (rating !== null) return { action: 'record_rating', rating };
  }

  if (input.topicIntent) return answerOrSmalltalk(input.topicIntent, null);
  if (input.unknownTopic || (input.text === '' && !input.classification)) return { action: 'greet' };

  const classification = input.classification;
  const isNegative = input.sentiment <= settings.negativeSentimentAtOrBelow;
  const misses = conversation.consecutiveMisses + 1;

  const profile = classification && classification.intent !== OUT_OF_SCOPE ? input.profileOf(classification.intent) : undefined;
  const isUnsure = !classification || !profile || (classification.confidence < settings.clarifyBelow && !SMALLTALK.has(profile.id));
  if (isUnsure && isNegative) return { action: 'escalate', trigger: 'negative_sentiment' };
  if (isUnsure && misses >= settings.escalateAfterMisses) return { action: 'escalate', trigger: 'repeated_misses' };

  if (!classification || !profile) {
    return { action: 'out_of_scope', offerAgent: misses >= settings.offerAgentAfterMisses, miss: true };
  }

  if (isUnsure && classification.runnersUp.length > 0) {
    const intents = [classification.intent, ...classification.runnersUp.map((r) => r.intent)].slice(0, 2);
    return { action: 'clarify', intents, miss: true };
  }

  return answerOrSmalltalk(profile, isNegative ? 'negative_sentiment' : null);
}

function answerOrSmalltalk(profile: IntentProfile, negative: EscalationTrigger | null): PolicyDecision {
  if (SMALLTALK.has(profile.id)) {
    if (negative) return { action: 'escalate', trigger: negative };
    return { action: 'smalltalk', intent: profile.id as 'smalltalk.greeting' | 'smalltalk.thanks' | 'smalltalk.goodbye' };
  }
  return { action: 'answer', intent: profile, escalate: profile.escalate ?? negative };
}

/** Reads a 1–5 rating from a reply such as "4", "4/5" or "★★★★". */
export function parseRating(text: string): number | null {
  const trimmed = text.trim();
  const digits = /^([1-5])(?:\s*\/\s*5)?$/.exec(trimmed);
  if (digits?.[1]) return Number(digits[1]);
  if (/^★{1,5}$/.test(trimmed)) return trimmed.length;
  return null;
}
