import { MAX_REASON_POSITION, REASON_DETAIL_INTENT, WHAT_TO_DO_INTENT, type ClarifyChoice, type ConversationContext } from './conversation-context.js';
import type { ReasonReference } from './ports/reason-reference-reader.js';

/** The intents whose answer is about the decision the conversation last explained. */
export const FOLLOW_UP_INTENTS: ReadonlySet<string> = new Set([REASON_DETAIL_INTENT, WHAT_TO_DO_INTENT]);

/** The intent whose answer, with a decision in context, is that decision's next review. */
export const NEXT_REVIEW_INTENT = 'limit.next_review';

/** What to say about the decision in context. */
export type FollowUpMove =
  /** The longer detail of the reason shown at this position (from 1). */
  | { kind: 'reason_detail'; position: number }
  /** The steps for every reason shown, in rank order. */
  | { kind: 'what_to_do' }
  /** The next review of the decision in context. */
  | { kind: 'next_review' }
  /** Which of these shown reasons (positions from 1) was meant. */
  | { kind: 'which_reason'; positions: number[] }
  /** Nothing explained yet: which of these intents the customer means. */
  | { kind: 'no_context'; intents: string[] };

/** The intents offered when a follow-up arrives before anything was explained, per follow-up intent. */
const NO_CONTEXT_CHOICES: Readonly<Record<string, string[]>> = {
  [REASON_DETAIL_INTENT]: ['limit.why_dropped', 'limit.increase_denied', 'account.frozen'],
  [WHAT_TO_DO_INTENT]: ['limit.how_to_increase', 'limit.why_dropped', 'agent.request'],
};

/** The quick-reply topic of the reason at a position, e.g. `reason-2`: a position, never a code. */
export function reasonTopic(position: number): string {
  return `reason-${position}`;
}

/** Reads a reason quick-reply topic (`reason-2`) back to its position, or null. */
export function readReasonTopic(topic: string | undefined): number | null {
  const match = topic === undefined ? null : /^reason-([1-9])$/.exec(topic);
  const position = match?.[1] ? Number(match[1]) : null;
  return position !== null && position <= MAX_REASON_POSITION ? position : null;
}

/** The choice a reply to a clarifying question picked by its number or position ("2", "the second one", "最后一个"), if any. */
export function pickOfferedChoice(context: ConversationContext, reference: ReasonReference): ClarifyChoice | null {
  if (context.lastAct !== 'clarify' || context.choices.length === 0) return null;
  if (reference.kind === 'last') return context.choices.at(-1) ?? null;
  if (reference.kind === 'position') return context.choices[reference.position - 1] ?? null;
  if (reference.kind === 'topic' && context.explained) {
    // "the utilisation one" after "which reason do you mean?": the offered reason it names.
    const shown = context.explained.reasonsShown;
    const named = context.choices.filter((choice) => choice.reasonPosition !== undefined && reference.codes.includes(shown[choice.reasonPosition - 1] ?? ''));
    return named.length === 1 ? (named[0] ?? null) : null;
  }
  return null;
}

/**
 * Resolves a follow-up intent against the conversation's context: which reason "the second one" or
 * "the utilisation one" means, a bare "why?" as the top reason (or the choice of one when a reason was
 * already gone into), "what do I do now" as the steps for the reasons shown, and a question with
 * nothing explained yet as a choice of what the customer means. Pure.
 */
export function resolveFollowUp(intent: string, context: ConversationContext, reference: ReasonReference, lastIntent: string | null): FollowUpMove {
  const explained = context.explained;
  if (explained === null) return { kind: 'no_context', intents: NO_CONTEXT_CHOICES[intent] ?? NO_CONTEXT_CHOICES[REASON_DETAIL_INTENT] ?? [] };
  if (intent === NEXT_REVIEW_INTENT) return { kind: 'next_review' };
  if (intent === WHAT_TO_DO_INTENT && (reference.kind === 'none' || reference.kind === 'unmatched')) return { kind: 'what_to_do' };

  const count = explained.reasonsShown.length;
  // A neutral or reasonless explanation has no positions to name; the composer answers with its one text.
  if (explained.neutral || count === 0) return { kind: 'reason_detail', position: 1 };
  const all = explained.reasonsShown.map((_, index) => index + 1);
  switch (reference.kind) {
    case 'position':
      return reference.position <= count ? { kind: 'reason_detail', position: reference.position } : { kind: 'which_reason', positions: all };
    case 'last':
      return { kind: 'reason_detail', position: count };
    case 'topic': {
      const named = all.filter((position) => reference.codes.includes(explained.reasonsShown[position - 1] ?? ''));
      if (named.length === 1) return { kind: 'reason_detail', position: named[0] ?? 1 };
      return { kind: 'which_reason', positions: named.length > 1 ? named : all };
    }
    case 'unmatched':
      return { kind: 'which_reason', positions: all };
    case 'none':
      // "why?" right after an explanation is about its top reason; after a reason's detail, ask which one.
      return lastIntent === REASON_DETAIL_INTENT && count > 1 ? { kind: 'which_reason', positions: all } : { kind: 'reason_detail', position: 1 };
  }
}
