import { CALLBACK_TOPIC } from '../core/reply.js';
import type { LoadedContent } from '../content/loaded-content.js';
import type { IntentFile } from '../content/intent-file-schema.js';
import { createReasonCatalogue } from '../content/create-reason-catalogue.js';
import { CandorError } from '../core/candor-error.js';
import type { CustomerDecisions, LimitDecision } from '../core/decision.js';
import type { Locale } from '../core/locale.js';
import { OUT_OF_SCOPE } from '../core/ports/intent-classifier.js';
import type { ComposedReply, ExplanationFacts, FollowUpAbout, ReplyComposer, ReplyRequest } from '../core/ports/reply-composer.js';
import type { HelpLink, Suggestion } from '../core/reply.js';
import { changedPart, explainDecision, nextReviewOf, reasonItems, type ReplyPart } from './explain-decision.js';
import { draftFollowUp, type FollowUpContext } from './follow-up-drafts.js';
import { MINIMUM_INTENTS, RELATED_INTENTS, SMALLTALK_TEMPLATES } from './intent-answers.js';
import { createLocaleFormatter, DEFAULT_TIME_ZONE, type LocaleFormatter } from './locale-formatter.js';
import { pickDecision, sortNewestFirst } from './pick-decision.js';
import { selectReasons } from './select-reasons.js';
import { generalAnswerId, reasonTemplateIds } from './view-models.js';

/** Options of the composer. */
export interface ReplyComposerOptions {
  /** IANA time zone dates are shown in; Asia/Shanghai by default. */
  timeZone?: string;
}

/** The category whose reasons the overdue-impact answer speaks about. */
const REPAYMENT_CATEGORY = 'repayment';

/** What is said first when a drop or a denial is asked about and the decision on file is a raise. */
const RAISE_NOT_WHAT_WAS_ASKED: Readonly<Record<string, string>> = {
  'limit.increase_denied': 'answers/limit.increase_denied/not_denied',
  'limit.why_dropped': 'answers/limit.why_dropped/not_lowered',
};

/** What an answer builder returns before rendering. */
interface Draft {
  parts: ReplyPart[];
  /** Quick replies already made (reason choices), shown before the intents' ones. */
  leadingSuggestions?: Suggestion[];
  suggestions?: string[];
  reasonTemplateIds?: string[];
  reasonCodesForLinks?: string[];
  explanation?: ExplanationFacts;
}

/** Creates the reply composer over loaded content: pure, synchronous, one formatter per locale. */
export function createReplyComposer(content: LoadedContent, options: ReplyComposerOptions = {}): ReplyComposer {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const catalogue = createReasonCatalogue(content);
  const intents = new Map(content.intents.map((intent) => [intent.id, intent]));
  // The menu follows DESIGN.md's order of intents (the most asked first); other intents follow by id.
  const order = (id: string): number => {
    const index = (MINIMUM_INTENTS as readonly string[]).indexOf(id);
    return index === -1 ? MINIMUM_INTENTS.length : index;
  };
  const menu = content.intents
    .filter((intent) => intent.flags.inMenu)
    .map((intent) => intent.id)
    .sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  const formatters = new Map<Locale, LocaleFormatter>();

  function formatterFor(locale: Locale): LocaleFormatter {
    let formatter = formatters.get(locale);
    if (!formatter) {
      formatter = createLocaleFormatter(locale, timeZone);
      formatters.set(locale, formatter);
    }
    return formatter;
  }

  function renderTemplate(locale: Locale, id: string, model: object): string {
    const template = content.locales[locale].templates.get(id);
    if (!template) throw new CandorError('content_invalid', `template ${id} is missing in ${locale}`);
    return template(model)
      .replace(/[ \t]+\n/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  }

  function suggestionFor(intentId: string, locale: Locale): Suggestion | undefined {
    const intent = intents.get(intentId);
    if (!intent) return undefined;
    const label = intent.label[locale];
    const topic = intent.aliases[0];
    return topic ? { label, topic } : { label, text: label };
  }

  function intentLinks(intent: IntentFile | undefined, locale: Locale): HelpLink[] {
    return (intent?.helpArticles ?? []).map((article) => {
      const localeUrls: Partial<Record<Locale, string>> = article.localeUrls ?? {};
      return { label: article.title[locale], url: localeUrls[locale] ?? article.url };
    });
  }

  function reasonLinks(codes: readonly string[], locale: Locale): HelpLink[] {
    const links: HelpLink[] = [];
    for (const code of codes) {
      const entry = catalogue.find(code);
      const url = entry ? (entry.localeHelpUrls[locale] ?? entry.helpUrl) : null;
      const label = content.locales[locale].helpTitles.get(code);
      if (url && label) links.push({ label, url });
    }
    return links;
  }

  function finish(draft: Draft, locale: Locale, intent?: IntentFile, extraSuggestions: Suggestion[] = []): ComposedReply {
    const text = draft.parts
      .map((part) => renderTemplate(locale, part.id, part.model))
      .filter((chunk) => chunk.length > 0)
      .join('\n\n');
    const suggestions = dedupeSuggestions([
      ...(draft.leadingSuggestions ?? []),
      ...(draft.suggestions ?? []).map((id) => suggestionFor(id, locale)).filter((s): s is Suggestion => s !== undefined),
      ...extraSuggestions,
    ]);
    const links = dedupeLinks([...intentLinks(intent, locale), ...reasonLinks(draft.reasonCodesForLinks ?? [], locale)]);
    const reply: ComposedReply = {
      text,
      suggestions,
      links,
      templateIds: [...draft.parts.map((part) => part.id), ...(draft.reasonTemplateIds ?? [])],
    };
    if (draft.explanation) reply.explanation = draft.explanation;
    return reply;
  }

  function explainContext(locale: Locale, now: string): FollowUpContext {
    return {
      catalogue,
      now,
      format: formatterFor(locale),
      reasonText: (id) => renderTemplate(locale, id, {}),
      hasTemplate: (id) => content.locales[locale].templates.has(id),
    };
  }

  function followUp(decision: LimitDecision, about: FollowUpAbout, now: string, locale: Locale): ComposedReply {
    const drafted = draftFollowUp(decision, about, explainContext(locale, now));
    const reply = finish(
      {
        parts: drafted.parts,
        leadingSuggestions: drafted.reasonSuggestions,
        suggestions: drafted.intentSuggestions,
        reasonTemplateIds: drafted.reasonTemplateIds,
        reasonCodesForLinks: drafted.reasonCodesForLinks,
        explanation: drafted.explanation,
      },
      locale,
    );
    if (drafted.choices) reply.choices = drafted.choices;
    return reply;
  }

  function outOfScope(offerAgent: boolean, locale: Locale): ComposedReply {
    const topics = menu.map((id) => ({ label: intents.get(id)?.label[locale] ?? id }));
    const parts: ReplyPart[] = [{ id: 'out_of_scope/menu', model: { topics } }];
    if (offerAgent) parts.push({ id: 'out_of_scope/person_offer', model: {} });
    return finish({ parts, suggestions: offerAgent ? [...menu, 'agent.request'] : menu }, locale);
  }

  function answer(intentId: string, decisions: CustomerDecisions | null, anonymous: boolean, now: string, locale: Locale): ComposedReply {
    const intent = intents.get(intentId);
    if (!intent || intentId === OUT_OF_SCOPE) return outOfScope(false, locale);
    const smalltalk = SMALLTALK_TEMPLATES[intentId];
    if (smalltalk) return compose({ kind: smalltalk === 'greeting' ? 'greeting' : smalltalk, anonymous } as ReplyRequest, locale);

    // Privacy guard: an anonymous visitor never gets customer data, whatever the caller passed.
    const data = anonymous ? null : decisions;
    const draft = answerDraft(intentId, data, anonymous, locale, explainContext(locale, now));
    draft.suggestions ??= [...(RELATED_INTENTS[intentId] ?? [])];
    return finish(draft, locale, intent);
  }

  function general(intentId: string, anonymous: boolean, isDataDriven = true): Draft {
    const parts: ReplyPart[] = [{ id: generalAnswerId(intentId), model: {} }];
    if (anonymous && isDataDriven) parts.push({ id: 'common/sign_in_hint', model: {} });
    return { parts };
  }

  function answerDraft(intentId: string, data: CustomerDecisions | null, anonymous: boolean, locale: Locale, context: FollowUpContext): Draft {
    const format = formatterFor(locale);
    const currentLimit = data ? format.amount(data.currentLimit.amount, data.currentLimit.currency) : null;
    const latest = data ? sortNewestFirst(data.decisions)[0] : undefined;

    switch (intentId) {
      case 'limit.why_dropped':
      case 'limit.increase_denied':
      case 'account.frozen': {
        if (anonymous) return general(intentId, true);
        const decision = data ? pickDecision(intentId, data.decisions) : undefined;
        if (!decision) return { parts: [{ id: `answers/${intentId}/no_decision`, model: { currentLimit } } as ReplyPart] };
        const explained = explainDecision(decision, context);
        const isNeutral = explained.selection.kind !== 'reasons';
        const codes = explained.facts.codesShown;
        // Asked about a drop or a denial when the decision on file is a raise: say so before explaining the raise.
        const notAsked = decision.kind === 'increase_approved' ? RAISE_NOT_WHAT_WAS_ASKED[intentId] : undefined;
        return {
          parts: notAsked ? [{ id: notAsked, model: {} }, ...explained.parts] : explained.parts,
          reasonTemplateIds: explained.reasonTemplateIds,
          reasonCodesForLinks: codes,
          explanation: explained.facts,
          suggestions: isNeutral ? ['decision.request_review', 'agent.request'] : [...(RELATED_INTENTS[intentId] ?? [])],
        };
      }
      case 'limit.how_to_increase': {
        if (!latest) return general(intentId, anonymous);
        const selection = selectReasons(latest.reasons, catalogue);
        if (selection.kind !== 'reasons') return general(intentId, anonymous);
        const specific = selection.shown.filter((reason) => reason.entry.disclosure === 'D').map((reason) => reason.code);
        if (specific.length === 0) return general(intentId, anonymous);
        const used: string[] = [];
        const steps = reasonItems(specific, context.reasonText, used);
        const nextReview = nextReviewOf(latest, context);
        const shownSet = new Set(specific);
        return {
          parts: [
            {
              id: 'answers/limit.how_to_increase/customer',
              model: {
                decidedOn: format.date(latest.decidedAt),
                steps,
                nextReviewOn: nextReview?.nextReviewOn ?? null,
                isReviewDue: nextReview?.isReviewDue ?? false,
              },
            },
          ],
          reasonTemplateIds: used,
          reasonCodesForLinks: specific,
          explanation: factsFor(latest.decisionId, specific, latest.reasons.map((r) => r.code).filter((c) => !shownSet.has(c)), steps.map((s) => s.text)),
        };
      }
      case 'limit.current': {
        if (anonymous) return general(intentId, true);
        if (!data) return { parts: [{ id: 'answers/limit.current/no_decision', model: {} }] };
        const lastChange = sortNewestFirst(data.decisions).find((d) => d.previousLimit !== d.newLimit);
        const latestFreezeChange = sortNewestFirst(data.decisions).find((d) => d.kind === 'freeze' || d.kind === 'unfreeze');
        return {
          parts: [
            {
              id: 'answers/limit.current/customer',
              model: {
                currentLimit: format.amount(data.currentLimit.amount, data.currentLimit.currency),
                lastChangedOn: lastChange ? format.date(lastChange.decidedAt) : null,
                previousLimit: lastChange ? format.amount(lastChange.previousLimit, lastChange.currency) : null,
                isFrozen: latestFreezeChange?.kind === 'freeze',
              },
            },
          ],
        };
      }
      case 'limit.next_review': {
        if (anonymous) return general(intentId, true);
        if (!latest) return { parts: [{ id: 'answers/limit.next_review/no_decision', model: {} }] };
        const nextReview = nextReviewOf(latest, context);
        if (!nextReview) return { parts: [{ id: 'answers/limit.next_review/no_date', model: {} }] };
        return { parts: [{ id: 'answers/limit.next_review/customer', model: { ...nextReview, decidedOn: format.date(latest.decidedAt) } }] };
      }
      case 'privacy.data_used': {
        const selection = latest ? selectReasons(latest.reasons, catalogue) : undefined;
        if (!latest || selection?.kind !== 'reasons') return general(intentId, anonymous);
        const labels = content.locales[locale].categoryLabels;
        const codes = selection.shown.map((reason) => reason.code);
        const categoryOf = (code: string): string => labels.get(catalogue.find(code)?.category ?? '') ?? '';
        const categories = [...new Set(codes.map(categoryOf))].filter(Boolean).map((label) => ({ label }));
        return {
          parts: [
            { id: 'answers/privacy.data_used/customer', model: { decidedOn: format.date(latest.decidedAt), categories } },
            { id: generalAnswerId(intentId), model: {} },
          ],
          explanation: factsFor(latest.decisionId, codes, selection.codesSuppressed, codes.map(categoryOf)),
        };
      }
      case 'repayment.overdue_impact': {
        const selection = latest ? selectReasons(latest.reasons, catalogue) : undefined;
        if (!latest || selection?.kind !== 'reasons') return general(intentId, anonymous);
        const overdue = selection.shown.filter((reason) => reason.entry.category === REPAYMENT_CATEGORY).map((reason) => reason.code);
        if (overdue.length === 0) return general(intentId, anonymous);
        const used: string[] = [];
        const reasons = reasonItems(overdue, context.reasonText, used);
        const shownSet = new Set(overdue);
        return {
          parts: [
            { id: 'answers/repayment.overdue_impact/customer', model: { decidedOn: format.date(latest.decidedAt), reasons } },
            { id: generalAnswerId(intentId), model: {} },
          ],
          reasonTemplateIds: used,
          reasonCodesForLinks: overdue,
          explanation: factsFor(latest.decisionId, overdue, latest.reasons.map((r) => r.code).filter((c) => !shownSet.has(c)), reasons.map((r) => r.text)),
        };
      }
      case 'decision.request_review': {
        if (!latest) return general(intentId, anonymous);
        const changed = changedPart(latest, format);
        return { parts: [{ id: 'answers/decision.request_review/customer', model: { changed: renderTemplate(locale, changed.id, changed.model) } }] };
      }
      default:
        return general(intentId, anonymous, false);
    }
  }

  function compose(request: ReplyRequest, locale: Locale): ComposedReply {
    switch (request.kind) {
      case 'greeting':
        return finish({ parts: [{ id: request.anonymous ? 'greeting/anonymous' : 'greeting/signed_in', model: {} }], suggestions: menu }, locale);
      case 'thanks':
        return finish({ parts: [{ id: 'thanks', model: {} }] }, locale);
      case 'goodbye':
        return finish({ parts: [{ id: 'goodbye', model: {} }] }, locale);
      case 'clarify': {
        const known = request.intents.filter((id) => intents.has(id) && id !== OUT_OF_SCOPE);
        const options = known.map((id) => ({ label: intents.get(id)?.label[locale] ?? id }));
        return finish({ parts: [{ id: 'clarify', model: { options } }], suggestions: known }, locale);
      }
      case 'clarify_no_context': {
        const known = request.intents.filter((id) => intents.has(id) && id !== OUT_OF_SCOPE);
        const options = known.map((id) => ({ label: intents.get(id)?.label[locale] ?? id }));
        return finish({ parts: [{ id: 'clarify/no_context', model: { options } }], suggestions: known }, locale);
      }
      case 'follow_up':
        return followUp(request.decision, request.about, request.now, locale);
      case 'out_of_scope':
        return outOfScope(request.offerAgent, locale);
      case 'answer':
        return answer(request.intent, request.decisions, request.anonymous, request.now, locale);
      case 'engine_unavailable':
        return finish({ parts: [{ id: 'engine_unavailable', model: {} }], suggestions: ['agent.request'] }, locale);
      case 'escalated':
        return finish({ parts: [{ id: `escalated/${request.trigger}`, model: {} } as ReplyPart] }, locale);
      case 'escalation_limited':
        return finish({ parts: [{ id: 'escalation_limited', model: {} }], suggestions: menu }, locale);
      case 'agent_joined':
        return finish({ parts: [{ id: 'agent_joined', model: { agentName: request.agentName } }] }, locale);
      case 'bot_back':
        return finish({ parts: [{ id: 'bot_back', model: {} }], suggestions: menu }, locale);
      case 'desk_unreachable':
        return finish({ parts: [{ id: 'desk_unreachable', model: {} }], suggestions: menu }, locale);
      case 'rating_request': {
        const ratings = [1, 2, 3, 4, 5].map((n) => ({ label: String(n), text: String(n) }));
        return finish({ parts: [{ id: 'rating_request', model: {} }] }, locale, undefined, ratings);
      }
      case 'rating_thanks':
        return finish({ parts: [{ id: 'rating_thanks', model: { rating: request.rating, isLow: request.rating <= 2 } }] }, locale);
      case 'wait_notice': {
        const callback = renderTemplate(locale, 'labels/callback', {});
        const typicalWait = request.typicalWaitMinutes === null ? null : formatterFor(locale).minutes(request.typicalWaitMinutes);
        const reply = finish({ parts: [{ id: 'wait_notice', model: { typicalWait } }] }, locale, undefined, [
          { label: callback, text: callback, topic: CALLBACK_TOPIC },
        ]);
        reply.templateIds.push('labels/callback');
        return reply;
      }
      case 'callback_requested':
        return finish({ parts: [{ id: 'callback_requested', model: {} }] }, locale);
      case 'error':
        return finish({ parts: [{ id: `errors/${request.error}`, model: {} } as ReplyPart] }, locale);
    }
  }

  function reasonTexts(codes: readonly string[], locale: Locale): Array<string | null> {
    return codes.map((code) => {
      const disclosure = catalogue.find(code)?.disclosure;
      return disclosure === 'D' || disclosure === 'G' ? renderTemplate(locale, reasonTemplateIds(code).meaning, {}) : null;
    });
  }

  return { compose, reasonTexts, contentVersion: content.contentVersion };
}

function factsFor(decisionId: string, shown: string[], suppressed: string[], texts: string[]): ExplanationFacts {
  return { decisionId, codesShown: shown, codesSuppressed: suppressed, reasonTexts: texts, neutral: false, restricted: false };
}

/** One quick reply per label: a reply that offers a person twice (the menu and the offer) shows it once. */
function dedupeSuggestions(suggestions: Suggestion[]): Suggestion[] {
  const seen = new Set<string>();
  return suggestions.filter((suggestion) => (seen.has(suggestion.label) ? false : (seen.add(suggestion.label), true)));
}

function dedupeLinks(links: HelpLink[]): HelpLink[] {
  const seen = new Set<string>();
  return links.filter((link) => (seen.has(link.url) ? false : (seen.add(link.url), true)));
}
