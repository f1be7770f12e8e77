import { z } from 'zod';

/** The intent of a question about one reason of the decision in context ("the second one", "the utilisation one"). */
export const REASON_DETAIL_INTENT = 'limit.reason_detail';

/** The intent of "what do I do now" about the decision in context. */
export const WHAT_TO_DO_INTENT = 'limit.what_to_do';

/** Intents that explain a decision in full: asked again about the same decision, they recap instead of repeating. */
export const RECAPPED_INTENTS: ReadonlySet<string> = new Set(['limit.why_dropped', 'limit.increase_denied', 'account.frozen']);

/** Intents whose answer names a decision's reasons, so that later follow-ups are about that decision. */
export const CONTEXT_SETTING_INTENTS: ReadonlySet<string> = new Set([...RECAPPED_INTENTS, 'limit.how_to_increase']);

/** The most reasons an explanation shows, so the most positions a follow-up can name. */
export const MAX_REASON_POSITION = 4;

const explainedDecisionSchema = z
  .object({
    decisionId: z.string().min(1),
    /** The reason codes shown, in the order shown; empty when the explanation was neutral or named none. */
    reasonsShown: z.array(z.string().min(1)).max(MAX_REASON_POSITION),
    /** True when the customer was given the neutral text (an N-class or unknown code): follow-ups get it again. */
    neutral: z.boolean(),
  })
  .strict();

const clarifyChoiceSchema = z
  .object({
    intent: z.string().min(1),
    /** For a choice between reasons: the reason's position (from 1) in the explained decision's reasons. */
    reasonPosition: z.number().int().min(1).max(MAX_REASON_POSITION).optional(),
  })
  .strict();

/** The schema of a conversation's context, as stored with the conversation. */
export const conversationContextSchema = z
  .object({
    explained: explainedDecisionSchema.nullable(),
    lastAct: z.enum(['answer', 'clarify', 'out_of_scope', 'handover', 'relay', 'rating']).nullable(),
    /** The choices of the last clarifying question, in the order offered (empty unless the last act was `clarify`). */
    choices: z.array(clarifyChoiceSchema).max(8),
  })
  .strict();

/** The decision last explained in a conversation and the reasons the customer saw, in order. */
export type ExplainedDecision = z.infer<typeof explainedDecisionSchema>;

/** One choice of a clarifying question: an intent, or one reason of the explained decision. */
export type ClarifyChoice = z.infer<typeof clarifyChoiceSchema>;

/** What the conversation has talked about, so follow-ups ("why?", "the second one") can be resolved. */
export type ConversationContext = z.infer<typeof conversationContextSchema>;

/** A conversation that has talked about nothing yet. */
export function emptyContext(): ConversationContext {
  return { explained: null, lastAct: null, choices: [] };
}
