import { afterEach, describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/load-content.js';
import { createReplyComposer } from '../../src/explain/create-reply-composer.js';
import type { Candor } from '../../src/main.js';
import { RecordingCustomerChannel } from '../fakes/escalation-customer-channel.js';
import { buildTestCandor } from '../support/build-test-candor.js';

const composer = createReplyComposer(loadContent({ intentsDir: 'intents', templatesDir: 'templates' }));

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
