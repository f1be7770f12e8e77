import { describe, expect, it } from 'vitest';
import { createReasonCatalogue } from '../../src/content/create-reason-catalogue.js';
import { loadContent } from '../../src/content/load-content.js';
import type { CustomerDecisions, DecisionKind, DecisionReason } from '../../src/core/decision.js';
import type { EscalationTrigger } from '../../src/core/escalation-case.js';
import { LOCALES, type Locale } from '../../src/core/locale.js';
import type { ComposedReply, NoticeId, ReplyRequest } from '../../src/core/ports/reply-composer.js';
import { createReplyComposer } from '../../src/explain/create-reply-composer.js';

/** The turn's time in these tests: before the demo decisions' review dates. */
const NOW = '2026-04-01T00:00:00Z';

const content = loadContent({ intentsDir: 'intents', templatesDir: 'templates' });
const composer = createReplyComposer(content);
const codes = content.reasons.map((entry) => entry.code);

function customer(kind: DecisionKind, reasons: string[], extra: { nextReviewAt?: string; previous?: number; next?: number } = {}): CustomerDecisions {
  return {
    customerId: 'c-1',
    currentLimit: { amount: extra.next ?? 800_000, currency: 'CNY' },
    decisions: [
      {
        decisionId: 'dec-1',
        kind,
        previousLimit: extra.previous ?? 2_000_000,
        newLimit: extra.next ?? 800_000,
        currency: 'CNY',
        decidedAt: '2026-03-14T02:00:00Z',
        reasons: reasons.map((code, index): DecisionReason => ({ code, rank: index + 1 })),
        ...(extra.nextReviewAt ? { nextReviewAt: extra.nextReviewAt } : {}),
      },
    ],
  };
}

const drop = customer('decrease', ['PAY_LATE_RECENT', 'INQ_RECENT', 'UTIL_HIGH', 'MODEL_UPDATE', 'INCOME_UNSTABLE'], {
  nextReviewAt: '2026-06-14T02:00:00Z',
});
const answer = (intent: string, decisions: CustomerDecisions | null, locale: Locale = 'en', anonymous = false): ComposedReply =>
  composer.compose({ kind: 'answer', intent, decisions, anonymous, now: NOW }, locale);

/** Nothing internal may reach a customer: no code, no unrendered mustache, no empty values. */
function expectClean(reply: ComposedReply): void {
  expect(reply.text.trim().length).toBeGreaterThan(10);
  expect(reply.text).not.toMatch(/\{\{|\}\}|undefined|null|NaN|\[object/);
  for (const code of [...codes, 'ZZ_NEW_POLICY_7']) expect(reply.text).not.toContain(code);
}

const triggers: EscalationTrigger[] = [
  'asked_for_person',
  'review_request',
  'complaint',
  'repeated_misses',
  'negative_sentiment',
  'restricted_reason',
  'unknown_reason',
  'engine_unavailable',
];
const notices: NoticeId[] = ['generic', 'busy', 'invalid_frame', 'text_too_long', 'rate_limited', 'unauthorized', 'binary_refused', 'origin_refused'];

const everyRequest: ReplyRequest[] = [
  { kind: 'greeting', anonymous: true },
  { kind: 'greeting', anonymous: false },
  { kind: 'thanks' },
  { kind: 'goodbye' },
  { kind: 'clarify', intents: ['limit.why_dropped', 'limit.increase_denied'] },
  { kind: 'clarify', intents: [] },
  { kind: 'out_of_scope', offerAgent: false },
  { kind: 'out_of_scope', offerAgent: true },
  { kind: 'engine_unavailable' },
  ...triggers.map((trigger): ReplyRequest => ({ kind: 'escalated', trigger })),
  { kind: 'agent_joined', agentName: 'Mei' },
  { kind: 'bot_back' },
  { kind: 'desk_unreachable' },
  { kind: 'rating_request' },
  { kind: 'rating_thanks', rating: 5 },
  { kind: 'rating_thanks', rating: 1 },
  { kind: 'wait_notice', typicalWaitMinutes: 7 },
  { kind: 'wait_notice', typicalWaitMinutes: null },
  { kind: 'callback_requested' },
  ...notices.map((error): ReplyRequest => ({ kind: 'error', error })),
  ...content.intents.flatMap((intent): ReplyRequest[] => [
    { kind: 'answer', intent: intent.id, decisions: null, anonymous: true, now: NOW },
    { kind: 'answer', intent: intent.id, decisions: null, anonymous: false, now: NOW },
    { kind: 'answer', intent: intent.id, decisions: drop, anonymous: false, now: NOW },
    { kind: 'answer', intent: intent.id, decisions: customer('freeze', ['PAY_OVERDUE_NOW']), anonymous: false, now: NOW },
  ]),
];

describe('createReplyComposer: every request in every locale', () => {
  it.each(LOCALES)('renders clean text for every request kind in %s', (locale) => {
    for (const request of everyRequest) {
      const reply = composer.compose(request, locale);
      expectClean(reply);
      expect(reply.templateIds.length).toBeGreaterThan(0);
    }
  });

  it.each(LOCALES)('explains every disclosable code on its own, naming the factor, in %s', (locale) => {
    for (const entry of content.reasons.filter((reason) => reason.disclosure !== 'N')) {
      const reply = answer('limit.why_dropped', customer('decrease', [entry.code]), locale);
      expectClean(reply);
      expect(reply.explanation?.codesShown).toEqual([entry.code]);
      expect(reply.text).toContain(reply.explanation?.reasonTexts[0]);
    }
  });

  it('answers with the customer data in the locale format', () => {
    expect(answer('limit.current', drop).text).toContain('CN¥8,000');
    expect(answer('limit.current', drop, 'zh-CN').text).toContain('¥8,000');
    expect(answer('limit.current', drop, 'zh-CN').text).toContain('2026年3月14日');
  });
});

describe('createReplyComposer: explanations', () => {
  const reply = answer('limit.why_dropped', drop);

  it('states what changed, then four reasons in rank order with a step each, the next review and a review offer', () => {
    const lines = reply.text.split('\n');
    expect(lines[0]).toBe('On March 14, 2026, your credit limit was lowered from CN¥20,000 to CN¥8,000.');
    const texts = reply.explanation?.reasonTexts ?? [];
    expect(texts).toHaveLength(4);
    const positions = texts.map((text) => reply.text.indexOf(text));
    expect(positions.every((p, i) => p > 0 && (i === 0 || p > (positions[i - 1] ?? 0)))).toBe(true);
    expect(reply.text.match(/What you can do:/g)).toHaveLength(4);
    expect(reply.text).toContain('June 14, 2026');
    expect(reply.text).toMatch(/person review this automated decision/);
    expect(reply.text.indexOf('June 14, 2026')).toBeGreaterThan(positions[3] ?? 0);
  });

  it('records shown and suppressed codes and the templates used', () => {
    expect(reply.explanation).toMatchObject({
      decisionId: 'dec-1',
      codesShown: ['PAY_LATE_RECENT', 'INQ_RECENT', 'UTIL_HIGH', 'MODEL_UPDATE'],
      codesSuppressed: ['INCOME_UNSTABLE'],
      neutral: false,
      restricted: false,
    });
    expect(reply.templateIds).toEqual(
      expect.arrayContaining(['explanation/changed/decrease', 'explanation/reasons', 'explanation/next_review', 'explanation/review_offer', 'reasons/UTIL_HIGH/advice']),
    );
    expect(reply.templateIds).not.toContain('reasons/INCOME_UNSTABLE/meaning');
  });

  it('offers follow-ups by their first alias and links the intent and the shown reasons help articles', () => {
    const reviewIntent = content.intents.find((intent) => intent.id === 'decision.request_review');
    expect(reply.suggestions[0]).toEqual({ label: reviewIntent?.label.en, topic: reviewIntent?.aliases[0] });
    const urls = reply.links.map((link) => link.url);
    const catalogue = createReasonCatalogue(content);
    expect(urls).toContain(catalogue.find('PAY_LATE_RECENT')?.helpUrl);
    expect(urls).toContain(content.intents.find((intent) => intent.id === 'limit.why_dropped')?.helpArticles[0]?.url);
    expect(new Set(urls).size).toBe(urls.length);
  });

  it.each(LOCALES)('gives the same neutral text for N-class and unknown codes (%s), restricted only for N-class', (locale) => {
    const fraud = answer('limit.why_dropped', customer('decrease', ['FRAUD_SUSPECT']), locale);
    const aml = answer('limit.why_dropped', customer('decrease', ['UTIL_HIGH', 'AML_SANCTIONS']), locale);
    const unknown = answer('limit.why_dropped', customer('decrease', ['ZZ_NEW_POLICY_7']), locale);
    expect(aml.text).toBe(fraud.text);
    expect(unknown.text).toBe(fraud.text);
    expect(unknown.templateIds).toEqual(fraud.templateIds);
    expect(fraud.explanation).toMatchObject({ neutral: true, restricted: true, codesShown: [], reasonTexts: [] });
    expect(aml.explanation).toMatchObject({ neutral: true, restricted: true, codesSuppressed: ['UTIL_HIGH', 'AML_SANCTIONS'] });
    expect(unknown.explanation).toMatchObject({ neutral: true, restricted: false });
    const utilHigh = answer('limit.why_dropped', customer('decrease', ['UTIL_HIGH']), locale).explanation?.reasonTexts[0] ?? '';
    expect(aml.text).not.toContain(utilHigh);
    expect(aml.text).not.toMatch(/fraud|investigat|suspic|sanction|launder|police|law enforcement|report|欺诈|调查|可疑|制裁|洗钱|警方|报告/i);
    expect(aml.suggestions.map((s) => s.topic)).toContain(content.intents.find((i) => i.id === 'agent.request')?.aliases[0]);
  });

  it.each(LOCALES)('hands over with identical words for restricted and unknown reasons (%s)', (locale) => {
    expect(composer.compose({ kind: 'escalated', trigger: 'restricted_reason' }, locale).text).toBe(
      composer.compose({ kind: 'escalated', trigger: 'unknown_reason' }, locale).text,
    );
  });

  it('says when a decision has no reasons, and still offers a person', () => {
    const none = answer('limit.why_dropped', customer('decrease', []));
    expect(none.templateIds).toEqual(['explanation/changed/decrease', 'explanation/no_reasons', 'explanation/review_offer']);
    expect(none.explanation).toMatchObject({ codesShown: [], codesSuppressed: [], neutral: false });
  });

  it('says group-wide reasons are not about the customer when they are all there is', () => {
    const group = answer('limit.why_dropped', customer('decrease', ['PORTFOLIO_ADJ', 'MACRO_TIGHTEN']));
    expect(group.text).toMatch(/apply to a whole group of accounts/);
    // Said once: the group-wide reason's own text already says it was not about the customer.
    expect(group.text.match(/not about anything specific you did/g)).toHaveLength(1);
    expect(answer('limit.why_dropped', customer('decrease', ['PORTFOLIO_ADJ', 'MACRO_TIGHTEN']), 'zh-CN').text.match(/并不是因为您/g)).toHaveLength(1);
    expect(answer('limit.why_dropped', drop).text).not.toMatch(/apply to a whole group of accounts/);
  });

  it('explains a denial, a freeze and a raise from the matching decision', () => {
    const denied = answer('limit.increase_denied', customer('increase_denied', ['INCOME_UNVERIFIED', 'HISTORY_SHORT'], { previous: 500_000, next: 500_000 }));
    expect(denied.text).toMatch(/request for a higher limit was declined\. Your limit stays at CN¥5,000/);
    const frozen = answer('account.frozen', customer('freeze', ['PAY_OVERDUE_NOW']), 'zh-CN');
    expect(frozen.text).toMatch(/暂停了新的借款/);
    expect(frozen.explanation?.codesShown).toEqual(['PAY_OVERDUE_NOW']);
    const raised = answer('limit.why_dropped', customer('increase_approved', ['LIMIT_RAISED'], { previous: 1_000_000, next: 1_500_000 }));
    expect(raised.text).toMatch(/raised from CN¥10,000 to CN¥15,000/);
    expect(raised.explanation?.codesShown).toEqual(['LIMIT_RAISED']);
  });

  it('says so when there is no matching decision on file', () => {
    const none: CustomerDecisions = { customerId: 'c', currentLimit: { amount: 300_000, currency: 'CNY' }, decisions: [] };
    const reply = answer('limit.why_dropped', none);
    expect(reply.templateIds).toEqual(['answers/limit.why_dropped/no_decision']);
    expect(reply.text).toContain('CN¥3,000');
    expect(reply.explanation).toBeUndefined();
    expect(answer('account.frozen', drop).templateIds).toEqual(['answers/account.frozen/no_decision']);
  });
});

describe('createReplyComposer: a review date that has passed', () => {
  const december = '2026-12-02T10:00:00Z';
  const answerAt = (intent: string, now: string, locale: Locale = 'en'): ComposedReply =>
    composer.compose({ kind: 'answer', intent, decisions: drop, anonymous: false, now }, locale);

  it('is said as passed, the review due now, wherever a next review is said — never as upcoming', () => {
    for (const intent of ['limit.why_dropped', 'limit.next_review', 'limit.how_to_increase']) {
      const en = answerAt(intent, december).text;
      expect(en, intent).toMatch(/June 14, 2026.{0,3} (has passed|That date has passed)/);
      expect(en, intent).toMatch(/due for review now/);
      expect(en, intent).not.toMatch(/due to be reviewed again/);
      const zh = answerAt(intent, december, 'zh-CN').text;
      expect(zh, intent).toMatch(/已经过了，您的额度现在已到评估时间/);
      expect(zh, intent).not.toMatch(/预计将于/);
    }
    const steps = composer.compose({ kind: 'follow_up', decision: drop.decisions[0]!, about: { topic: 'what_to_do', codes: [] }, now: december }, 'en');
    expect(steps.text).toMatch(/June 14, 2026, has passed, so your limit is due for review now/);
    const next = composer.compose({ kind: 'follow_up', decision: drop.decisions[0]!, about: { topic: 'next_review' }, now: december }, 'en');
    expect(next.text).toMatch(/That date has passed, so your limit is due for review now/);
  });

  it('is said as upcoming while it is ahead, and as due on the day itself', () => {
    expect(answerAt('limit.next_review', NOW).text).toMatch(/is due to be reviewed again on June 14, 2026/);
    expect(answerAt('limit.next_review', '2026-06-14T02:00:00Z').text).toMatch(/due for review now/);
  });
});

describe('createReplyComposer: help links per locale', () => {
  it('links a Chinese reply to the Chinese articles and an English one to the default ones', () => {
    const zh = answer('limit.why_dropped', drop, 'zh-CN').links.map((link) => link.url);
    expect(zh).toContain('https://help.candor.example/zh-CN/articles/why-limit-decreased');
    expect(zh).toContain('https://help.candor.example/zh-CN/articles/overdue-repayments');
    expect(zh.every((url) => url.startsWith('https://help.candor.example/zh-CN/')), zh.join(' ')).toBe(true);
    const en = answer('limit.why_dropped', drop, 'en').links.map((link) => link.url);
    expect(en).toContain('https://help.candor.example/articles/why-limit-decreased');
    expect(en.some((url) => url.includes('/zh-CN/'))).toBe(false);
  });

  it('falls back to the default article where there is no Chinese one', () => {
    const stripped = {
      ...content,
      intents: content.intents.map((intent) => ({ ...intent, helpArticles: intent.helpArticles.map(({ localeUrls: _dropped, ...article }) => article) })),
      reasons: content.reasons.map((entry) => ({ ...entry, localeHelpUrls: {} })),
    };
    const links = createReplyComposer(stripped).compose({ kind: 'answer', intent: 'limit.why_dropped', decisions: drop, anonymous: false, now: NOW }, 'zh-CN').links;
    expect(links.map((link) => link.url)).toContain('https://help.candor.example/articles/why-limit-decreased');
    expect(links.map((link) => link.url)).toContain('https://help.candor.example/articles/overdue-repayments');
  });
});

describe('createReplyComposer: reason texts for the case card', () => {
  it('gives the meaning text of shown reasons in order, and none for an N-class or unknown code', () => {
    expect(composer.reasonTexts(['UTIL_HIGH', 'FRAUD_SUSPECT', 'ZZ_NEW', 'PORTFOLIO_ADJ'], 'en')).toEqual([
      'You are using a large share of the credit available to you.',
      null,
      null,
      expect.stringMatching(/group of accounts/),
    ]);
    expect(composer.reasonTexts(['UTIL_HIGH'], 'zh-CN')[0]).toMatch(/额度/);
  });
});

describe('createReplyComposer: a raise asked about as a drop or a denial', () => {
  it('says first that the limit was not lowered or the request not denied, then explains the raise', () => {
    const raised = customer('increase_approved', ['LIMIT_RAISED'], { previous: 1_000_000, next: 1_500_000 });
    const denied = answer('limit.increase_denied', raised);
    expect(denied.text).toMatch(/^Your request wasn't denied: your limit was raised\.\n\nOn March 14, 2026, your credit limit was raised/);
    expect(answer('limit.why_dropped', raised).text).toMatch(/^Your limit wasn't lowered/);
    expect(answer('limit.increase_denied', raised, 'zh-CN').text).toMatch(/^您的提额申请没有被拒绝/);
    expect(answer('limit.increase_denied', customer('increase_denied', ['INCOME_UNVERIFIED'])).text).not.toMatch(/wasn't denied/);
  });
});

describe('createReplyComposer: answers from the customer data', () => {
  it('never uses customer data for an anonymous visitor, whatever is passed', () => {
    for (const intent of content.intents) {
      const reply = answer(intent.id, drop, 'en', true);
      expect(reply.text).not.toMatch(/CN¥|2026/);
      expect(reply.explanation).toBeUndefined();
    }
    expect(answer('limit.why_dropped', drop, 'en', true).templateIds).toEqual(['answers/limit.why_dropped/general', 'common/sign_in_hint']);
  });

  it('tailors how-to-increase to the specific reasons of the latest decision, and falls back to general', () => {
    const reply = answer('limit.how_to_increase', customer('increase_denied', ['INCOME_UNVERIFIED', 'MODEL_UPDATE', 'HISTORY_SHORT']));
    expect(reply.templateIds[0]).toBe('answers/limit.how_to_increase/customer');
    expect(reply.text).toMatch(/Upload proof of income/);
    expect(reply.text).toMatch(/Repaying on time whenever you use your line/);
    expect(reply.explanation?.codesShown).toEqual(['INCOME_UNVERIFIED', 'HISTORY_SHORT']);
    expect(reply.text).toMatch(/can't promise an increase/);
    expect(answer('limit.how_to_increase', customer('decrease', ['FRAUD_SUSPECT', 'UTIL_HIGH'])).templateIds).toEqual(['answers/limit.how_to_increase/general']);
    expect(answer('limit.how_to_increase', customer('decrease', ['PORTFOLIO_ADJ'])).templateIds).toEqual(['answers/limit.how_to_increase/general']);
  });

  it('gives the current limit, last change and a pause', () => {
    expect(answer('limit.current', drop).text).toBe('Your current credit limit is CN¥8,000. It last changed on March 14, 2026, from CN¥20,000.');
    expect(answer('limit.current', customer('freeze', ['PAY_OVERDUE_NOW'], { previous: 1_200_000, next: 0 })).text).toMatch(/paused/);
    expect(answer('limit.current', null).templateIds).toEqual(['answers/limit.current/no_decision']);
  });

  it('gives the next review date only when the engine set one', () => {
    expect(answer('limit.next_review', drop).text).toMatch(/June 14, 2026/);
    expect(answer('limit.next_review', customer('decrease', ['UTIL_HIGH'])).templateIds).toEqual(['answers/limit.next_review/no_date']);
  });

  it('tells a customer with no decision that there is none, not that their latest decision sets no date', () => {
    const none: CustomerDecisions = { customerId: 'c', currentLimit: { amount: 300_000, currency: 'CNY' }, decisions: [] };
    const reply = answer('limit.next_review', none);
    expect(reply.templateIds).toEqual(['answers/limit.next_review/no_decision']);
    expect(reply.text).toMatch(/no limit decision on your account yet/);
    expect(reply.text).not.toMatch(/latest decision/);
    expect(answer('limit.next_review', none, 'zh-CN').text).not.toMatch(/最近一次的决定/);
  });

  it('explains overdue impact and data used from the latest decision', () => {
    const overdue = answer('repayment.overdue_impact', drop);
    expect(overdue.templateIds.slice(0, 2)).toEqual(['answers/repayment.overdue_impact/customer', 'answers/repayment.overdue_impact/general']);
    expect(overdue.explanation?.codesShown).toEqual(['PAY_LATE_RECENT']);
    expect(answer('repayment.overdue_impact', customer('decrease', ['UTIL_HIGH'])).templateIds).toEqual(['answers/repayment.overdue_impact/general']);
    const data = answer('privacy.data_used', drop, 'zh-CN');
    expect(data.text).toMatch(/您在本额度上的还款情况[\s\S]*您的征信报告/);
    expect(answer('privacy.data_used', customer('decrease', ['AML_SANCTIONS']), 'zh-CN').templateIds).toEqual(['answers/privacy.data_used/general']);
  });

  it('names the decision a review is asked for', () => {
    expect(answer('decision.request_review', drop).text).toMatch(/review this decision: On March 14, 2026, your credit limit was lowered from CN¥20,000 to CN¥8,000\./);
  });

  it('says a declined request was declined and the limit stayed, not "before it and after"', () => {
    const denied = customer('increase_denied', ['INCOME_UNVERIFIED'], { previous: 500_000, next: 500_000 });
    const reply = answer('decision.request_review', denied);
    expect(reply.text).toMatch(/your request for a higher limit was declined\. Your limit stays at CN¥5,000\./);
    expect(reply.text).not.toMatch(/before it/);
    expect(answer('decision.request_review', denied, 'zh-CN').text).toMatch(/您的提额申请没有通过，额度仍为 ¥5,000/);
  });

  it('answers small talk and unknown intents like their own requests', () => {
    expect(answer('smalltalk.greeting', null, 'en', true).templateIds).toEqual(['greeting/anonymous']);
    expect(answer('smalltalk.thanks', null).templateIds).toEqual(['thanks']);
    expect(answer('oos', null).templateIds).toEqual(['out_of_scope/menu']);
    expect(answer('no.such_intent', null).templateIds).toEqual(['out_of_scope/menu']);
  });
});

describe('createReplyComposer: conversation replies', () => {
  it('clarifies with the intents as labelled quick replies', () => {
    const reply = composer.compose({ kind: 'clarify', intents: ['limit.why_dropped', 'limit.increase_denied'] }, 'zh-CN');
    const labels = ['limit.why_dropped', 'limit.increase_denied'].map((id) => content.intents.find((i) => i.id === id)?.label['zh-CN'] ?? '');
    for (const label of labels) expect(reply.text).toContain(label);
    expect(reply.suggestions.map((s) => s.label)).toEqual(labels);
  });

  it('offers a person after repeated misses only when asked to', () => {
    const plain = composer.compose({ kind: 'out_of_scope', offerAgent: false }, 'en');
    const offer = composer.compose({ kind: 'out_of_scope', offerAgent: true }, 'en');
    expect(offer.templateIds).toEqual(['out_of_scope/menu', 'out_of_scope/person_offer']);
    // The menu already offers a person: the offer does not add the same quick reply again.
    for (const locale of LOCALES) {
      const labels = composer.compose({ kind: 'out_of_scope', offerAgent: true }, locale).suggestions.map((s) => s.label);
      expect(new Set(labels).size, locale).toBe(labels.length);
      expect(labels).toContain(content.intents.find((i) => i.id === 'agent.request')?.label[locale]);
    }
    for (const intent of content.intents.filter((i) => i.flags.inMenu)) expect(plain.text).toContain(intent.label.en);
  });

  it('treats an agent name as data, never as a template', () => {
    expect(composer.compose({ kind: 'agent_joined', agentName: '{{agentName}} <b>' }, 'en').text).toBe('{{agentName}} <b> from our team has joined the chat.');
  });

  it('asks for a 1–5 rating with quick replies and thanks differently for a low one', () => {
    expect(composer.compose({ kind: 'rating_request' }, 'en').suggestions.map((s) => s.text)).toEqual(['1', '2', '3', '4', '5']);
    expect(composer.compose({ kind: 'rating_thanks', rating: 4 }, 'en').text).toContain('4 out of 5');
    expect(composer.compose({ kind: 'rating_thanks', rating: 1 }, 'en').text).toMatch(/sorry/i);
  });

  it('gives the wait in minutes and offers a callback', () => {
    const reply = composer.compose({ kind: 'wait_notice', typicalWaitMinutes: 7 }, 'zh-CN');
    expect(reply.text).toContain('最近通常约 7分钟 后会有工作人员加入对话，但我们无法保证具体什么时候轮到您。');
    expect(reply.suggestions).toEqual([{ label: '请给我回电', text: '请给我回电', topic: 'callback' }]);
    expect(reply.templateIds).toEqual(['wait_notice', 'labels/callback']);
  });

  it('says how long recent claims took, never a wait it cannot stand behind, and confirms a callback request', () => {
    const estimated = composer.compose({ kind: 'wait_notice', typicalWaitMinutes: 12 }, 'en').text;
    expect(estimated).toContain("Recently it has taken about 12 minutes for someone to join a chat, but we can't promise when it will be your turn.");
    expect(estimated).not.toMatch(/expected wait/i);
    const unknown = composer.compose({ kind: 'wait_notice', typicalWaitMinutes: null }, 'en').text;
    expect(unknown).toContain("We can't estimate how long the wait will be right now.");
    expect(unknown).not.toMatch(/\d/);
    expect(composer.compose({ kind: 'wait_notice', typicalWaitMinutes: null }, 'zh-CN').text).toContain('目前我们无法估计需要等待多久。');
    expect(composer.compose({ kind: 'callback_requested' }, 'en').text).toContain("we've noted that you'd like a call back");
    expect(composer.compose({ kind: 'callback_requested' }, 'zh-CN').text).toContain('已记录您希望我们回电');
  });

  it('keeps engine trouble calm and says the account did not change', () => {
    expect(composer.compose({ kind: 'engine_unavailable' }, 'en').text).toMatch(/Nothing about your account has changed/);
  });

  it('exposes a short content version', () => {
    expect(composer.contentVersion).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('createReplyComposer: menu', () => {
  it('lists the menu intents in the design order, most asked first', () => {
    const greeting = composer.compose({ kind: 'greeting', anonymous: false }, 'en');
    const ids = greeting.suggestions.map((s) => content.intents.find((intent) => intent.aliases[0] === s.topic)?.id);
    expect(ids[0]).toBe('limit.why_dropped');
    expect(ids).toEqual(content.intents.filter((intent) => intent.flags.inMenu).map((intent) => intent.id).sort((a, b) => {
      const order = ['limit.why_dropped', 'limit.increase_denied', 'limit.how_to_increase', 'limit.current', 'limit.next_review', 'account.frozen', 'decision.request_review', 'agent.request'];
      return order.indexOf(a) - order.indexOf(b);
    }));
  });
});
