import type { ClarifyChoice } from '../core/conversation-context.js';
import type { LimitDecision } from '../core/decision.js';
import type { ExplanationFacts, FollowUpAbout } from '../core/ports/reply-composer.js';
import type { Suggestion } from '../core/reply.js';
import { reasonTopic } from '../core/resolve-follow-up.js';
import { type ExplainContext, type ReplyPart, reasonItems } from './explain-decision.js';
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
  const nextReviewOn = decision.nextReviewAt ? context.format.date(decision.nextReviewAt) : null;
  const empty = { intentSuggestions: [], reasonSuggestions: [], reasonTemplateIds: [], reasonCodesForLinks: [] };
  if (about.topic === 'next_review') {
    const part: ReplyPart = nextReviewOn
      ? { id: 'answers/limit.next_review/customer', model: { nextReviewOn, decidedOn } }
      : { id: 'answers/limit.next_review/no_decision', model: {} };
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
  const choicesOf = (positions: readonly number[]): Suggestion[] =>
    positions.flatMap((position) => {
      const code = shown[position - 1];
      return code === undefined ? [] : [{ label: labelOf(code), topic: reasonTopic(position) }];
    });
  const whichReason = (positions: readonly number[]): FollowUpDraft => {
    const valid = positions.filter((position) => position >= 1 && position <= shown.length);
    const offered = valid.length > 0 ? valid : shown.map((_, index) => index + 1);
    const codes = offered.map((position) => shown[position - 1] ?? '');
    const labels = codes.map(labelOf);
    return {
      ...empty,
      parts: [{ id: 'clarify/reason', model: { options: labels.map((label) => ({ label })) } }],
      reasonSuggestions: choicesOf(offered),
      reasonTemplateIds: codes.map((code) => reasonDetailTemplateIds(code).label),
      explanation: facts(codes, labels),
    };
  };

  switch (about.topic) {
    case 'reason_detail': {
      const code = shown[about.position - 1];
      if (code === undefined) return whichReason([]);
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
      return whichReason(about.positions);
    case 'what_to_do': {
      const used: string[] = [];
      const steps = reasonItems(shown, context.reasonText, used);
      return {
        ...empty,
        parts: [{ id: 'explanation/what_to_do', model: { decidedOn, steps, nextReviewOn } }],
        intentSuggestions: ['decision.request_review', 'limit.next_review'],
        reasonTemplateIds: used,
        reasonCodesForLinks: shown,
        explanation: facts(shown, steps.map((step) => step.text)),
      };
    }
    case 'recap': {
      const labels = shown.map(labelOf);
      return {
        ...empty,
        parts: [{ id: 'explanation/recap', model: { decidedOn, reasons: labels.map((label) => ({ label })) } }],
        ...suggestionsFor(about.choices, choicesOf),
        reasonTemplateIds: shown.map((code) => reasonDetailTemplateIds(code).label),
        explanation: facts(shown, labels),
      };
    }
  }
}

/** The quick replies of offered choices, in the order offered: reasons labelled, intents by id. */
function suggestionsFor(choices: readonly ClarifyChoice[], reasonChoices: (positions: readonly number[]) => Suggestion[]) {
  const reasonSuggestions = reasonChoices(choices.flatMap((choice) => (choice.reasonPosition === undefined ? [] : [choice.reasonPosition])));
  const intentSuggestions = choices.filter((choice) => choice.reasonPosition === undefined).map((choice) => choice.intent);
  return { reasonSuggestions, intentSuggestions };
}
