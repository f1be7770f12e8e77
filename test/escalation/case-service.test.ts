import { describe, expect, it } from 'vitest';
import { isInternalNote } from '../../src/escalation/case-service.js';
import { StoreDeliveryChannel } from '../../src/escalation/store-delivery-channel.js';
import { createEscalationKit, openTestCase } from './escalation-test-kit.js';

const amy = { id: 'U1AMY', name: 'Amy' };
const li = { id: 'U2LI', name: 'Li' };

describe('CaseService', () => {
  it('claims a case once, moves the conversation to claimed and tells the customer who joined', async () => {
    const kit = createEscalationKit();
    const opened = await openTestCase(kit);
    const result = await kit.cases.claim(opened.ref.toLowerCase(), amy);
    expect(result.status).toBe('ok');
    const conversation = await kit.store.getConversation(opened.conversationId);
    expect(conversation?.state).toBe('claimed');
    const [joined] = kit.customers.to(opened.conversationId);
    expect(joined).toMatchObject({ from: 'bot', event: 'agent_joined', state: 'claimed', agentName: 'Amy', text: '[en] Amy has joined the chat.' });
    const again = await kit.cases.claim(opened.id, li);
    expect(again).toMatchObject({ status: 'already_claimed', case: { agentName: 'Amy' } });
    expect(kit.customers.to(opened.conversationId)).toHaveLength(1);
  });

  it('lets exactly one of two simultaneous claims win', async () => {
    const kit = createEscalationKit();
    const opened = await openTestCase(kit);
    const results = await Promise.all([kit.cases.claim(opened.id, amy), kit.cases.claim(opened.id, li)]);
    expect(results.map((r) => r.status).sort()).toEqual(['already_claimed', 'ok']);
    expect(kit.customers.to(opened.conversationId).filter((r) => r.event === 'agent_joined')).toHaveLength(1);
  });

  it('sends the agent text to the customer redacted, exactly as it is stored (the reply is kept until acknowledged)', async () => {
    const kit = createEscalationKit();
    const opened = await openTestCase(kit);
    await kit.cases.claim(opened.id, amy);
    const result = await kit.cases.agentReply(opened.id, amy, 'Call us on 138.1234.5678 please');
    expect(result.status).toBe('ok');
    const sent = kit.customers.to(opened.conversationId).at(-1);
    expect(sent).toMatchObject({ from: 'agent', agentName: 'Amy', text: 'Call us on [PHONE] please', state: 'claimed' });
    const stored = (await kit.store.listMessages(opened.conversationId)).filter((m) => m.author === 'agent');
    expect(stored).toHaveLength(1);
    expect(stored[0]?.text).toBe('Call us on [PHONE] please');
  });

  it('keeps note: replies internal and never delivers them', async () => {
    const kit = createEscalationKit();
    const opened = await openTestCase(kit);
    await kit.cases.claim(opened.id, amy);
    const before = kit.customers.replies.length;
    const result = await kit.cases.agentReply(opened.id, amy, '  NOTE: customer sounds upset, check fraud queue');
    expect(result.status).toBe('ok');
    expect(kit.customers.replies).toHaveLength(before);
    const notes = (await kit.store.listMessages(opened.conversationId)).filter((m) => m.intent === 'agent.note');
    expect(notes).toHaveLength(1);
    expect(notes[0]?.author).toBe('system');
    expect(isInternalNote('note: x')).toBe(true);
    expect(isInternalNote('a note: x')).toBe(false);
  });

  it('claims a queued case when an agent simply replies', async () => {
    const kit = createEscalationKit();
    const opened = await openTestCase(kit);
    const result = await kit.cases.agentReply(opened.id, li, 'Hi, I am Li');
    expect(result).toMatchObject({ status: 'ok', case: { status: 'claimed', agentName: 'Li' } });
    expect(kit.customers.to(opened.conversationId).map((r) => r.event ?? r.from)).toEqual(['agent_joined', 'agent']);
  });

  it('resolves with a rating request and the conversation awaiting the rating', async () => {
    const kit = createEscalationKit();
    const opened = await openTestCase(kit);
    await kit.cases.claim(opened.id, amy);
    const result = await kit.cases.resolve(opened.ref, amy);
    expect(result).toMatchObject({ status: 'ok', case: { status: 'resolved' } });
    const conversation = await kit.store.getConversation(opened.conversationId);
    expect(conversation).toMatchObject({ state: 'resolved', awaitingRating: true });
    const last = kit.customers.to(opened.conversationId).at(-1);
    expect(last).toMatchObject({ event: 'resolved', state: 'resolved', text: '[en] How did we do? Rate 1-5.' });
    expect(last?.suggestions).toHaveLength(5);
    expect((await kit.cases.agentReply(opened.id, amy, 'one more thing')).status).toBe('not_open');
    expect((await kit.cases.resolve(opened.id, amy)).status).toBe('not_open');
  });

  it('returns a case to the bot in the customer locale', async () => {
    const kit = createEscalationKit();
    const opened = await openTestCase(kit, { locale: 'zh-CN' });
    await kit.cases.claim(opened.id, amy);
    expect((await kit.cases.returnToBot(opened.id, amy)).status).toBe('ok');
    expect(await kit.store.getConversation(opened.conversationId)).toMatchObject({ state: 'bot', awaitingRating: false });
    expect(kit.customers.to(opened.conversationId).at(-1)).toMatchObject({ event: 'bot_back', state: 'bot', text: '[zh-CN] You are back with the assistant.' });
    expect((await kit.store.getCase(opened.id))?.status).toBe('returned');
  });

  it('writes a case.updated outbox item with every state change', async () => {
    const kit = createEscalationKit();
    const opened = await openTestCase(kit);
    await kit.cases.claim(opened.id, amy);
    await kit.cases.resolve(opened.id, amy);
    const items = await kit.store.claimOutbox(100, new Date(Date.now() + 1e9).toISOString(), 1000);
    expect(items.map((i) => i.topic)).toEqual(['case.created']);
    const stats = await kit.store.outboxStats(new Date().toISOString());
    expect(stats.pending).toBe(3);
  });

  it('re-pings an unclaimed case once, offers a callback, and records the callback request', async () => {
    const kit = createEscalationKit({ unclaimedMinutes: 5 });
    const opened = await openTestCase(kit);
    const fresh = await openTestCase(kit);
    expect(await kit.cases.checkUnclaimed()).toEqual([]);
    kit.clock.advance(6 * 60_000);
    await kit.cases.claim(fresh.id, amy);
    expect(await kit.cases.checkUnclaimed()).toEqual([opened.ref]);
    expect(await kit.cases.checkUnclaimed()).toEqual([]);
    const notice = kit.customers.to(opened.conversationId).at(-1);
    // One claim is too few to estimate from; the 6 minutes this customer waited are never given as the expected wait.
    expect(kit.composer.requests.at(-1)?.request).toEqual({ kind: 'wait_notice', typicalWaitMinutes: null });
    expect(notice?.text).not.toContain('6 min');
    expect(notice?.suggestions).toContainEqual({ label: 'Call me back', topic: 'callback' });
    expect(await kit.cases.requestCallback(opened.ref)).toMatchObject({ status: 'ok', case: { status: 'callback' } });
    expect((await kit.cases.listOpen()).map((c) => c.status).sort()).toEqual(['callback', 'claimed']);
    expect((await kit.cases.claim(opened.id, li)).status).toBe('ok');
  });

  it('tells an unclaimed customer the median time recent claims took, not the time they have waited', async () => {
    const kit = createEscalationKit({ unclaimedMinutes: 5 });
    const earlier = [await openTestCase(kit), await openTestCase(kit), await openTestCase(kit)];
    for (const [index, minutes] of [2, 2, 6].entries()) {
      kit.clock.advance(minutes * 60_000);
      expect((await kit.cases.claim(earlier[index]!.id, amy)).status).toBe('ok');
    }
    const waiting = await openTestCase(kit);
    kit.clock.advance(9 * 60_000);
    expect(await kit.cases.checkUnclaimed()).toEqual([waiting.ref]);
    // Claims took 2, 4 and 10 minutes: the median is 4; this customer has waited 9.
    expect(kit.composer.requests.at(-1)?.request).toEqual({ kind: 'wait_notice', typicalWaitMinutes: 4 });
    expect(kit.customers.to(waiting.conversationId).at(-1)?.text).toContain('recent claims took 4 min');
  });

  it('delivers through the store for processes that do not hold the customer socket', async () => {
    const kit = createEscalationKit();
    const opened = await openTestCase(kit);
    const channel = new StoreDeliveryChannel(kit.store);
    await channel.deliver({ id: 'r1', conversationId: opened.conversationId, from: 'agent', agentName: 'Amy', text: 'hi', suggestions: [], links: [], act: 'relay', state: 'claimed', createdAt: new Date().toISOString() });
    const pending = await kit.store.listPendingDeliveries(opened.conversationId);
    expect(pending).toMatchObject([{ id: 'r1', recipient: opened.conversationId, payload: { text: 'hi', agentName: 'Amy' } }]);
  });

  it('answers not_found for an unknown reference', async () => {
    const kit = createEscalationKit();
    expect(await kit.cases.claim('C-NOPE00', amy)).toEqual({ status: 'not_found' });
    expect(await kit.cases.details('')).toBeNull();
  });
});
