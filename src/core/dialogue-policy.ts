import { REASON_DETAIL_INTENT, type ConversationContext } from './conversation-context.js';
import type { Conversation } from './conversation.js';
import type { EscalationTrigger } from './escalation-case.js';
import { OUT_OF_SCOPE, type Classification } from './ports/intent-classifier.js';
import type { IntentProfile } from './ports/intent-directory.js';
import type { ReasonReference } from './ports/reason-reference-reader.js';
import { FOLLOW_UP_INTENTS, type FollowUpMove, NEXT_REVIEW_INTENT, pickOfferedChoice, resolveFollowUp } from './resolve-follow-up.js';

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
  /**
   * When the best intent's confidence leads the runner-up's by less than this, the customer is asked which
   * one they meant; calibrated on the project's held-out lines (0 never asks).
   */
  clarifyMargin: number;
}

/** Defaults chosen with the NLU's calibrated confidence in mind. */
export const DEFAULT_POLICY_SETTINGS: PolicySettings = {
  clarifyBelow: 0.5,
  negativeSentimentAtOrBelow: -0.5,
  offerAgentAfterMisses: 2,
  escalateAfterMisses: 3,
  clarifyMargin: 0,
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
  /** Which reason or offered choice the message names, if any ("the second one", "the utilisation one"). */
  reference: ReasonReference;
  /** The position a reason quick reply (`reason-2`) named, if the message was one. */
  reasonTopic: number | null;
}

/** The next move of the conversation. */
export type PolicyDecision =
  | { action: 'relay_to_agent' }
  | { action: 'record_rating'; rating: number }
  | { action: 'greet' }
  | { action: 'smalltalk'; intent: 'smalltalk.greeting' | 'smalltalk.thanks' | 'smalltalk.goodbye' }
  /** Ask which intent was meant: a miss when confidence was low, not when two intents were close. */
  | { action: 'clarify'; intents: string[]; miss: boolean }
  /** Answer about the decision the conversation last explained. */
  | { action: 'follow_up'; intent: IntentProfile; move: FollowUpMove; escalate: EscalationTrigger | null }
  | { action: 'out_of_scope'; offerAgent: boolean; miss: true }
  | { action: 'escalate'; trigger: EscalationTrigger }
  | { action: 'answer'; intent: IntentProfile; escalate: EscalationTrigger | null };

const SMALLTALK = new Set(['smalltalk.greeting', 'smalltalk.thanks', 'smalltalk.goodbye']);

/** Decides the next move from the conversation state, its context and what was understood; pure. */
export function decideNextMove(input: PolicyInput, settings: PolicySettings = DEFAULT_POLICY_SETTINGS): PolicyDecision {
  const { conversation } = input;
  const context = conversation.context;
  if (conversation.state === 'queued' || conversation.state === 'claimed') return { action: 'relay_to_agent' };

  if (conversation.awaitingRating) {
    const rating = parseRating(input.text);
    if (rating !== null) return { action: 'record_rating', rating };
  }

  const detailProfile = input.profileOf(REASON_DETAIL_INTENT);
  if (input.reasonTopic !== null && detailProfile) {
    return followUp(detailProfile, context, { kind: 'position', position: input.reasonTopic }, conversation.lastIntent, null);
  }
  if (input.topicIntent) return answerOrFollowUp(input.topicIntent, context, input.reference, conversation.lastIntent, null);
  if (input.unknownTopic || (input.text === '' && !input.classification)) return { action: 'greet' };

  // A reply to "which did you mean?" by number or position picks one of the offered choices.
  const picked = pickOfferedChoice(context, input.reference);
  const pickedProfile = picked ? input.profileOf(picked.intent) : undefined;
  if (picked && pickedProfile) {
    const reference: ReasonReference = picked.reasonPosition === undefined ? { kind: 'none' } : { kind: 'position', position: picked.reasonPosition };
    return answerOrFollowUp(pickedProfile, context, reference, conversation.lastIntent, null);
  }

  const classification = input.classification;
  const isNegative = input.sentiment <= settings.negativeSentimentAtOrBelow;
  const negative: EscalationTrigger | null = isNegative ? 'negative_sentiment' : null;
  const misses = conversation.consecutiveMisses + 1;

  const profile = classification && classification.intent !== OUT_OF_SCOPE ? input.profileOf(classification.intent) : undefined;
  const isUnsure = !classification || !profile || (classification.confidence < settings.clarifyBelow && !SMALLTALK.has(profile.id));

  // "the utilisation one", "what about the second?" right after an explanation: a reason of it, whatever the
  // classifier made of words it has never seen together, unless it clearly heard something else.
  if (detailProfile && (namesShownReason(context, input.reference) || asksAboutReasonTopic(context, input.reference, profile?.id)) && (isUnsure || refersToReasons(input.reference, profile?.id))) {
    return followUp(detailProfile, context, input.reference, conversation.lastIntent, negative);
  }

  if (isUnsure && isNegative) return { action: 'escalate', trigger: 'negative_sentiment' };
  if (isUnsure && misses >= settings.escalateAfterMisses) return { action: 'escalate', trigger: 'repeated_misses' };

  if (!classification || !profile) {
    return { action: 'out_of_scope', offerAgent: misses >= settings.offerAgentAfterMisses, miss: true };
  }

  if (isUnsure && classification.runnersUp.length > 0) {
    const intents = [classification.intent, ...classification.runnersUp.map((r) => r.intent)].slice(0, 2);
    return { action: 'clarify', intents, miss: true };
  }

  const runnerUp = classification.runnersUp[0];
  if (runnerUp && classification.confidence - runnerUp.confidence < settings.clarifyMargin && !SMALLTALK.has(profile.id) && !SMALLTALK.has(runnerUp.intent)) {
    return { action: 'clarify', intents: [classification.intent, runnerUp.intent], miss: false };
  }

  return answerOrFollowUp(profile, context, input.reference, conversation.lastIntent, negative);
}

/**
 * Intents a position ("the second one") is read as a question about that reason from: the classifier's
 * near misses. A reason named by its topic is a weaker sign ("how do I increase my limit" names no
 * reason, though "increase" may be a word for one), so it overrides only the intents about reasons.
 */
const POSITION_REFERS_FROM: ReadonlySet<string> = new Set([
  REASON_DETAIL_INTENT,
  'limit.what_to_do',
  'limit.why_dropped',
  'limit.increase_denied',
  'limit.how_to_increase',
  'account.frozen',
  'repayment.overdue_impact',
]);
// "What is utilisation?" or "I uploaded my payslip" right after a utilisation or income reason was shown is about
// that reason, not the general answer.
const TOPIC_REFERS_FROM: ReadonlySet<string> = new Set([
  REASON_DETAIL_INTENT,
  'limit.what_to_do',
  'repayment.overdue_impact',
  'limit.utilisation',
  'account.documents_status',
]);

function refersToReasons(reference: ReasonReference, intent: string | undefined): boolean {
  return (reference.kind === 'topic' ? TOPIC_REFERS_FROM : POSITION_REFERS_FROM).has(intent ?? '');
}

/** Intents whose general answer is about one reason's topic: after an explanation, a question naming that topic is about the decision's reasons. */
const REASON_TOPIC_INTENTS: ReadonlySet<string> = new Set(['limit.utilisation']);

/** True when, after an explanation with reasons, the message names a reason's topic and was heard as that topic's general question. */
function asksAboutReasonTopic(context: ConversationContext, reference: ReasonReference, intent: string | undefined): boolean {
  return reference.kind === 'topic' && context.explained !== null && !context.explained.neutral && REASON_TOPIC_INTENTS.has(intent ?? '');
}

/** True when the message names a reason the customer was shown: by position, "the last one", or what a shown one is about. */
function namesShownReason(context: ConversationContext, reference: ReasonReference): boolean {
  const shown = context.explained?.reasonsShown;
  if (!shown) return false;
  if (reference.kind === 'position' || reference.kind === 'last') return true;
  return reference.kind === 'topic' && reference.codes.some((code) => shown.includes(code));
}

function answerOrFollowUp(
  profile: IntentProfile,
  context: ConversationContext,
  reference: ReasonReference,
  lastIntent: string | null,
  negative: EscalationTrigger | null,
): PolicyDecision {
  const isAboutContext = FOLLOW_UP_INTENTS.has(profile.id) || (profile.id === NEXT_REVIEW_INTENT && context.explained !== null);
  if (isAboutContext) return followUp(profile, context, reference, lastIntent, negative);
  return answerOrSmalltalk(profile, negative);
}

function followUp(
  profile: IntentProfile,
  context: ConversationContext,
  reference: ReasonReference,
  lastIntent: string | null,
  negative: EscalationTrigger | null,
): PolicyDecision {
  return { action: 'follow_up', intent: profile, move: resolveFollowUp(profile.id, context, reference, lastIntent), escalate: profile.escalate ?? negative };
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
