import { generalAnswerId, TEMPLATE_VIEW_MODELS } from './view-models.js';

/** The intents DESIGN.md requires; the content check reports any that is missing. */
export const MINIMUM_INTENTS = [
  'limit.why_dropped',
  'limit.increase_denied',
  'limit.how_to_increase',
  'limit.current',
  'limit.next_review',
  'account.frozen',
  'decision.request_review',
  'agent.request',
  'privacy.data_used',
  'repayment.overdue_impact',
  'feedback.complaint',
  'smalltalk.greeting',
  'smalltalk.thanks',
  'smalltalk.goodbye',
] as const;

/** Small-talk intents answered by the greeting, thanks and goodbye templates rather than an answer of their own. */
export const SMALLTALK_TEMPLATES: Readonly<Record<string, 'greeting' | 'thanks' | 'goodbye'>> = {
  'smalltalk.greeting': 'greeting',
  'smalltalk.thanks': 'thanks',
  'smalltalk.goodbye': 'goodbye',
};

/** Follow-up topics offered as quick replies after an intent's answer, most useful first. */
export const RELATED_INTENTS: Readonly<Record<string, readonly string[]>> = {
  'limit.why_dropped': ['decision.request_review', 'limit.how_to_increase'],
  'limit.increase_denied': ['decision.request_review', 'limit.how_to_increase', 'limit.next_review'],
  'limit.how_to_increase': ['limit.next_review', 'limit.current'],
  'limit.current': ['limit.why_dropped', 'limit.how_to_increase'],
  'limit.next_review': ['limit.how_to_increase', 'decision.request_review'],
  'account.frozen': ['repayment.overdue_impact', 'decision.request_review'],
  'decision.request_review': ['agent.request'],
  'agent.request': [],
  'privacy.data_used': ['decision.request_review', 'agent.request'],
  'repayment.overdue_impact': ['limit.how_to_increase', 'account.frozen'],
  'feedback.complaint': ['agent.request'],
  'privacy.erasure_request': ['agent.request', 'privacy.data_used'],
  'privacy.data_sharing': ['privacy.data_used', 'agent.request'],
  'limit.utilisation': ['limit.how_to_increase', 'limit.current'],
  'assistant.is_bot': ['agent.request'],
  'account.documents_status': ['agent.request', 'limit.how_to_increase'],
};

/** The intents the dialogue may explain a decision for; the composer picks which decision (see pick-decision). */
export const EXPLAINING_INTENTS = ['limit.why_dropped', 'limit.increase_denied', 'account.frozen'] as const;

/** The templates an intent needs in every locale: its general answer plus the data-driven variants the composer uses. */
export function requiredTemplateIdsForIntent(intentId: string): string[] {
  if (Object.hasOwn(SMALLTALK_TEMPLATES, intentId)) return [];
  const prefix = `answers/${intentId}/`;
  return [generalAnswerId(intentId), ...Object.keys(TEMPLATE_VIEW_MODELS).filter((id) => id.startsWith(prefix))];
}
