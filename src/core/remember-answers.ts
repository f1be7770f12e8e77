import type { LimitDecision } from './decision.js';
import type { Locale } from './locale.js';
import type { ComposedReply, ReplyComposer, ReplyRequest } from './ports/reply-composer.js';

/** Composed answers remembered per turn handler; the map is emptied when it reaches this size. */
const MAX_REMEMBERED_ANSWERS = 4096;

/**
 * Remembers composed answers and follow-ups by everything they are made from (intent or follow-up,
 * locale, anonymity and the customer's decisions as JSON): the composer is pure given its content, and a customer asking
 * again, or many customers with the same decisions, would otherwise re-render the same explanation
 * every turn. Remembered replies are frozen, so no caller can change what the next turn gets.
 */
export function rememberAnswers(composer: ReplyComposer, maxEntries: number = MAX_REMEMBERED_ANSWERS): ReplyComposer {
  const answers = new Map<string, ComposedReply>();
  // Engines that share frozen responses (the embedded one) hand the same object to every turn of a
  // customer: its JSON is worked out once. Unfrozen decisions may change, so they are serialised each time.
  const decisionKeys = new WeakMap<object, string>();
  const keyOf = (decisions: object): string => {
    if (!Object.isFrozen(decisions)) return JSON.stringify(decisions);
    let key = decisionKeys.get(decisions);
    if (key === undefined) {
      key = JSON.stringify(decisions);
      decisionKeys.set(decisions, key);
    }
    return key;
  };
  // Answers and follow-ups about a decision are remembered; the rest are cheap or carry a name or a number.
  // Which review dates have passed is part of what they are made from ("due now" rather than a date ahead).
  const answerKey = (request: ReplyRequest, locale: Locale): string | undefined => {
    if (request.kind === 'answer') {
      const decisions = request.decisions;
      const due = decisions === null ? '' : decisions.decisions.map((decision) => reviewDueFlag(decision, request.now)).join('');
      return `${locale}\u0000a\u0000${request.intent}\u0000${request.anonymous ? 1 : 0}\u0000${due}\u0000${decisions === null ? '' : keyOf(decisions)}`;
    }
    if (request.kind === 'follow_up') {
      return `${locale}\u0000f\u0000${reviewDueFlag(request.decision, request.now)}\u0000${keyOf(request.decision)}\u0000${JSON.stringify(request.about)}`;
    }
    return undefined;
  };
  return {
    get contentVersion() {
      return composer.contentVersion;
    },
    reasonTexts: (codes, locale) => composer.reasonTexts(codes, locale),
    compose(request: ReplyRequest, locale: Locale): ComposedReply {
      const key = answerKey(request, locale);
      if (key === undefined) return composer.compose(request, locale);
      const known = answers.get(key);
      if (known !== undefined) return known;
      const composed = deepFreeze(composer.compose(request, locale));
      if (answers.size >= maxEntries) answers.clear();
      answers.set(key, composed);
      return composed;
    },
  };
}

/** '1' when the decision's next review date is not after `now` (said as due now), else '0'. */
function reviewDueFlag(decision: LimitDecision, now: string): string {
  return decision.nextReviewAt !== undefined && Date.parse(decision.nextReviewAt) <= Date.parse(now) ? '1' : '0';
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const item of Object.values(value)) deepFreeze(item);
  return Object.freeze(value);
}
