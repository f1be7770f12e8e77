import type { LimitDecision } from '../core/decision.js';
import type { ExplanationFacts } from '../core/ports/reply-composer.js';
import type { ReasonCatalogue } from '../core/reason-catalogue.js';
import type { LocaleFormatter } from './locale-formatter.js';
import { type ReasonSelection, selectReasons } from './select-reasons.js';
import { type FixedTemplateId, reasonTemplateIds, type ReasonItemView, type ViewModelOf } from './view-models.js';

/** One template to render with its view model; a reply is a sequence of parts. */
export type ReplyPart = { [Id in FixedTemplateId]: { id: Id; model: ViewModelOf<Id> } }[FixedTemplateId] | { id: string; model: Record<string, never> };

/** Renders a reason's static meaning or advice text in the reply's locale. */
export type ReasonTextRenderer = (templateId: string) => string;

/** What the explanation step needs besides the decision. */
export interface ExplainContext {
  catalogue: ReasonCatalogue;
  format: LocaleFormatter;
  reasonText: ReasonTextRenderer;
  /** The turn's time (ISO 8601): a review date not after it has passed, so the review is due now. */
  now: string;
}

/** The next review of a decision as the templates say it: its date, and whether that date has passed (the review is due now). */
export function nextReviewOf(decision: LimitDecision, context: ExplainContext): { nextReviewOn: string; isReviewDue: boolean } | null {
  if (!decision.nextReviewAt) return null;
  return { nextReviewOn: context.format.date(decision.nextReviewAt), isReviewDue: Date.parse(decision.nextReviewAt) <= Date.parse(context.now) };
}

/** An explanation ready to render: its parts, the reason texts' template ids, and the facts for audit and the case card. */
export interface DecisionExplanation {
  parts: ReplyPart[];
  /** Template ids of the reason texts used (they are rendered into the parts' view models). */
  reasonTemplateIds: string[];
  facts: ExplanationFacts;
  selection: ReasonSelection;
}

/** Builds the "what changed" part of a decision: old → new limit and when, formatted for the locale. */
export function changedPart(decision: LimitDecision, format: LocaleFormatter): ReplyPart {
  const model = {
    decidedOn: format.date(decision.decidedAt),
    previousLimit: format.amount(decision.previousLimit, decision.currency),
    newLimit: format.amount(decision.newLimit, decision.currency),
  };
  return { id: `explanation/changed/${decision.kind}`, model } as ReplyPart;
}

/** Renders shown reasons as numbered items (meaning and one step), recording the reason templates used. */
export function reasonItems(codes: readonly string[], reasonText: ReasonTextRenderer, used: string[]): ReasonItemView[] {
  return codes.map((code, index) => {
    const ids = reasonTemplateIds(code);
    used.push(ids.meaning, ids.advice);
    return { number: index + 1, text: reasonText(ids.meaning), advice: reasonText(ids.advice) };
  });
}

/**
 * Explains one decision of the authenticated customer: what changed, then the principal reasons in rank order with
 * a step each and the next review date — or the one neutral text for N-class/unknown codes, or "no reasons on file" —
 * and always the offer of a review by a person.
 */
export function explainDecision(decision: LimitDecision, context: ExplainContext): DecisionExplanation {
  const selection = selectReasons(decision.reasons, context.catalogue);
  const parts: ReplyPart[] = [changedPart(decision, context.format)];
  const used: string[] = [];
  const facts: ExplanationFacts = {
    decisionId: decision.decisionId,
    codesShown: [],
    codesSuppressed: [],
    reasonTexts: [],
    neutral: false,
    restricted: false,
  };
  switch (selection.kind) {
    case 'none':
      parts.push({ id: 'explanation/no_reasons', model: {} });
      break;
    case 'neutral':
      // The same text for N-class and unknown codes, so nothing distinguishes a restricted case.
      parts.push({ id: 'explanation/neutral', model: {} });
      facts.codesSuppressed = selection.codesSuppressed;
      facts.neutral = true;
      facts.restricted = selection.restricted;
      break;
    case 'reasons': {
      const codes = selection.shown.map((reason) => reason.code);
      const reasons = reasonItems(codes, context.reasonText, used);
      parts.push({
        id: 'explanation/reasons',
        model: { reasons, isSingle: reasons.length === 1, isGroupOnly: selection.isGroupOnly },
      });
      const nextReview = nextReviewOf(decision, context);
      if (nextReview) parts.push({ id: 'explanation/next_review', model: nextReview });
      facts.codesShown = codes;
      facts.codesSuppressed = selection.codesSuppressed;
      facts.reasonTexts = reasons.map((reason) => reason.text);
      break;
    }
  }
  parts.push({ id: 'explanation/review_offer', model: {} });
  return { parts, reasonTemplateIds: used, facts, selection };
}
