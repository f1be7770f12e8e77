import { afterEach, describe, expect, it } from 'vitest';
import { actOnDecision, type ActionDependencies } from '../../src/core/act-on-decision.js';
import { newConversation } from '../../src/core/conversation.js';
import type { ExplainedDecision } from '../../src/core/conversation-context.js';
import type { TurnDraft } from '../../src/core/turn-draft.js';
import type { CustomerDecisions } from '../../src/core/decision.js';
import type { ReplyComposer } from '../../src/core/ports/reply-composer.js';
import { loadContent } from '../../src/content/load-content.js';
import { loadDemoCustomers } from '../../src/decisions/demo-customers.js';
import { deepFreeze } from '../../src/decisions/embedded-decision-engine.js';
import { createReplyComposer } from '../../src/explain/create-reply-composer.js';
import type { Candor } from '../../src/main.js';
import { RecordingCustomerChannel } from '../fakes/escalation-customer-channel.js';
import { buildTestCandor } from '../support/build-test-candor.js';

/** The turn's time in these tests: before the demo decisions' review dates. */
const NOW = '2026-04-01T00:00:00Z';

const composer = createReplyComposer(loadContent({ intentsDir: 'intents', templatesDir: 'templates' }));
const demo = loadDemoCustomers();


describe('actOnDecision: escalation caps', () => {
  let candor: Candor;
  afterEach(async () => {
    await candor?.close();
  });

  const ask = (conversationId: string, customerId: string | null, text = 'I want to talk to a person') =>
    candor.turns.handle({ conversationId, channel: 'test', customerId, locale: 'en', text });

  it('answers calmly and opens nothing when the anonymous cap is reached; a verified customer is never capped', async () => {
    candor = await buildTestCandor({ ANON_ESCALATIONS_PER_MINUTE: '2' });
    expect((await ask('anon:a', null)).state).toBe('queued');
    expect((await ask('anon:b', null)).state).toBe('queued');

    const refused = await ask('anon:c', null);
    expect(refused).toMatchObject({ state: 'bot', escalation: null });
    expect(refused.replies.map((reply) => reply.text)).toEqual([composer.compose({ kind: 'escalation_limited' }, 'en').text]);
    expect(refused.replies.some((reply) => reply.event === 'queued')).toBe(false);
    expect((await candor.store.getConversation('anon:c'))?.caseId).toBeNull();

    expect((await ask('web:demo-drop', 'demo-drop')).state).toBe('queued');
    const cases = await candor.store.listCases(['queued']);
    expect(cases.map((item) => item.conversationId).sort()).toEqual(['anon:a', 'anon:b', 'web:demo-drop']);
  });

  it('caps one anonymous conversation: after its case is closed, it cannot open another within the window', async () => {
    candor = await buildTestCandor({ ANON_ESCALATIONS_PER_SESSION: '1' });
    expect((await ask('anon:again', null)).state).toBe('queued');
    const cases = candor.createCaseService(new RecordingCustomerChannel());
    const [opened] = await candor.store.listCases(['queued']);
    expect((await cases.returnToBot(opened!.id, { id: 'U1', name: 'Amy' })).status).toBe('ok');
    const second = await ask('anon:again', null, 'let me talk to a human');
    expect(second.state).toBe('bot');
    expect(second.replies.at(-1)?.text).toBe(composer.compose({ kind: 'escalation_limited' }, 'en').text);
    expect(await candor.store.listCases(['queued'])).toEqual([]);
  });

  it('has the calm answer in both locales', () => {
    for (const locale of ['en', 'zh-CN'] as const) expect(composer.compose({ kind: 'escalation_limited' }, locale).text).not.toBe('');
    expect(composer.compose({ kind: 'escalation_limited' }, 'zh-CN').text).toContain('登录');
  });
});

describe('a case opened without facts of its own', () => {
  function escalateAfter(explained: ExplainedDecision | null, locale: 'en' | 'zh-CN' = 'en'): TurnDraft {
    const conversation = newConversation({ id: 'c-1', channel: 'test', customerId: 'demo-drop', locale, now: NOW });
    conversation.context = { ...conversation.context, explained };
    const draft: TurnDraft = {
      conversation,
      customerMessage: { id: 'm-1', conversationId: 'c-1', author: 'customer', text: 'a person please', intent: 'agent.request', confidence: 1, clientMessageId: null, createdAt: NOW },
      topic: null,
      replies: [],
      explanations: [],
      outbox: [],
      reasonsShown: [],
    };
    return draft;
  }

  it('carries the decision the conversation explained and the reasons shown, in order, with their texts', async () => {
    const draft = escalateAfter({ decisionId: 'dec-7Q4M2X', reasonsShown: ['PAY_LATE_RECENT', 'UTIL_HIGH'], neutral: false });
    await actOnDecision(deps(), draft, { action: 'escalate', trigger: 'asked_for_person' }, NOW);
    expect(draft.openedCase?.decisionId).toBe('dec-7Q4M2X');
    expect(draft.openedCase?.reasonsShown).toEqual([
      { code: 'PAY_LATE_RECENT', text: 'One or more repayments on this credit line were made late in recent months.' },
      { code: 'UTIL_HIGH', text: 'You are using a large share of the credit available to you.' },
    ]);
    expect(draft.openedCase?.restricted).toBe(false);
  });

  it('carries nothing after a neutral explanation, and nothing when nothing was explained', async () => {
    for (const explained of [{ decisionId: 'dec-F', reasonsShown: [], neutral: true }, null]) {
      const draft = escalateAfter(explained);
      await actOnDecision(deps(), draft, { action: 'escalate', trigger: 'asked_for_person' }, NOW);
      expect(draft.openedCase).toMatchObject({ decisionId: null, reasonsShown: [] });
    }
  });

  it('never puts a code the composer would not show on the card, even if the context named one', async () => {
    const draft = escalateAfter({ decisionId: 'dec-X', reasonsShown: ['UTIL_HIGH', 'FRAUD_SUSPECT', 'ZZ_UNKNOWN'], neutral: false });
    await actOnDecision(deps(), draft, { action: 'escalate', trigger: 'asked_for_person' }, NOW);
    expect(draft.openedCase?.reasonsShown.map((reason) => reason.code)).toEqual(['UTIL_HIGH']);
  });

  /** Escalating with no facts touches only the composer, the ids and the masking; the other ports are absent on purpose. */
  function deps(): ActionDependencies {
    let next = 0;
    return {
      composer,
      clock: { now: () => new Date(NOW) },
      ids: { next: () => `id-${++next}` },
      maskCustomerId: (id: string) => `K-${id.length}`,
    } as unknown as ActionDependencies;
  }
});
