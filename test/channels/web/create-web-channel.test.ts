import { readdir } from 'node:fs/promises';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOKEN_EXPIRED_CLOSE_CODE } from '../../../src/channels/web/chat-socket-gateway.js';
import { createWebChannel } from '../../../src/channels/web/create-web-channel.js';
import { TOKEN_REFRESH_PATH } from '../../../src/channels/web/web-request-listener.js';
import { webConfigSchema } from '../../../src/config/web-config.js';
import { CandorError } from '../../../src/core/candor-error.js';
import type { OutgoingReply } from '../../../src/core/reply.js';
import { OffsetClock } from '../../fakes/escalation-clock.js';
import { WebFakeComposer } from '../../fakes/web-fake-composer.js';
import { WebFakeIntents } from '../../fakes/web-fake-intents.js';
import { WebMemoryStore } from '../../fakes/web-memory-store.js';
import { DEMO_DROP_REASONS, WebScriptedTurnHandler } from '../../fakes/web-scripted-turn-handler.js';
import { startTestWebChannel, TEST_DEMO_CUSTOMERS, TEST_TOKEN_SECRET, type TestWebChannel } from './support/start-test-web-channel.js';
import { TestChatClient } from './support/test-chat-client.js';

const secret = new TextEncoder().encode(TEST_TOKEN_SECRET);

async function signToken(claims: { sub?: string; aud?: string; iss?: string; exp?: number; secret?: Uint8Array }): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now - 10);
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  jwt.setAudience(claims.aud ?? 'candor-web-chat');
  jwt.setIssuer(claims.iss ?? 'candor');
  jwt.setExpirationTime(claims.exp ?? now + 600);
  return jwt.sign(claims.secret ?? secret);
}

function reply(conversationId: string, text: string, extra: Partial<OutgoingReply> = {}): OutgoingReply {
  return {
    id: `r-${Math.random().toString(36).slice(2)}`,
    conversationId,
    from: 'agent',
    agentName: 'Mei',
    text,
    suggestions: [],
    links: [],
    act: 'relay',
    state: 'claimed',
    createdAt: new Date().toISOString(),
    ...extra,
  };
}

describe('web channel over real websockets', () => {
  let web: TestWebChannel;
  let turns: WebScriptedTurnHandler;
  const clients: TestChatClient[] = [];

  async function open(options: Parameters<typeof TestChatClient.open>[1] = {}): Promise<TestChatClient> {
    const client = await TestChatClient.open(web.socketUrl, options);
    clients.push(client);
    return client;
  }

  async function tokenFor(customerId: string): Promise<string> {
    return (await web.channel.tokens.issue(customerId)).token;
  }

  async function expectHealthy(): Promise<void> {
    const page = await fetch(`${web.channel.url}/chat`);
    expect(page.status).toBe(200);
    const probe = await open();
    probe.send({ type: 'message', id: 'probe', text: 'ping' });
    expect((await probe.reply()).text).toBe('You said: ping');
  }

  beforeEach(async () => {
    turns = new WebScriptedTurnHandler();
    web = await startTestWebChannel({ turns, env: { CHAT_RATE_BURST: '10', CHAT_RATE_PER_SECOND: '2', CHAT_MAX_PAYLOAD_BYTES: '8192' } });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await web.close();
  });

  it('takes identity from the token: a verified customer talks in web:<customerId>', async () => {
    const client = await open({ token: await tokenFor('demo-drop') });
    client.send({ type: 'message', id: 'm1', text: 'why did my limit drop' });
    const answer = await client.reply();
    for (const reason of DEMO_DROP_REASONS.en) expect(answer.text).toContain(reason);
    expect(turns.received[0]).toMatchObject({ conversationId: 'web:demo-drop', customerId: 'demo-drop', channel: 'web', clientMessageId: 'm1', locale: 'en' });
  });

  it('ignores a forged user field and user query: the hijack reaches nobody else', async () => {
    const victim = await open({ token: await tokenFor('demo-drop') });
    const anonymous = await open({ query: { user: 'demo-drop' } });
    const otherCustomer = await open({ token: await tokenFor('demo-denied') });

    anonymous.send({ type: 'message', id: 'a1', text: 'why did my limit drop', user: 'web:demo-drop', channel: 'websocket' });
    otherCustomer.send({ type: 'message', id: 'o1', text: 'why did my limit drop', user: 'demo-drop', customerId: 'demo-drop' });

    expect((await anonymous.reply()).text).toBe('Please sign in so I can look at your own limit decision.');
    expect((await otherCustomer.reply()).text).toBe('Please sign in so I can look at your own limit decision.');
    const anonymousTurn = turns.received.find((message) => message.clientMessageId === 'a1');
    expect(anonymousTurn?.customerId).toBeNull();
    expect(anonymousTurn?.conversationId).toMatch(/^anon:[A-Za-z0-9_-]{22}$/);
    expect(turns.received.find((message) => message.clientMessageId === 'o1')).toMatchObject({ conversationId: 'web:demo-denied', customerId: 'demo-denied' });

    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(victim.frames.filter((frame) => frame.type === 'message')).toEqual([]);
  });

  it.each([
    ['signed with another secret', () => signToken({ sub: 'demo-drop', secret: new TextEncoder().encode('another-secret-another-secret-another-secret') })],
    ['expired', () => signToken({ sub: 'demo-drop', exp: Math.floor(Date.now() / 1000) - 60 })],
    ['for the wrong audience', () => signToken({ sub: 'demo-drop', aud: 'some-other-app' })],
    ['from the wrong issuer', () => signToken({ sub: 'demo-drop', iss: 'mallory' })],
    ['without a subject', () => signToken({})],
    ['with a subject that is not a customer id', () => signToken({ sub: 'web:x y' })],
    ['unsigned (alg none)', async () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'demo-drop', aud: 'candor-web-chat', iss: 'candor', exp: 9_999_999_999 })).toString('base64url')}.`],
    ['garbage', async () => 'not-a-jwt'],
  ])('refuses a token %s with HTTP 401 at the upgrade', async (_label, makeToken) => {
    expect(await TestChatClient.upgradeStatus(web.socketUrl, { token: await makeToken() })).toBe(401);
    expect(turns.received).toEqual([]);
  });

  it('accepts a valid token, and checks tokens for the widget at /chat/token-check', async () => {
    const token = await tokenFor('demo-drop');
    expect(await TestChatClient.upgradeStatus(web.socketUrl, { token })).toBe(101);
    expect((await fetch(`${web.channel.url}/chat/token-check`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const expired = await signToken({ sub: 'demo-drop', exp: Math.floor(Date.now() / 1000) - 60 });
    expect((await fetch(`${web.channel.url}/chat/token-check`, { headers: { authorization: `Bearer ${expired}` } })).status).toBe(401);
  });

  it('refuses a page origin that is not allowed (403) and accepts its own', async () => {
    expect(await TestChatClient.upgradeStatus(web.socketUrl, { origin: 'https://evil.example' })).toBe(403);
    expect(await TestChatClient.upgradeStatus(web.socketUrl, { origin: web.channel.url })).toBe(101);
    const port = new URL(web.channel.url).port;
    expect(await TestChatClient.upgradeStatus(web.socketUrl, { origin: `http://localhost:${port}` })).toBe(101);
  });

  it.each([
    ['malformed JSON', '{"type": "message", "text": ', 'invalid_frame'],
    ['an array', '[1, 2, 3]', 'invalid_frame'],
    ['a string', '"hello"', 'invalid_frame'],
    ['a number', '42', 'invalid_frame'],
    ['null', 'null', 'invalid_frame'],
    ['an unknown type', '{"type": "eval", "code": "1"}', 'invalid_frame'],
    ['a message without an id', '{"type": "message", "text": "hi"}', 'invalid_frame'],
    ['a message with a bad id', '{"type": "message", "id": "a b", "text": "hi"}', 'invalid_frame'],
    ['an over-long text', JSON.stringify({ type: 'message', id: 'long', text: 'a'.repeat(2001) }), 'text_too_long', 'long'],
    ['an over-long text after NFKC', JSON.stringify({ type: 'message', id: 'long2', text: '㍻'.repeat(1001) }), 'text_too_long', 'long2'],
    ['a message with a bad locale', JSON.stringify({ type: 'message', id: 'fr1', text: 'bonjour', locale: 'fr' }), 'invalid_frame', 'fr1'],
  ])('answers %s with an error frame (naming the refused message) and stays up', async (_label, raw, code, id?: string) => {
    const client = await open();
    client.sendRaw(raw);
    const error = await client.error();
    expect(error).toEqual({
      type: 'error',
      code,
      text: new WebFakeComposer().compose({ kind: 'error', error: code as 'invalid_frame' }, 'en').text,
      ...(id === undefined ? {} : { id }),
    });
    expect(turns.received).toEqual([]);
    client.send({ type: 'message', id: 'after', text: 'still there?' });
    expect((await client.reply()).text).toBe('You said: still there?');
    await expectHealthy();
  });

  it('accepts 2,000 Chinese characters (under maxPayload), NFKC-normalises text but keeps Chinese punctuation, and keeps the last locale', async () => {
    const client = await open();
    client.send({ type: 'message', id: 'zh', text: '额'.repeat(2000), locale: 'zh-CN' });
    await client.reply();
    client.send({ type: 'message', id: 'wide', text: 'ｗｈｙ\u0007 ' });
    await client.reply();
    client.send({ type: 'message', id: 'punct', text: '额度为什么降了？请说明，谢谢！' });
    await client.reply();
    expect(turns.received.map((message) => [message.text.length, message.locale])).toEqual([
      [2000, 'zh-CN'],
      [3, 'zh-CN'],
      [15, 'zh-CN'],
    ]);
    expect(turns.received[1]?.text).toBe('why');
    // Chinese punctuation is kept as written; NFKC would have made it ASCII.
    expect(turns.received[2]?.text).toBe('额度为什么降了？请说明，谢谢！');
  });

  it('refuses a binary frame with an error frame, in the session locale', async () => {
    const client = await open({ query: { locale: 'zh-CN' } });
    client.sendRaw(Buffer.from([1, 2, 3]), true);
    expect(await client.error()).toMatchObject({ code: 'binary_refused', text: '只能发送文字消息。' });
    await expectHealthy();
  });

  it('rate-limits a message flood with error frames; the socket and server stay up', async () => {
    const client = await open();
    for (let index = 0; index < 40; index += 1) client.send({ type: 'message', id: `f${index}`, text: `flood ${index}` });
    const firstRefusal = await client.error();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refusals = [firstRefusal, ...client.frames.filter((frame) => frame.type === 'error' && frame.code === 'rate_limited')];
    expect(refusals.length).toBeGreaterThanOrEqual(25);
    expect(turns.received.length).toBeLessThanOrEqual(12);
    // Each refusal names its message, and exactly the messages that were not refused are delivered (a
    // reply's inReplyTo is the receipt of the message it answers).
    const refusedIds = refusals.map((frame) => frame.id);
    const deliveredIds = client.frames.filter((frame) => frame.type === 'delivered' || (frame.type === 'message' && frame.inReplyTo !== undefined)).map((frame) => frame.type === 'delivered' ? frame.id : frame.inReplyTo);
    expect(new Set([...refusedIds, ...deliveredIds]).size).toBe(40);
    expect(deliveredIds).toEqual(turns.received.map((message) => message.clientMessageId));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    client.send({ type: 'message', id: 'calm', text: 'calm again' });
    expect((await client.next((frame) => frame.type === 'message' && frame.text === 'You said: calm again')).text).toBe('You said: calm again');
    await expectHealthy();
  });

  it('closes only the offending socket on an oversize frame (1009); the process and other sockets stay up', async () => {
    const bystander = await open();
    const client = await open();
    client.sendRaw(JSON.stringify({ type: 'message', id: 'big', text: 'x'.repeat(20_000) }));
    expect((await client.closed).code).toBe(1009);
    bystander.send({ type: 'message', id: 'b1', text: 'hello' });
    expect((await bystander.reply()).text).toBe('You said: hello');
    await expectHealthy();
  });

  it('delivers every reply to every tab of a customer; closing one tab does not cut the other', async () => {
    const token = await tokenFor('demo-drop');
    const tabOne = await open({ token });
    const tabTwo = await open({ token });

    tabOne.send({ type: 'message', id: 't1', text: 'from tab one' });
    expect((await tabOne.reply()).text).toBe('You said: from tab one');
    expect((await tabTwo.reply()).text).toBe('You said: from tab one');

    await tabOne.close();
    tabTwo.send({ type: 'message', id: 't2', text: 'from tab two' });
    expect((await tabTwo.reply()).text).toBe('You said: from tab two');

    await web.channel.customerChannel.deliver(reply('web:demo-drop', 'An agent here.'));
    expect((await tabTwo.reply()).text).toBe('An agent here.');
  });

  it('keeps replies sent while offline and delivers them once, in order, on reconnect', async () => {
    const first = reply('web:demo-drop', 'first while away');
    const second = reply('web:demo-drop', 'second while away');
    await web.channel.customerChannel.deliver(first);
    await web.channel.customerChannel.deliver(second);
    expect(web.store.pendingIds('web:demo-drop')).toEqual([first.id, second.id]);

    const client = await open({ token: await tokenFor('demo-drop') });
    const received = [await client.reply(), await client.reply()];
    expect(received.map((frame) => frame.id)).toEqual([first.id, second.id]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(client.frames.filter((frame) => frame.type === 'message')).toEqual([]);
    for (const frame of received) client.ack(frame.id);
    await waitFor(() => web.store.pendingIds('web:demo-drop').length === 0);
    await client.close();

    const again = await open({ token: await tokenFor('demo-drop') });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(again.frames.filter((frame) => frame.type === 'message')).toEqual([]);
  });

  it('redelivers a reply that was sent but never acknowledged', async () => {
    const token = await tokenFor('demo-drop');
    const client = await open({ token });
    const unacked = reply('web:demo-drop', 'did you get this?');
    await web.channel.customerChannel.deliver(unacked);
    expect((await client.reply()).id).toBe(unacked.id);
    await client.close();
    const again = await open({ token });
    expect((await again.reply()).id).toBe(unacked.id);
  });

  it('sends only the customer-facing fields of a reply, and no unsafe links', async () => {
    const client = await open({ token: await tokenFor('demo-drop') });
    const leaky = {
      ...reply('web:demo-drop', 'hello', {
        links: [
          { label: 'Help', url: 'https://help.example.com/a' },
          { label: 'Bad', url: 'javascript:alert(1)' },
        ],
        suggestions: [{ label: 'Why?', topic: 'limit-drop' }],
        event: 'agent_joined',
      }),
      intent: 'limit.why_dropped',
      confidence: 0.97,
      reasonCodes: ['AML_SANCTIONS'],
    } as OutgoingReply;
    await web.channel.customerChannel.deliver(leaky);
    const frame = await client.reply();
    expect(Object.keys(frame).sort()).toEqual(['act', 'agentName', 'createdAt', 'event', 'from', 'id', 'links', 'state', 'suggestions', 'text', 'type']);
    expect(frame.createdAt).toBe(leaky.createdAt);
    expect(frame.links).toEqual([{ label: 'Help', url: 'https://help.example.com/a' }]);
    expect(JSON.stringify(web.store.pendingIds('web:demo-drop'))).not.toContain('AML');
  });

  it('hands the callback and reason quick replies to the core with their topics', async () => {
    const client = await open({ token: await tokenFor('demo-drop') });
    client.send({ type: 'message', id: 'cb', text: 'Call me back', topic: 'callback' });
    await client.next((frame) => frame['inReplyTo'] === 'cb' || (frame.type === 'delivered' && frame['id'] === 'cb'));
    client.send({ type: 'message', id: 'r2', text: 'The second reason', topic: 'reason-2' });
    await client.next((frame) => frame['inReplyTo'] === 'r2' || (frame.type === 'delivered' && frame['id'] === 'r2'));
    expect(turns.received.map((message) => [message.text, message.topic])).toEqual([
      ['Call me back', 'callback'],
      ['The second reason', 'reason-2'],
    ]);
  });

  it('opens a chat with a deep-link topic; an unknown or malformed topic greets without an error', async () => {
    const client = await open();
    client.send({ type: 'hello', start: true, topic: 'how-to-increase' });
    expect((await client.reply()).text).toContain('To raise your limit');
    client.send({ type: 'hello', start: true, topic: 'no-such-topic' });
    expect((await client.reply()).text).toContain("Hi, I'm Candor");
    client.send({ type: 'hello', start: true, topic: '<script>' });
    expect((await client.reply()).text).toContain("Hi, I'm Candor");
    expect(client.frames.filter((frame) => frame.type === 'error')).toEqual([]);
    expect(turns.received.map((message) => [message.text, message.topic])).toEqual([
      ['', 'how-to-increase'],
      ['', undefined],
      ['', undefined],
    ]);
  });

  it('answers a failed turn with an error frame and keeps the socket usable', async () => {
    const client = await open();
    turns.failNext = new Error('boom');
    client.send({ type: 'message', id: 'x1', text: 'hello' });
    expect(await client.error()).toMatchObject({ code: 'generic', id: 'x1' });
    turns.failNext = new CandorError('conversation_busy', 'busy');
    client.send({ type: 'message', id: 'x2', text: 'hello' });
    expect(await client.error()).toMatchObject({ code: 'busy', id: 'x2' });
    client.send({ type: 'message', id: 'x3', text: 'hello' });
    // The reply is the receipt: it names the message it answers, and no separate receipt follows.
    expect(await client.reply()).toMatchObject({ text: 'You said: hello', inReplyTo: 'x3' });
    expect(client.frames.filter((frame) => frame.type === 'delivered')).toEqual([]);
  });

  it('sends a receipt of its own only for a message no reply answers (one relayed to an agent, a resend)', async () => {
    const client = await open();
    client.send({ type: 'message', id: 'r1', text: 'for the agent: are you there?' });
    expect(await client.next((frame) => frame.type === 'delivered')).toEqual({ type: 'delivered', id: 'r1' });
    client.send({ type: 'message', id: 'r1', text: 'for the agent: are you there?' });
    expect(await client.next((frame) => frame.type === 'delivered')).toEqual({ type: 'delivered', id: 'r1' });
    expect(client.frames.filter((frame) => frame.type === 'message')).toEqual([]);
  });

  it('shows typing while a slow turn runs', async () => {
    const client = await open();
    turns.delayMs = 600;
    client.send({ type: 'message', id: 'slow', text: 'slow one' });
    expect(await client.next((frame) => frame.type === 'typing')).toEqual({ type: 'typing', from: 'bot' });
    expect((await client.reply()).text).toBe('You said: slow one');
  });

  it('opens every socket with a history frame, after the session frame and before kept replies', async () => {
    web.store.addMessages(
      { id: 'h1', conversationId: 'web:demo-drop', author: 'customer', text: 'why did my limit drop', intent: null, confidence: null, clientMessageId: 'w1', createdAt: '2026-03-14T09:00:00.000Z' },
      { id: 'h2', conversationId: 'web:demo-drop', author: 'system', text: 'Claimed by Mei.', intent: null, confidence: null, clientMessageId: null, createdAt: '2026-03-14T09:00:01.000Z' },
    );
    const kept = reply('web:demo-drop', 'kept while away');
    await web.channel.customerChannel.deliver(kept);
    const client = await open({ token: await tokenFor('demo-drop') });
    await client.reply();
    const history = await client.next((frame) => frame.type === 'history');
    expect(history).toEqual({ type: 'history', messages: [{ id: 'h1', from: 'customer', text: 'why did my limit drop', createdAt: '2026-03-14T09:00:00.000Z', clientId: 'w1' }] });

    const order: string[] = [];
    const again = new WebSocket(`${web.socketUrl}?token=${await tokenFor('demo-drop')}`);
    again.on('message', (data) => order.push((JSON.parse(data.toString()) as { type: string }).type));
    await waitFor(() => order.length >= 3);
    expect(order.slice(0, 3)).toEqual(['session', 'history', 'message']);
    again.close();

    const anonymous = await open();
    expect(await anonymous.next((frame) => frame.type === 'history')).toEqual({ type: 'history', messages: [] });
  });

  it('lets an anonymous visitor resume the same conversation after a reconnect', async () => {
    const first = await open();
    first.send({ type: 'message', id: 'n1', text: 'one' });
    await first.reply();
    const sessionId = turns.received[0]?.conversationId.slice('anon:'.length) ?? '';
    await first.close();
    const resumed = await open({ query: { resume: sessionId } });
    resumed.send({ type: 'message', id: 'n2', text: 'two' });
    await resumed.next((frame) => frame.text === 'You said: two');
    expect(turns.received[1]?.conversationId).toBe(`anon:${sessionId}`);
  });

  it('serves the widget, the demo page and demo tokens', async () => {
    for (const path of ['/', '/chat', '/chat?topic=limit-drop', '/demo', '/static/chat.js', '/static/chat.css']) {
      const response = await fetch(`${web.channel.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    }
    expect(await (await fetch(`${web.channel.url}/demo/customers`)).json()).toEqual({ customers: TEST_DEMO_CUSTOMERS });

    const form = await fetch(`${web.channel.url}/demo/token`, {
      method: 'POST',
      body: new URLSearchParams({ customerId: 'demo-drop', lang: 'zh-CN' }),
      redirect: 'manual',
    });
    expect(form.status).toBe(303);
    const location = form.headers.get('location') ?? '';
    expect(location).toMatch(/^\/chat\?lang=zh-CN#token=/);
    const token = location.split('#token=')[1] ?? '';
    const client = await open({ token });
    client.send({ type: 'message', id: 'd1', text: 'hi' });
    await client.reply();
    expect(turns.received[0]?.customerId).toBe('demo-drop');

    expect((await fetch(`${web.channel.url}/demo/token?customerId=nobody`)).status).toBe(404);
    expect((await fetch(`${web.channel.url}/demo/token`, { method: 'POST', headers: { origin: 'https://evil.example' }, body: 'customerId=demo-drop' })).status).toBe(403);
    const notices = (await (await fetch(`${web.channel.url}/chat/notices?locale=zh-CN`)).json()) as { notices: Record<string, string> };
    expect(notices.notices.rate_limited).toBe('您发送消息太快了。');
  });

  it('serves every script of the widget and demo page as JavaScript, with the same headers as chat.js', async () => {
    const scripts = (await readdir(new URL('../../../src/channels/web/public/', import.meta.url))).filter((name) => name.endsWith('.js'));
    expect(scripts).toEqual(expect.arrayContaining(['chat.js', 'chat-connection.js', 'chat-messages.js', 'chat-sending.js', 'demo.js']));
    const headersOf = (response: Response) => ['content-security-policy', 'x-content-type-options', 'referrer-policy', 'cross-origin-opener-policy', 'cache-control'].map((name) => response.headers.get(name));
    const chat = await fetch(`${web.channel.url}/static/chat.js`);
    for (const name of scripts) {
      const response = await fetch(`${web.channel.url}/static/${name}`);
      expect(response.status, name).toBe(200);
      expect(response.headers.get('content-type'), name).toBe('text/javascript; charset=utf-8');
      expect(headersOf(response), name).toEqual(headersOf(chat));
      const source = await response.text();
      for (const [, imported] of source.matchAll(/^import .* from '\.\/([a-z-]+\.js)';$/gm)) expect(scripts, `${name} imports ${imported}`).toContain(imported);
    }
    const page = await (await fetch(`${web.channel.url}/chat`)).text();
    expect(page).toContain('<script type="module" src="/static/chat.js"></script>');
  });
});

describe('web channel: token expiry after the upgrade', () => {
  let web: TestWebChannel;
  let turns: WebScriptedTurnHandler;
  let clock: OffsetClock;
  const clients: TestChatClient[] = [];

  beforeEach(async () => {
    turns = new WebScriptedTurnHandler();
    clock = new OffsetClock();
    web = await startTestWebChannel({ turns, clock });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await web.close();
  });

  async function open(token: string): Promise<TestChatClient> {
    const client = await TestChatClient.open(web.socketUrl, { token });
    clients.push(client);
    return client;
  }

  it('closes a signed-in socket with 4001 when its token expires; a reply meanwhile is kept for the next socket', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const client = await open(await signToken({ sub: 'demo-drop', exp: expiresAt }));
    client.send({ type: 'message', id: 'e1', text: 'before expiry' });
    const answered = await client.reply();
    expect(answered.text).toBe('You said: before expiry');
    client.ack(answered.id);
    const { code } = await client.closed;
    expect(code).toBe(TOKEN_EXPIRED_CLOSE_CODE);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt * 1000);
    expect(Date.now()).toBeLessThan(expiresAt * 1000 + 1000);

    await web.channel.customerChannel.deliver(reply('web:demo-drop', 'sent while the token was being renewed'));
    const renewed = await open(await tokenFor(web, 'demo-drop'));
    expect((await renewed.reply()).text).toBe('sent while the token was being renewed');
  });

  it('never runs a frame sent after the token expired, even before the expiry timer fires', async () => {
    const client = await open(await signToken({ sub: 'demo-drop', exp: Math.floor(Date.now() / 1000) + 60 }));
    client.send({ type: 'message', id: 'e2', text: 'in time' });
    await client.reply();
    clock.advance(61_000);
    client.send({ type: 'message', id: 'e3', text: 'too late' });
    expect((await client.closed).code).toBe(TOKEN_EXPIRED_CLOSE_CODE);
    expect(turns.received.map((message) => message.text)).toEqual(['in time']);
  });

  it('refuses at the upgrade a token issued an hour ahead', async () => {
    const now = Math.floor(Date.now() / 1000);
    const ahead = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('demo-drop').setAudience('candor-web-chat').setIssuer('candor').setIssuedAt(now + 3600).setExpirationTime(now + 4500).sign(secret);
    expect(await TestChatClient.upgradeStatus(web.socketUrl, { token: ahead })).toBe(401);
  });

  it('gives the widget a fresh token from the demo session cookie, and nothing without it', async () => {
    const refresh = (headers: Record<string, string> = {}) => fetch(`${web.channel.url}${TOKEN_REFRESH_PATH}`, { method: 'POST', headers });
    const form = await fetch(`${web.channel.url}/demo/token`, { method: 'POST', body: new URLSearchParams({ customerId: 'demo-denied' }), redirect: 'manual' });
    const setCookie = form.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^candor_demo_session=[^;]+; Path=\/chat\/token\/refresh; Max-Age=43\d{3}; HttpOnly; SameSite=Strict$/);
    const cookie = setCookie.split(';')[0]!;

    const fresh = await refresh({ cookie });
    expect(fresh.status).toBe(200);
    const { token } = (await fresh.json()) as { token: string };
    expect(await web.channel.tokens.verify(token)).toMatchObject({ status: 'valid', customerId: 'demo-denied' });

    expect((await refresh()).status).toBe(401);
    // A chat token is not a session, and a session is not a chat token.
    expect((await refresh({ cookie: `candor_demo_session=${token}` })).status).toBe(401);
    expect(await TestChatClient.upgradeStatus(web.socketUrl, { token: cookie.split('=')[1]! })).toBe(401);
    expect((await refresh({ cookie, origin: 'https://evil.example' })).status).toBe(403);
  });
});

async function tokenFor(web: TestWebChannel, customerId: string): Promise<string> {
  return (await web.channel.tokens.issue(customerId)).token;
}

describe('web channel configuration', () => {
  const baseDeps = () => ({
    turns: new WebScriptedTurnHandler(),
    store: new WebMemoryStore(),
    composer: new WebFakeComposer(),
    intents: new WebFakeIntents(),
    demoCustomers: TEST_DEMO_CUSTOMERS,
  });

  it('refuses to start in production without CHAT_TOKEN_SECRET', async () => {
    const config = { ...webConfigSchema.parse({}), NODE_ENV: 'production' as const, HOST: '127.0.0.1', PORT: 0 };
    await expect(createWebChannel({ ...baseDeps(), config })).rejects.toMatchObject({ code: 'config_invalid' });
  });

  it('turns the demo off in production, and on with DEMO_MODE', async () => {
    const production = await createWebChannel({
      ...baseDeps(),
      config: { ...webConfigSchema.parse({ CHAT_TOKEN_SECRET: TEST_TOKEN_SECRET }), NODE_ENV: 'production', HOST: '127.0.0.1', PORT: 0 },
    });
    try {
      expect(production.demoMode).toBe(false);
      expect((await fetch(`${production.url}/demo`)).status).toBe(404);
      expect((await fetch(`${production.url}/demo/token?customerId=demo-drop`)).status).toBe(404);
      expect((await fetch(`${production.url}/chat`)).status).toBe(200);
      // Without the demo, fresh tokens come from the host site's own sign-in: Candor gives none.
      expect((await fetch(`${production.url}${TOKEN_REFRESH_PATH}`, { method: 'POST' })).status).toBe(401);
    } finally {
      await production.close();
    }
    const development = await createWebChannel({ ...baseDeps(), config: { ...webConfigSchema.parse({ DEMO_MODE: 'false' }), NODE_ENV: 'development', HOST: '127.0.0.1', PORT: 0 } });
    try {
      expect(development.demoMode).toBe(false);
    } finally {
      await development.close();
    }
  });

  it('uses a random per-process secret in demo mode when none is set', async () => {
    const one = await createWebChannel({ ...baseDeps(), config: { ...webConfigSchema.parse({}), NODE_ENV: 'development', HOST: '127.0.0.1', PORT: 0 } });
    const two = await createWebChannel({ ...baseDeps(), config: { ...webConfigSchema.parse({}), NODE_ENV: 'development', HOST: '127.0.0.1', PORT: 0 } });
    try {
      const token = (await one.tokens.issue('demo-drop')).token;
      expect(await one.tokens.verify(token)).toMatchObject({ status: 'valid', customerId: 'demo-drop' });
      expect((await two.tokens.verify(token)).status).toBe('invalid');
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('serves the routes the composition root adds', async () => {
    const channel = await createWebChannel({
      ...baseDeps(),
      config: { ...webConfigSchema.parse({}), NODE_ENV: 'test', HOST: '127.0.0.1', PORT: 0 },
      extraRoutes: { '/healthz': (_request, response) => response.end('ok') },
    });
    try {
      expect(await (await fetch(`${channel.url}/healthz`)).text()).toBe('ok');
    } finally {
      await channel.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
