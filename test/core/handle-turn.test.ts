import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Candor } from '../../src/main.js';
import { buildTestCandor } from '../support/build-test-candor.js';

let candor: Candor;
beforeEach(async () => {
  candor = await buildTestCandor();
});
afterEach(async () => {
  await candor.close();
});

function say(conversationId: string, text: string, extra: { customerId?: string | null; topic?: string; clientMessageId?: string; locale?: 'en' | 'zh-CN' } = {}) {
  return candor.turns.handle({
    conversationId,
    channel: 'test',
    customerId: extra.customerId === undefined ? 'demo-drop' : extra.customerId,
    locale: extra.locale ?? 'en',
    text,
    ...(extra.topic ? { topic: extra.topic } : {}),
    ...(extra.clientMessageId ? { clientMessageId: extra.clientMessageId } : {}),
  });
}

describe('handle-turn with the real parts', () => {
  it('audit-logs every explanation with shown and suppressed codes, templates and content version', async () => {
    const result = await say('audit-1', 'why did my limit drop');
    const [record] = await candor.store.listExplanations({ customerId: 'demo-drop' });
    // What the customer was told, word for word, and each reason as they read it.
    expect(record?.text).toBe(result.replies[0]?.text);
    expect(record?.reasonTexts).toHaveLength(4);
    for (const reason of record?.reasonTexts ?? []) expect(result.replies[0]?.text).toContain(reason);
    expect(record).toMatchObject({
      conversationId: 'audit-1',
      customerId: 'demo-drop',
      codesShown: ['PAY_LATE_RECENT', 'INQ_RECENT', 'UTIL_HIGH', 'MODEL_UPDATE'],
      codesSuppressed: ['INCOME_UNSTABLE'],
      contentVersion: candor.composer.contentVersion,
      reviewRequested: false,
    });
    expect(record?.templateIds).toContain('reasons/PAY_LATE_RECENT/meaning');
  });

  it('records that the customer asked for a human review, and hands over', async () => {
    const result = await say('review-1', 'i want a human to review this decision');
    expect(result.intent).toBe('decision.request_review');
    expect(result.state).toBe('queued');
    const records = await candor.store.listExplanations({ customerId: 'demo-drop' });
    expect(records.some((record) => record.reviewRequested)).toBe(true);
    const [opened] = await candor.store.listCases(['queued']);
    expect(opened).toMatchObject({ trigger: 'review_request', decisionId: expect.any(String) });
    expect(opened?.customerRef).toMatch(/^K-[0-9a-f]{10}$/);
    expect(opened?.reasonsShown.map((reason) => reason.code)).toEqual(['PAY_LATE_RECENT', 'INQ_RECENT', 'UTIL_HIGH', 'MODEL_UPDATE']);
  });

  it('stores only redacted text and classifies without the personal data', async () => {
    await say('pii-1', 'my card 4111 1111 1111 1111 and id 11010519491231002X why did my limit drop');
    const stored = await candor.store.listMessages('pii-1');
    const customerLine = stored.find((message) => message.author === 'customer');
    expect(customerLine?.text).not.toContain('4111');
    expect(customerLine?.text).not.toContain('11010519491231002X');
    expect(customerLine?.text).toContain('[CARD]');
    expect(customerLine?.intent).toBe('limit.why_dropped');
  });

  it('processes a resent message once', async () => {
    const first = await say('dup-1', 'why did my limit drop', { clientMessageId: 'm-1' });
    const again = await say('dup-1', 'why did my limit drop', { clientMessageId: 'm-1' });
    expect(first.replies.length).toBeGreaterThan(0);
    expect(again).toMatchObject({ duplicate: true, replies: [] });
    const stored = await candor.store.listMessages('dup-1');
    expect(stored.filter((message) => message.author === 'customer')).toHaveLength(1);
    expect(stored.filter((message) => message.author === 'bot')).toHaveLength(first.replies.length);
    // The resend ran no second turn into the audit trail either.
    expect((await candor.store.listExplanations({ customerId: 'demo-drop' })).filter((record) => record.conversationId === 'dup-1')).toHaveLength(1);
  });

  it('keeps quiet while queued, relays the customer to the case, and accepts a callback request', async () => {
    await say('queue-1', 'let me talk to a real person');
    const relayed = await say('queue-1', 'hello? my phone is 13812345678');
    expect(relayed.replies).toEqual([]);
    expect(relayed.state).toBe('queued');
    const callback = await say('queue-1', 'Call me back', { topic: 'callback' });
    expect(callback.replies.map((reply) => [reply.act, reply.state])).toEqual([['handover', 'queued']]);
    expect(callback.replies[0]?.text).toContain("we've noted that you'd like a call back");
    const [opened] = await candor.store.listCases(['callback']);
    expect(opened?.trigger).toBe('asked_for_person');
    const thread = await candor.store.listMessages('queue-1');
    expect(thread.map((message) => message.text).join('\n')).not.toContain('13812345678');
  });

  it('runs the whole hand-over: claim, agent reply, resolve, rating stored on the case', async () => {
    const delivered: string[] = [];
    const cases = candor.createCaseService({ deliver: async (reply) => void delivered.push(reply.text) });
    await say('handover-1', 'i want to make a complaint');
    const [opened] = await candor.store.listCases(['queued']);
    expect(opened?.trigger).toBe('complaint');
    const agent = { id: 'U1', name: 'Amy' };
    expect((await cases.claim(opened!.ref, agent)).status).toBe('ok');
    expect((await cases.agentReply(opened!.ref, agent, 'Hi, I am looking at it now')).status).toBe('ok');
    expect((await cases.resolve(opened!.ref, agent)).status).toBe('ok');
    expect(delivered).toContain('Hi, I am looking at it now');
    const rated = await say('handover-1', '4', { clientMessageId: 'rating-1' });
    expect(rated.state).toBe('bot');
    expect((await candor.store.getCase(opened!.id))?.rating).toBe(4);
    // The rating updates the case; its resend is found before that update and changes nothing.
    const ratedAgain = await say('handover-1', '4', { clientMessageId: 'rating-1' });
    expect(ratedAgain).toMatchObject({ duplicate: true, replies: [] });
    expect((await candor.store.listMessages('handover-1')).filter((message) => message.clientMessageId === 'rating-1')).toHaveLength(1);
    const next = await say('handover-1', 'what is my current limit');
    expect(next.intent).toBe('limit.current');
  });

  it('finds a resend that arrives once the case awaits a rating, and does not take it as the rating', async () => {
    const cases = candor.createCaseService({ deliver: async () => undefined });
    await say('handover-2', 'i want to make a complaint');
    const [opened] = await candor.store.listCases(['queued']);
    const agent = { id: 'U1', name: 'Amy' };
    expect((await cases.claim(opened!.ref, agent)).status).toBe('ok');
    // Typed while with the agent (relayed to them), then resent by the widget after the case was resolved.
    expect((await say('handover-2', '4', { clientMessageId: 'early-4' })).duplicate).toBe(false);
    expect((await cases.resolve(opened!.ref, agent)).status).toBe('ok');
    expect(await say('handover-2', '4', { clientMessageId: 'early-4' })).toMatchObject({ duplicate: true, replies: [] });
    expect((await candor.store.getCase(opened!.id))?.rating).toBeNull();
  });

  it('asks for a rating of bot-only help on goodbye and keeps it on the conversation', async () => {
    await say('csat-1', 'why did my limit drop');
    const bye = await say('csat-1', 'ok bye');
    expect(bye.intent).toBe('smalltalk.goodbye');
    expect(bye.replies.map((reply) => reply.text).join('\n')).toContain('from 1 (poor) to 5 (excellent)');
    const rated = await say('csat-1', '5');
    expect(rated.replies[0]?.text).toBeTruthy();
    expect((await candor.store.getConversation('csat-1'))?.botRating).toBe(5);
    const summaries = await candor.store.summarizeConversations({ from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' });
    expect(summaries.find((summary) => summary.id === 'csat-1')).toMatchObject({ botRating: 5, caseCount: 0 });
    const again = await say('csat-1', 'bye');
    expect(again.replies.map((reply) => reply.text).join('\n')).not.toContain('from 1 (poor) to 5 (excellent)');
  });

  it('runs the turns of one conversation one at a time', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, index) => say('serial-1', 'why did my limit drop', { clientMessageId: `s-${index % 4}` })));
    expect(results.filter((result) => !result.duplicate)).toHaveLength(4);
    const stored = await candor.store.listMessages('serial-1', 100);
    expect(stored.filter((message) => message.author === 'customer')).toHaveLength(4);
  });
});
