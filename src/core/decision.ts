import { z } from 'zod';

/** What kind of limit decision the engine made. */
export const DecisionKindSchema = z.enum(['decrease', 'increase_denied', 'increase_approved', 'freeze', 'unfreeze']);

/** A decision kind. */
export type DecisionKind = z.infer<typeof DecisionKindSchema>;

/**
 * Amounts are integers in minor units (fen / cents), never floats or decimal strings,
 * so no rounding happens between the engine and the customer.
 */
export const MinorUnitsSchema = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** ISO 4217 currency code. */
export const CurrencySchema = z.string().regex(/^[A-Z]{3}$/);

/** One reason code attached to a decision, ranked by importance (1 = most important). */
export const DecisionReasonSchema = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/),
  rank: z.number().int().positive(),
});

/** A reason code with its rank. */
export type DecisionReason = z.infer<typeof DecisionReasonSchema>;

/** One limit decision as the decision engine reports it. */
export const LimitDecisionSchema = z.object({
  decisionId: z.string().min(1).max(128),
  kind: DecisionKindSchema,
  previousLimit: MinorUnitsSchema,
  newLimit: MinorUnitsSchema,
  currency: CurrencySchema,
  decidedAt: z.iso.datetime({ offset: true }),
  reasons: z.array(DecisionReasonSchema).max(50),
  nextReviewAt: z.iso.datetime({ offset: true }).optional(),
});

/** A limit decision. */
export type LimitDecision = z.infer<typeof LimitDecisionSchema>;

/** The engine's answer for one customer: current limit and decisions, newest first (the HTTP contract body). */
export const CustomerDecisionsSchema = z.object({
  customerId: z.string().min(1).max(128),
  currentLimit: z.object({ amount: MinorUnitsSchema, currency: CurrencySchema }),
  decisions: z.array(LimitDecisionSchema).max(100),
});

/** A customer's current limit and decision history. */
export type CustomerDecisions = z.infer<typeof CustomerDecisionsSchema>;
