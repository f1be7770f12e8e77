import { afterEach, describe, expect, it } from 'vitest';
import { CASES_REFUSED } from '../../../src/escalation/slack/candor-command.js';
import { CARD_ACTIONS } from '../../../src/escalation/slack/case-card.js';
import { SqliteConversationStore } from '../../../src/storage/sqlite/sqlite-conversation-store.js';
import type { SlackStubMessage } from '../../fakes/slack-api-stub.js';
import { buttonPress, eventEnvelope, signSlackBody, slashCommand } from '../../fakes/slack-signed-request.js';
import { crashOnceBeforeDone, customerSays, openTestCase, waitFor } from '../escalation-test-kit.js';
import { ESCALATION_CHANNEL, RESTRICTED_CHANNEL, SIGNING_SECRET, startSlackRig, type SlackRig } from './slack-test-rig.js';

let rig: SlackRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function cardOf(r: SlackRig, caseId: string, channel = ESCALATION_CHANNEL): Promise<SlackStubMessage> {
  let card: SlackStubMessage | undefined;
  await waitFor(() => {
    card = r.stub.topLevel(channel).find((m) => m.metadata?.event_payload['case_id'] === caseId);
    return card !== undefined;
  }, 5_000, `card of ${caseId}`);
  if (card === undefined) throw new Error('unreachable');
  return card;
}

function press(r: SlackRig, actionId: string, caseId: string, user: string, card: SlackStubMessage) {
  return r.send('/slack/actions', buttonPress({ actionId, caseId, user, channel: card.channel, messageTs: card.ts }), 'form');
}

let eventCounter = 0;
function threadReply(r: SlackRig, card: SlackStubMessage, user: string, text: string, extra: Record<string, unknown> = {}, eventId?: string) {
  eventCounter += 1;
  const ts = `${Math.floor(Date.now() / 1000)}.9${String(eventCounter).padStart(5, '0')}`;
  const event = { type: 'message', channel: card.channel, channel_type: 'channel', user, text, ts, thread_ts: card.ts, event_ts: ts, ...extra };
  return { eventId: eventId ?? `Ev${eventCounter}`, body: eventEnvelope(eventId ?? `Ev${eventCounter}`, event) };
}

const blocksText = (message: SlackStubMessage): string => JSON.stringify(message.blocks ?? []);

describe('Slack escalation app', () => {
  it('runs a full escalation: card, claim, thread reply to the customer, resolve with a rating request', async () => {
    rig = await startSlackRig();
    const r = rig;
    const opened = await openTestCase(r, { customerTexts: ['why did my limit drop', 'I want a person'] });
    const card = await cardOf(r, opened.id);
    expect(card.text).toContain(opened.ref);
    const blocks = blocksText(card);
    for (const shown of ['cust-7f3a9c', 'agent.request', 'dec-001', 'A recent repayment on this line was late.', 'Asked for a person', 'why did my limit drop', CARD_ACTIONS.claim]) {
      expect(blocks).toContain(shown);
    }
    expect(blocks).not.toContain('demo-drop');

    await customerSays(r, opened.conversationId, 'is anyone there?');
    await waitFor(() => r.stub.thread(ESCALATION_CHANNEL, card.ts).length === 1, 5_000, 'customer line in thread');
    expect(r.stub.thread(ESCALATION_CHANNEL, card.ts)[0]?.text).toBe('*Customer:* is anyone there?');

    r.stub.setDelay('users.info', 800);
    const started = Date.now();
    const ack = await press(r, CARD_ACTIONS.claim, opened.id, 'U1AMY', card);
    expect(ack.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(500);
    await waitFor(async () => (await r.store.getCase(opened.id))?.status === 'claimed', 5_000, 'claim');
    r.stub.setDelay('users.info', 0);
    expect(r.customers.to(opened.conversationId).at(-1)).toMatchObject({ event: 'agent_joined', agentName: 'Amy' });
    await waitFor(() => card.edits >= 1 && blocksText(card).includes('Claimed by Amy'), 5_000, 'card shows the claim');
    expect(blocksText(card)).not.toContain(CARD_ACTIONS.claim);

    const reply = threadReply(r, card, 'U1AMY', 'Hi, I am looking at it &amp; see <https://help.example.com/limits|our guide>');
    expect((await r.send('/slack/events', reply.body, 'json')).status).toBe(200);
    await waitFor(() => r.customers.to(opened.conversationId).some((m) => m.from === 'agent'), 5_000, 'agent reply delivered');
    expect(r.customers.to(opened.conversationId).at(-1)).toMatchObject({
      from: 'agent',
      agentName: 'Amy',
      text: 'Hi, I am looking at it & see our guide (https://help.example.com/limits)',
    });

    expect((await press(r, CARD_ACTIONS.resolve, opened.id, 'U1AMY', card)).status).toBe(200);
    await waitFor(async () => (await r.store.getConversation(opened.conversationId))?.awaitingRating === true, 5_000, 'resolved');
    expect(r.customers.to(opened.conversationId).at(-1)).toMatchObject({ event: 'resolved', state: 'resolved' });
    await waitFor(() => blocksText(card).includes('Resolved by Amy'), 5_000, 'card shows resolution');
    expect(blocksText(card)).not.toContain(CARD_ACTIONS.resolve);

    // The core stores the customer's rating on the case and announces it (as its rating turn does); the card shows it.
    const resolved = await r.store.getCase(opened.id);
    if (resolved === null) throw new Error('case vanished');
    await r.store.updateCase({ case: { ...resolved, rating: 5 }, outbox: [{ id: r.ids.next(), topic: 'case.updated', caseId: opened.id, payload: {}, createdAt: new Date().toISOString() }] });
    await waitFor(() => blocksText(card).includes('5/5'), 5_000, 'rating on the card');
    expect(r.stub.topLevel(ESCALATION_CHANNEL)).toHaveLength(1);
  });

  it('returns a case to the bot from the card', async () => {
    rig = await startSlackRig();
    const r = rig;
    const opened = await openTestCase(r);
    const card = await cardOf(r, opened.id);
    await press(r, CARD_ACTIONS.returnToBot, opened.id, 'U2LI', card);
    await waitFor(async () => (await r.store.getConversation(opened.conversationId))?.state === 'bot', 5_000, 'back with the bot');
    expect(r.customers.to(opened.conversationId).at(-1)).toMatchObject({ event: 'bot_back', state: 'bot' });
    await waitFor(() => blocksText(card).includes('Returned to the bot by Li'), 5_000, 'card update');
  });

  it('refuses wrong and stale signatures with no side effect', async () => {
    rig = await startSlackRig();
    const r = rig;
    const opened = await openTestCase(r);
    const card = await cardOf(r, opened.id);
    const callsBefore = r.stub.calls.length;
    const body = buttonPress({ actionId: CARD_ACTIONS.claim, caseId: opened.id, user: 'U1AMY', channel: card.channel, messageTs: card.ts });
    const now = Math.floor(Date.now() / 1000);
    const wrong = await r.send('/slack/actions', body, 'form', { signature: signSlackBody('not-the-secret', now, body), timestamp: now });
    const stale = await r.send('/slack/actions', body, 'form', { timestamp: now - 10 * 60, signature: signSlackBody(SIGNING_SECRET, now - 10 * 60, body) });
    const reply = threadReply(r, card, 'U1AMY', 'hello');
    const unsignedEvent = await r.send('/slack/events', reply.body, 'json', { signature: 'v0=deadbeef' });
    expect([wrong.status, stale.status, unsignedEvent.status]).toEqual([401, 401, 401]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await r.store.getCase(opened.id))?.status).toBe('queued');
    expect(r.customers.to(opened.conversationId)).toHaveLength(0);
    expect(r.stub.calls.slice(callsBefore)).toEqual([]);
    // The refused event id was not consumed: the genuine delivery still goes through.
    expect((await r.send('/slack/events', reply.body, 'json')).status).toBe(200);
    await waitFor(() => r.customers.to(opened.conversationId).some((m) => m.from === 'agent'), 5_000, 'genuine event relayed');
  });

  it('relays an event once when Slack retries it and when it is replayed', async () => {
    rig = await startSlackRig();
    const r = rig;
    const opened = await openTestCase(r);
    const card = await cardOf(r, opened.id);
    const reply = threadReply(r, card, 'U1AMY', 'only once please');
    await r.send('/slack/events', reply.body, 'json');
    await r.send('/slack/events', reply.body, 'json', { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    await r.send('/slack/events', reply.body, 'json');
    await waitFor(() => r.customers.to(opened.conversationId).some((m) => m.from === 'agent'), 5_000, 'relay');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.customers.to(opened.conversationId).filter((m) => m.text === 'only once please')).toHaveLength(1);
  });

  it('lets one of two simultaneous claims win and tells the other agent ephemerally', async () => {
    rig = await startSlackRig();
    const r = rig;
    const opened = await openTestCase(r);
    const card = await cardOf(r, opened.id);
    const answers = await Promise.all([press(r, CARD_ACTIONS.claim, opened.id, 'U1AMY', card), press(r, CARD_ACTIONS.claim, opened.id, 'U2LI', card)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await waitFor(() => r.stub.ephemerals.length === 1, 5_000, 'ephemeral to the loser');
    const winner = (await r.store.getCase(opened.id))?.agentId;
    const loser = winner === 'U1AMY' ? 'U2LI' : 'U1AMY';
    expect(r.stub.ephemerals[0]).toMatchObject({ user: loser, channel: ESCALATION_CHANNEL });
    expect(r.stub.ephemerals[0]?.text).toMatch(/already claimed by (Amy|Li)/);
    expect(r.customers.to(opened.conversationId).filter((m) => m.event === 'agent_joined')).toHaveLength(1);
  });

  it('escapes mentions and disguised links and posts with parsing, link names and unfurls off', async () => {
    rig = await startSlackRig();
    const r = rig;
    const opened = await openTestCase(r, { customerTexts: ['<!channel> urgent <@U2LI>'] });
    const card = await cardOf(r, opened.id);
    await customerSays(r, opened.conversationId, 'go to <https://evil.example|https://bank.example> & <!here>');
    await waitFor(() => r.stub.thread(ESCALATION_CHANNEL, card.ts).length === 1, 5_000, 'thread line');
    const line = r.stub.thread(ESCALATION_CHANNEL, card.ts)[0]?.text ?? '';
    expect(line).toBe('*Customer:* go to &lt;https://evil.example|https://bank.example&gt; &amp; &lt;!here&gt;');
    const cardBlocks = blocksText(card);
    expect(cardBlocks).toContain('&lt;!channel&gt; urgent &lt;@U2LI&gt;');
    expect(cardBlocks).not.toContain('<!channel>');
    expect(cardBlocks).not.toContain('<@U2LI>');
    const posts = r.stub.calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');
    expect(posts.length).toBeGreaterThanOrEqual(2);
    for (const post of posts) {
      expect(post.args).toMatchObject({ link_names: 'false', unfurl_links: 'false', unfurl_media: 'false', parse: 'none' });
    }
  });

  it('keeps note: replies internal and never relays bot posts, edits, broadcasts or other subtypes', async () => {
    rig = await startSlackRig();
    const r = rig;
    const opened = await openTestCase(r);
    const card = await cardOf(r, opened.id);
    await r.cases.claim(opened.id, { id: 'U1AMY', name: 'Amy' });
    const before = r.customers.to(opened.conversationId).length;
    const events = [
      threadReply(r, card, 'U1AMY', 'note: looks like a fraud flag, do not mention it'),
      threadReply(r, card, 'U1AMY', 'from the bot', { bot_id: r.stub.botId }),
      threadReply(r, card, r.stub.botUserId, 'bot user'),
      threadReply(r, card, 'U1AMY', 'edited text', { subtype: 'message_changed' }),
      threadReply(r, card, 'U1AMY', 'broadcast', { subtype: 'thread_broadcast' }),
      threadReply(r, card, 'U1AMY', 'integration', { subtype: 'bot_message' }),
      threadReply(r, card, 'U1AMY', 'top level', { thread_ts: undefined }),
    ];
    for (const event of events) expect((await r.send('/slack/events', event.body, 'json')).status).toBe(200);
    const marker = threadReply(r, card, 'U1AMY', 'visible reply');
    await r.send('/slack/events', marker.body, 'json');
    await waitFor(() => r.customers.to(opened.conversationId).some((m) => m.text === 'visible reply'), 5_000, 'marker');
    expect(r.customers.to(opened.conversationId).slice(before).map((m) => m.text)).toEqual(['visible reply']);
    const notes = (await r.store.listMessages(opened.conversationId)).filter((m) => m.intent === 'agent.note');
    expect(notes).toHaveLength(1);
    // A note typed in Slack is already in the thread; it is not mirrored back.
    expect(r.stub.thread(ESCALATION_CHANNEL, card.ts)).toHaveLength(0);
  });

  it('delivers every card and message once and in order through 429s, an outage and recovery', async () => {
    rig = await startSlackRig();
    const r = rig;
    r.stub.setMode('rate_limited', 1);
    const first = await openTestCase(r);
    const second = await openTestCase(r);
    for (let i = 1; i <= 3; i += 1) {
      await customerSays(r, first.conversationId, `first ${i}`);
      await customerSays(r, second.conversationId, `second ${i}`);
    }
    await waitFor(() => r.stub.calls.filter((c) => c.status === 429).length >= 2, 5_000, '429s');
    r.stub.setMode('down');
    await waitFor(() => r.stub.calls.filter((c) => c.status === 503).length >= 2, 5_000, '503s');
    r.stub.setMode('unreachable');
    await waitFor(() => r.stub.calls.filter((c) => c.status === 0).length >= 2, 5_000, 'dropped connections');
    r.stub.setMode('up');
    const firstCard = await cardOf(r, first.id);
    const secondCard = await cardOf(r, second.id);
    await waitFor(
      () => r.stub.thread(ESCALATION_CHANNEL, firstCard.ts).length === 3 && r.stub.thread(ESCALATION_CHANNEL, secondCard.ts).length === 3,
      10_000,
      'all thread lines',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.stub.topLevel(ESCALATION_CHANNEL)).toHaveLength(2);
    expect(r.stub.thread(ESCALATION_CHANNEL, firstCard.ts).map((m) => m.text)).toEqual(['*Customer:* first 1', '*Customer:* first 2', '*Customer:* first 3']);
    expect(r.stub.thread(ESCALATION_CHANNEL, secondCard.ts).map((m) => m.text)).toEqual(['*Customer:* second 1', '*Customer:* second 2', '*Customer:* second 3']);
    expect(await r.store.outboxStats(new Date().toISOString())).toMatchObject({ pending: 0, dead: 0 });
  });

  it('posts exactly one card after a crash between the case write and the post', async () => {
    rig = await startSlackRig({ startWorker: false });
    const r = rig;
    const opened = await openTestCase(r);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(r.stub.topLevel(ESCALATION_CHANNEL)).toHaveLength(0);
    r.worker.start();
    await cardOf(r, opened.id);
    await waitFor(async () => (await r.store.outboxStats(new Date().toISOString())).pending === 0, 5_000, 'done');
    expect(r.stub.topLevel(ESCALATION_CHANNEL)).toHaveLength(1);
  });

  it('posts exactly one card and one thread line after a crash after posting but before marking done', async () => {
    const { store, crashes } = crashOnceBeforeDone(SqliteConversationStore.open({ path: ':memory:' }), ['case.created', 'case.message']);
    rig = await startSlackRig({ store, leaseMs: 1_000 });
    const r = rig;
    const opened = await openTestCase(r);
    const card = await cardOf(r, opened.id);
    await customerSays(r, opened.conversationId, 'still there?');
    await waitFor(async () => (await r.store.outboxStats(new Date().toISOString())).pending === 0, 8_000, 'all done after the lease expired');
    expect(crashes).toEqual(['case.created', 'case.message']);
    expect(r.stub.topLevel(ESCALATION_CHANNEL)).toHaveLength(1);
    expect(r.stub.thread(ESCALATION_CHANNEL, card.ts)).toHaveLength(1);
    expect(await r.store.outboxResults(opened.id, 'case.created')).toEqual([{ channel: ESCALATION_CHANNEL, ts: card.ts }]);
  });

  it('sends an N-class case to the restricted channel with no reason on its card', async () => {
    rig = await startSlackRig();
    const r = rig;
    const opened = await openTestCase(r, { restricted: true, customerTexts: ['why was my limit cut'] });
    const card = await cardOf(r, opened.id, RESTRICTED_CHANNEL);
    expect(r.stub.topLevel(ESCALATION_CHANNEL)).toHaveLength(0);
    const blocks = blocksText(card);
    expect(blocks).toContain('Restricted case');
    expect(blocks).not.toMatch(/FRAUD|AML|SANCTION|LE_HOLD|Reasons the customer saw/);
    const command = await r.send('/slack/commands', slashCommand({ text: `case ${opened.ref}`, user: 'U1AMY', channel: ESCALATION_CHANNEL }), 'form');
    expect(command.body).toContain('restricted case');
    expect(command.body).not.toContain('why was my limit cut');
  });

  it('re-posts an unclaimed card to the on-call group and records the callback the customer accepts', async () => {
    rig = await startSlackRig({ unclaimedMinutes: 5 });
    const r = rig;
    const opened = await openTestCase(r);
    const card = await cardOf(r, opened.id);
    r.clock.advance(6 * 60_000);
    expect(await r.cases.checkUnclaimed()).toEqual([opened.ref]);
    await waitFor(() => r.stub.topLevel(ESCALATION_CHANNEL).length === 2, 5_000, 're-posted card');
    const repost = r.stub.topLevel(ESCALATION_CHANNEL)[1];
    expect(blocksText(repost as SlackStubMessage)).toContain('<!subteam^SONCALL1>');
    expect(blocksText(repost as SlackStubMessage)).toContain('Unclaimed for 6 min');
    const notice = r.customers.to(opened.conversationId).at(-1);
    expect(notice?.text).toContain('recent claims took an unknown number of min');
    expect(notice?.suggestions).toContainEqual({ label: 'Call me back', topic: 'callback' });
    expect(await r.cases.checkUnclaimed()).toEqual([]);
    await r.cases.requestCallback(opened.ref);
    await waitFor(() => blocksText(card).includes('Customer asked for a callback') && blocksText(repost as SlackStubMessage).includes('Customer asked for a callback'), 5_000, 'both cards updated');
    await customerSays(r, opened.conversationId, 'call me on my usual number');
    await waitFor(() => r.stub.thread(ESCALATION_CHANNEL, (repost as SlackStubMessage).ts).length === 1, 5_000, 'line under the newest card');
  });

  it('deletes the card and Candor\'s thread lines for a case.delete_thread item', async () => {
    rig = await startSlackRig();
    const r = rig;
    const opened = await openTestCase(r);
    const card = await cardOf(r, opened.id);
    await customerSays(r, opened.conversationId, 'please forget me');
    await waitFor(() => r.stub.thread(ESCALATION_CHANNEL, card.ts).length === 1, 5_000, 'thread line');
    const human = r.stub.addHumanMessage({ channel: ESCALATION_CHANNEL, user: 'U1AMY', text: 'ok', thread_ts: card.ts });
    const current = await r.store.getCase(opened.id);
    if (current === null) throw new Error('case vanished');
    await r.store.updateCase({ case: current, outbox: [{ id: r.ids.next(), topic: 'case.delete_thread', caseId: opened.id, payload: {}, createdAt: new Date().toISOString() }] });
    await waitFor(() => r.stub.topLevel(ESCALATION_CHANNEL).length === 0, 5_000, 'card deleted');
    expect(r.stub.thread(ESCALATION_CHANNEL, card.ts)).toEqual([human]);
  });

  it('posts each customer message as its own plain-text block under a speaker line Candor sets, without bidi overrides', async () => {
    rig = await startSlackRig();
    const r = rig;
    const opened = await openTestCase(r, { customerTexts: ['my name is \u202Eevil\u202C and \u2066this\u2069'] });
    const card = await cardOf(r, opened.id);
    await customerSays(r, opened.conversationId, 'ok\n*Alex (console):* Identity verified \u202E<!here>');
    await waitFor(() => r.stub.thread(ESCALATION_CHANNEL, card.ts).length === 1, 5_000, 'thread line');
    const line = r.stub.thread(ESCALATION_CHANNEL, card.ts)[0] as SlackStubMessage;
    expect(line.blocks).toEqual([
      { type: 'context', elements: [{ type: 'mrkdwn', text: '*Customer*' }] },
      { type: 'section', text: { type: 'plain_text', text: 'ok\n*Alex (console):* Identity verified &lt;!here&gt;', emoji: false } },
    ]);
    // The notification fallback cannot start a line of its own either.
    expect(line.text).toBe('*Customer:* ok *Alex (console):* Identity verified &lt;!here&gt;');
    for (const message of [line, card]) expect(JSON.stringify(message)).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(blocksText(card)).toContain('my name is evil and this');
  });

  it('keeps Chinese punctuation as the customer wrote it on the card and the thread line, and still strips bidi overrides and mentions', async () => {
    rig = await startSlackRig();
    const r = rig;
    const opened = await openTestCase(r, { locale: 'zh-CN', customerTexts: ['我的额度为什么降了？请尽快处理，谢谢！'] });
    const card = await cardOf(r, opened.id);
    await customerSays(r, opened.conversationId, '备注：“很急”；（今天）３～５天……\u202E<!channel>');
    await waitFor(() => r.stub.thread(ESCALATION_CHANNEL, card.ts).length === 1, 5_000, 'thread line');
    const line = r.stub.thread(ESCALATION_CHANNEL, card.ts)[0] as SlackStubMessage;
    expect(line.text).toBe('*Customer:* 备注：“很急”；（今天）3～5天……&lt;!channel&gt;');
    expect(blocksText(card)).toContain('我的额度为什么降了？请尽快处理，谢谢！');
    for (const message of [line, card]) {
      expect(JSON.stringify(message)).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
      expect(JSON.stringify(message)).not.toContain('<!channel>');
    }
  });

  it('refuses /candor queue and case outside the escalation channels to anyone but the agents\' group, and allows faq anywhere', async () => {
    rig = await startSlackRig({ agentGroupId: 'SAGENTS' });
    const r = rig;
    const opened = await openTestCase(r, { customerTexts: ['my secret transcript line'] });
    const ask = (text: string, user: string, channel: string) => r.send('/slack/commands', slashCommand({ text, user, channel }), 'form');

    for (const text of ['queue', `case ${opened.ref}`]) {
      const refused = await ask(text, 'U2LI', 'CRANDOM1');
      expect(refused.status).toBe(200);
      expect(JSON.parse(refused.body)).toMatchObject({ response_type: 'ephemeral', text: CASES_REFUSED });
      expect(refused.body).not.toContain(opened.ref);
      expect(refused.body).not.toContain('secret transcript');
    }
    // A member of the agents' group may ask anywhere; anyone may ask in the escalation channels.
    expect((await ask('queue', 'U1AMY', 'CRANDOM1')).body).toContain(opened.ref);
    expect((await ask(`case ${opened.ref}`, 'U1AMY', 'CRANDOM1')).body).toContain('my secret transcript line');
    expect((await ask('queue', 'U2LI', ESCALATION_CHANNEL)).body).toContain(opened.ref);
    expect(JSON.parse((await ask('faq limit-drop', 'U2LI', 'CRANDOM1')).body).text).toBe('Send the customer: https://help.example.com/chat?topic=limit-drop');
  });

  it('refuses /candor queue outside the escalation channels when no agents\' group is configured', async () => {
    rig = await startSlackRig();
    const r = rig;
    await openTestCase(r);
    const answer = await r.send('/slack/commands', slashCommand({ text: 'queue', user: 'U1AMY', channel: 'CRANDOM1' }), 'form');
    expect(JSON.parse(answer.body).text).toBe(CASES_REFUSED);
  });

  it('refuses a signed request dated more than five minutes in the future', async () => {
    rig = await startSlackRig();
    const r = rig;
    const opened = await openTestCase(r);
    const card = await cardOf(r, opened.id);
    const callsBefore = r.stub.calls.length;
    const body = buttonPress({ actionId: CARD_ACTIONS.claim, caseId: opened.id, user: 'U1AMY', channel: card.channel, messageTs: card.ts });
    const future = Math.floor(Date.now() / 1000) + 10 * 60;
    const refused = await r.send('/slack/actions', body, 'form', { timestamp: future, signature: signSlackBody(SIGNING_SECRET, future, body) });
    expect(refused.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await r.store.getCase(opened.id))?.status).toBe('queued');
    expect(r.stub.calls.slice(callsBefore)).toEqual([]);
    const soon = Math.floor(Date.now() / 1000) + 60;
    expect((await r.send('/slack/actions', body, 'form', { timestamp: soon, signature: signSlackBody(SIGNING_SECRET, soon, body) })).status).toBe(200);
    await waitFor(async () => (await r.store.getCase(opened.id))?.status === 'claimed', 5_000, 'claimed by the timely request');
  });

  it('answers /candor queue, case and faq', async () => {
    rig = await startSlackRig();
    const r = rig;
    const opened = await openTestCase(r);
    const queue = await r.send('/slack/commands', slashCommand({ text: 'queue', user: 'U1AMY', channel: ESCALATION_CHANNEL }), 'form');
    expect(queue.status).toBe(200);
    expect(JSON.parse(queue.body)).toMatchObject({ response_type: 'ephemeral' });
    expect(queue.body).toContain(opened.ref);
    const details = await r.send('/slack/commands', slashCommand({ text: `case ${opened.ref.toLowerCase()}`, user: 'U1AMY', channel: ESCALATION_CHANNEL }), 'form');
    expect(details.body).toContain('A recent repayment on this line was late.');
    const faq = await r.send('/slack/commands', slashCommand({ text: 'faq limit-drop', user: 'U1AMY', channel: ESCALATION_CHANNEL }), 'form');
    expect(JSON.parse(faq.body).text).toBe('Send the customer: https://help.example.com/chat?topic=limit-drop');
    const help = await r.send('/slack/commands', slashCommand({ text: '', user: 'U1AMY', channel: ESCALATION_CHANNEL }), 'form');
    expect(help.body).toContain('/candor queue');
  });
});
