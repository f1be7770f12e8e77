import type { LimitDecision } from '../core/decision.js';
import { REASON_DETAIL_INTENT, type ClarifyChoice } from '../core/conversation-context.js';
import type { ExplanationFacts, FollowUpAbout, ShownReasonRef } from '../core/ports/reply-composer.js';
import type { Suggestion } from '../core/reply.js';
import { reasonTopic } from '../core/resolve-follow-up.js';
import { type ExplainContext, nextReviewOf, type ReplyPart, reasonItems } from './explain-decision.js';
import { sortByRank, selectReasons } from './select-reasons.js';
import { reasonDetailTemplateIds } from './view-models.js';

/** What a follow-up reply is made of before rendering: its parts, choices and links, and what it disclosed. */
export interface FollowUpDraft {
  parts: ReplyPart[];
  /** Intent choices (as quick replies to their topics). */
  intentSuggestions: string[];
  /** Reason choices, already labelled, with their `reason-N` topics. */
  reasonSuggestions: Suggestion[];
  reasonTemplateIds: string[];
  reasonCodesForLinks: string[];
  explanation: ExplanationFacts;
  /** What a clarifying reply offered, in the order of its suggestions (reasons first). */
  choices?: ClarifyChoice[];
}

/** What building a follow-up needs besides the decision: the explain context, and whether a reason template exists. */
export interface FollowUpContext extends ExplainContext {
  hasTemplate: (templateId: string) => boolean;
}

/** Quick replies after a follow-up about the decision: the steps, or a person's review. */
const AFTER_FOLLOW_UP = ['limit.what_to_do', 'decision.request_review'];

/**
 * Builds the reply to a follow-up about one decision. The decision's reasons are selected again under
 * the explanation rules (never trusted from the conversation's context), so an N-class or unknown code
 * always yields the same neutral text — the one the first answer ended with — whatever was asked, and a
 * position past the reasons shown asks which reason was meant instead of naming one.
 */
export function draftFollowUp(decision: LimitDecision, about: FollowUpAbout, context: FollowUpContext): FollowUpDraft {
  const selection = selectReasons(decision.reasons, context.catalogue);
  const allCodes = sortByRank(decision.reasons).map((reason) => reason.code);
  const base = { decisionId: decision.decisionId, codesShown: [], codesSuppressed: allCodes, reasonTexts: [], neutral: false, restricted: false };
  if (selection.kind === 'neutral') {
    return {
      parts: [
        { id: 'explanation/neutral', model: {} },
        { id: 'explanation/review_offer', model: {} },
      ],
      intentSuggestions: ['decision.request_review', 'agent.request'],
      reasonSuggestions: [],
      reasonTemplateIds: [],
      reasonCodesForLinks: [],
      explanation: { ...base, codesSuppressed: selection.codesSuppressed, neutral: true, restricted: selection.restricted },
    };
  }
  const decidedOn = context.format.date(decision.decidedAt);
  const nextReview = nextReviewOf(decision, context);
  const empty = { intentSuggestions: [], reasonSuggestions: [], reasonTemplateIds: [], reasonCodesForLinks: [] };
  if (about.topic === 'next_review') {
    const part: ReplyPart = nextReview
      ? { id: 'answers/limit.next_review/customer', model: { ...nextReview, decidedOn } }
      : { id: 'answers/limit.next_review/no_date', model: {} };
    return { ...empty, parts: [part], intentSuggestions: AFTER_FOLLOW_UP, explanation: base };
  }
  if (selection.kind === 'none') {
    return {
      ...empty,
      parts: [
        { id: 'explanation/no_reasons', model: {} },
        { id: 'explanation/review_offer', model: {} },
      ],
      intentSuggestions: ['decision.request_review', 'agent.request'],
      explanation: base,
    };
  }

  const shown = selection.shown.map((reason) => reason.code);
  const facts = (codes: string[], texts: string[]): ExplanationFacts => ({
    ...base,
    codesShown: codes,
    codesSuppressed: allCodes.filter((code) => !codes.includes(code)),
    reasonTexts: texts,
  });
  const labelOf = (code: string): string => context.reasonText(reasonDetailTemplateIds(code).label);
  // Only reasons the decision's own selection still shows may be named, whatever the context said.
  const allowed = (reasons: readonly ShownReasonRef[]) => reasons.filter((reason) => shown.includes(reason.code));
  const asShown = shown.map((code, index) => ({ code, position: index + 1 }));
  const whichReason = (reasons: readonly ShownReasonRef[]): FollowUpDraft => {
    const offered = allowed(reasons).length > 0 ? allowed(reasons) : asShown;
    const labels = offered.map((reason) => labelOf(reason.code));
    return {
      ...empty,
      parts: [{ id: 'clarify/reason', model: { options: labels.map((label) => ({ label })) } }],
      reasonSuggestions: offered.map((reason, index) => ({ label: labels[index] ?? '', topic: reasonTopic(reason.position) })),
      reasonTemplateIds: offered.map((reason) => reasonDetailTemplateIds(reason.code).label),
      explanation: facts(
        offered.map((reason) => reason.code),
        labels,
      ),
      choices: offered.map((reason) => ({ intent: REASON_DETAIL_INTENT, reasonPosition: reason.position })),
    };
  };

  switch (about.topic) {
    case 'reason_detail': {
      const code = about.reason.code;
      if (!shown.includes(code)) return whichReason([]);
      const ids = reasonDetailTemplateIds(code);
      const label = labelOf(code);
      const lasts = context.hasTemplate(ids.lasts) ? context.reasonText(ids.lasts) : null;
      return {
        ...empty,
        parts: [
          {
            id: 'explanation/reason_detail',
            model: { label, means: context.reasonText(ids.means), matters: context.reasonText(ids.matters), steps: context.reasonText(ids.steps), lasts, decidedOn },
          },
        ],
        intentSuggestions: AFTER_FOLLOW_UP,
        reasonTemplateIds: [ids.label, ids.means, ids.matters, ids.steps, ...(lasts === null ? [] : [ids.lasts])],
        reasonCodesForLinks: [code],
        explanation: facts([code], [label]),
      };
    }
    case 'which_reason':
      return whichReason(about.reasons);
    case 'what_to_do': {
      const codes = about.codes.filter((code) => shown.includes(code));
      const stepsFor = codes.length > 0 ? codes : shown;
      const used: string[] = [];
      const steps = reasonItems(stepsFor, context.reasonText, used);
      return {
        ...empty,
        parts: [
          { id: 'explanation/what_to_do', model: { decidedOn, steps, nextReviewOn: nextReview?.nextReviewOn ?? null, isReviewDue: nextReview?.isReviewDue ?? false } },
        ],
        intentSuggestions: ['decision.request_review', 'limit.next_review'],
        reasonTemplateIds: used,
        reasonCodesForLinks: stepsFor,
        explanation: facts(stepsFor, steps.map((step) => step.text)),
      };
    }
    case 'recap': {
      const labels = shown.map(labelOf);
      return {
        ...empty,
        parts: [{ id: 'explanation/recap', model: { decidedOn, reasons: labels.map((label) => ({ label })) } }],
        reasonSuggestions: asShown.map((reason, index) => ({ label: labels[index] ?? '', topic: reasonTopic(reason.position) })),
        intentSuggestions: about.thenIntents,
        reasonTemplateIds: shown.map((code) => reasonDetailTemplateIds(code).label),
        explanation: facts(shown, labels),
        choices: [
          ...asShown.map((reason) => ({ intent: REASON_DETAIL_INTENT, reasonPosition: reason.position })),
          ...about.thenIntents.map((intent) => ({ intent })),
        ],
      };
    }
  }
}
