import { z } from 'zod';

/*
 * The typed view model of every template. Templates see only these fields (formatted strings, reason texts,
 * advice), never raw engine data; the content check walks each template's AST against these schemas, so a
 * template that names a field its view model lacks fails at start-up. Fields are never optional: Handlebars
 * runs in strict mode, so an absent value is `null` and tested with `{{#if}}`.
 */

const Empty = z.object({});
const Label = z.object({ label: z.string() });
const ReasonItem = z.object({ number: z.number(), text: z.string(), advice: z.string() });
const Changed = z.object({ decidedOn: z.string(), previousLimit: z.string(), newLimit: z.string() });

/** A reason shown in a list: its position (from 1), meaning and one step. */
export type ReasonItemView = z.infer<typeof ReasonItem>;

/** The fixed templates of each locale with their view models; `answers/<intent>/general` and reason texts are added per intent and code. */
export const TEMPLATE_VIEW_MODELS = {
  'greeting/anonymous': Empty,
  'greeting/signed_in': Empty,
  thanks: Empty,
  goodbye: Empty,
  clarify: z.object({ options: z.array(Label) }),
  'out_of_scope/menu': z.object({ topics: z.array(Label) }),
  'out_of_scope/person_offer': Empty,
  'common/sign_in_hint': Empty,
  engine_unavailable: Empty,
  'escalated/asked_for_person': Empty,
  'escalated/review_request': Empty,
  'escalated/complaint': Empty,
  'escalated/repeated_misses': Empty,
  'escalated/negative_sentiment': Empty,
  'escalated/restricted_reason': Empty,
  'escalated/engine_unavailable': Empty,
  'escalated/unknown_reason': Empty,
  escalation_limited: Empty,
  agent_joined: z.object({ agentName: z.string() }),
  bot_back: Empty,
  desk_unreachable: Empty,
  rating_request: Empty,
  rating_thanks: z.object({ rating: z.number(), isLow: z.boolean() }),
  /** `typicalWait`: how long it has recently taken for a person to join a chat, or null when that cannot be estimated. */
  wait_notice: z.object({ typicalWait: z.string().nullable() }),
  callback_requested: Empty,
  'labels/callback': Empty,
  'errors/generic': Empty,
  'errors/busy': Empty,
  'errors/invalid_frame': Empty,
  'errors/text_too_long': Empty,
  'errors/rate_limited': Empty,
  'errors/unauthorized': Empty,
  'errors/binary_refused': Empty,
  'errors/origin_refused': Empty,
  'explanation/changed/decrease': Changed,
  'explanation/changed/increase_denied': Changed,
  'explanation/changed/increase_approved': Changed,
  'explanation/changed/freeze': Changed,
  'explanation/changed/unfreeze': Changed,
  'explanation/reasons': z.object({ reasons: z.array(ReasonItem), isSingle: z.boolean(), isGroupOnly: z.boolean() }),
  /** The next review set by the decision; `isReviewDue` when that date is not after the turn's time (said as passed, review due now). */
  'explanation/next_review': z.object({ nextReviewOn: z.string(), isReviewDue: z.boolean() }),
  'explanation/review_offer': Empty,
  'explanation/neutral': Empty,
  'explanation/no_reasons': Empty,
  /** A follow-up about one reason: what it means, why it matters for a limit, what to do, how long it tends to count. */
  'explanation/reason_detail': z.object({
    label: z.string(),
    means: z.string(),
    matters: z.string(),
    steps: z.string(),
    lasts: z.string().nullable(),
    decidedOn: z.string(),
  }),
  /** "What do I do now": the step for each reason of the decision in context, in rank order. */
  'explanation/what_to_do': z.object({ decidedOn: z.string(), steps: z.array(ReasonItem), nextReviewOn: z.string().nullable(), isReviewDue: z.boolean() }),
  /** The same decision asked about again: a short recap naming its reasons, and the choice of one to go into. */
  'explanation/recap': z.object({ decidedOn: z.string(), reasons: z.array(Label) }),
  /** Which reason a follow-up meant, when it named none that was shown (or several). */
  'clarify/reason': z.object({ options: z.array(Label) }),
  /** A follow-up ("the second reason?", "why?") before any decision was explained in the conversation. */
  'clarify/no_context': z.object({ options: z.array(Label) }),
  'answers/limit.why_dropped/no_decision': z.object({ currentLimit: z.string().nullable() }),
  'answers/limit.increase_denied/no_decision': z.object({ currentLimit: z.string().nullable() }),
  'answers/account.frozen/no_decision': z.object({ currentLimit: z.string().nullable() }),
  'answers/limit.how_to_increase/customer': z.object({
    decidedOn: z.string(),
    steps: z.array(ReasonItem),
    nextReviewOn: z.string().nullable(),
    isReviewDue: z.boolean(),
  }),
  'answers/limit.current/customer': z.object({
    currentLimit: z.string(),
    lastChangedOn: z.string().nullable(),
    previousLimit: z.string().nullable(),
    isFrozen: z.boolean(),
  }),
  'answers/limit.current/no_decision': Empty,
  'answers/limit.next_review/customer': z.object({ nextReviewOn: z.string(), decidedOn: z.string(), isReviewDue: z.boolean() }),
  /** No decision on file at all. */
  'answers/limit.next_review/no_decision': Empty,
  /** The decision in question sets no date for the next review. */
  'answers/limit.next_review/no_date': Empty,
  /** Asked why an increase was denied when the decision on file is a raise: said first, before the raise is explained. */
  'answers/limit.increase_denied/not_denied': Empty,
  /** Asked why the limit dropped when the decision on file is a raise: said first, before the raise is explained. */
  'answers/limit.why_dropped/not_lowered': Empty,
  'answers/privacy.data_used/customer': z.object({ decidedOn: z.string(), categories: z.array(Label) }),
  'answers/repayment.overdue_impact/customer': z.object({ decidedOn: z.string(), reasons: z.array(ReasonItem) }),
  /** A review request about the latest decision: `changed` is that decision's "what changed" sentence, rendered. */
  'answers/decision.request_review/customer': z.object({ changed: z.string() }),
} as const;

/** A fixed template id. */
export type FixedTemplateId = keyof typeof TEMPLATE_VIEW_MODELS;

/** The view model a fixed template is rendered with. */
export type ViewModelOf<Id extends FixedTemplateId> = z.infer<(typeof TEMPLATE_VIEW_MODELS)[Id]>;

/** The view model of general intent answers and reason texts: static text, no fields. */
export const STATIC_VIEW_MODEL = Empty;

/** The template id of an intent's general answer. */
export function generalAnswerId(intentId: string): string {
  return `answers/${intentId}/general`;
}

/** The template ids of a reason code's customer-facing meaning and advice. */
export function reasonTemplateIds(code: string): { meaning: string; advice: string } {
  return { meaning: `reasons/${code}/meaning`, advice: `reasons/${code}/advice` };
}

/** The template ids of a reason code's short label and the parts of its longer detail. */
export function reasonDetailTemplateIds(code: string): { label: string; means: string; matters: string; steps: string; lasts: string } {
  const base = `reasons/${code}`;
  return { label: `${base}/label`, means: `${base}/detail/means`, matters: `${base}/detail/matters`, steps: `${base}/detail/steps`, lasts: `${base}/detail/lasts` };
}

/** Returns true when the id is one of the fixed templates. */
export function isFixedTemplateId(id: string): id is FixedTemplateId {
  return Object.hasOwn(TEMPLATE_VIEW_MODELS, id);
}
