import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LogFields, Logger } from '../../../src/core/ports/logger.js';
import { NO_CASE_FOR_THREAD } from '../../../src/escalation/slack/create-slack-escalation.js';
import { startCandor, type RunningCandor } from '../../../src/main.js';
import { forgetCustomer } from '../../../src/operations/forget-customer.js';
import { TestChatClient, type Frame } from '../../channels/web/support/test-chat-client.js';
import { startSlackApiStub, type SlackApiStub, type SlackStubMessage } from '../../fakes/slack-api-stub.js';
import { eventEnvelope, sendSlackRequest } from '../../fakes/slack-signed-request.js';
import { buildTestCandor } from '../../support/build-test-candor.js';
import { waitFor } from '../escalation-test-kit.js';

// The whole Candor (composition root, real HTTP and websockets, Bolt, SQLite) with Slack behind the local
// Web API stub: a customer in the web chat, an agent in the Slack thread.
const SIGNING_SECRET = 'through-candor-test-signing-secret';
const ESCALATION = 'CESCALATE';
const RESTRICTED = 'CRESTRICT';

const warnings: Array<{ fields: LogFields; message: string }> = [];
const recordingLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (fields, message) => warnings.push({ fields, message }),
  error: (fields, message) => warnings.push({ fields, message }),
};

let stub: SlackApiStub;
let running: RunningCandor;
const clients: TestChatClient[] = [];

beforeAll(async () => {
  stub = await startSlackApiStub({ users: { U1AMY: { real_name: 'Amy Chen', first_name: 'Amy' } } });
  const candor = await buildTestCandor(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_ESCALATION_CHANNEL_ID: ESCALATION,
      SLACK_RESTRICTED_CHANNEL_ID: RESTRICTED,
      SLACK_API_URL: stub.url,
      SLACK_CHANNEL_MIN_INTERVAL_MS: '0',
      ESCALATION_OUTBOX_POLL_MS: '20',
    },
    { logger: recordingLogger },
  );
  running = await startCandor(candor);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await running?.stop();
  await stub?.close();
});

beforeEach(() => {
  stub.setHistoryMetadata(true);
  warnings.length = 0;
});

/** A signed-in customer's socket that acknowledges every reply, in a conversation started afresh. */
async function customer(customerId: string, locale: 'en' | 'zh-CN' = 'en'): Promise<TestChatClient> {
  const { candor } = running;
  await forgetCustomer({ store: candor.store, clock: candor.clock, ids: candor.ids, auditDays: 30, customerId });
  const client = await TestChatClient.open(`${running.url.replace(/^http/, 'ws')}/chat/socket`, {
    token: (await running.web.tokens.issue(customerId)).token,
    query: { locale },
  });
  client.socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Frame;
    if (frame.type === 'message') client.send({ type: 'ack', id: frame.id });
  });
  clients.push(client);
  return client;
}

let messageCounter = 0;
/** Sends a customer message and returns the replies that answer it (none for a line relayed to an agent). */
async function say(client: TestChatClient, text: string, topic?: string): Promise<Frame[]> {
  messageCounter += 1;
  const id = `m${messageCounter}`;
  client.send({ type: 'message', id, text, ...(topic === undefined ? {} : { topic }) });
  // `next` takes the frame it matches out of `frames`: the first answer (or the receipt) and any others that followed.
  const first = await client.next((frame) => frame['inReplyTo'] === id || (frame.type === 'delivered' && frame['id'] === id), 8_000);
  await new Promise((resolve) => setTimeout(resolve, 100));
  return [first, ...client.frames].filter((frame) => frame['inReplyTo'] === id);
}

async function cardOf(conversationId: string, channel = ESCALATION): Promise<SlackStubMessage> {
  const caseId = (await running.candor.store.getConversation(conversationId))?.caseId;
  if (caseId === null || caseId === undefined) throw new Error(`no case for ${conversationId}`);
  let card: SlackStubMessage | undefined;
  await waitFor(() => (card = stub.topLevel(channel).find((m) => m.metadata?.event_payload['case_id'] === caseId)) !== undefined, 5_000, `card of ${conversationId}`);
  return card as SlackStubMessage;
}

async function caseOf(conversationId: string) {
  const caseId = (await running.candor.store.getConversation(conversationId))?.caseId;
  return caseId ? running.candor.store.getCase(caseId) : null;
}

const blocksText = (message: SlackStubMessage): string => JSON.stringify(message.blocks ?? []);

let eventCounter = 0;
async function threadReply(threadTs: string, text: string, user = 'U1AMY', channel = ESCALATION): Promise<void> {
  eventCounter += 1;
  const ts = `${Math.floor(Date.now() / 1000)}.8${String(eventCounter).padStart(5, '0')}`;
  const body = eventEnvelope(`EvThrough${eventCounter}`, { type: 'message', channel, channel_type: 'channel', user, text, ts, thread_ts: threadTs, event_ts: ts });
  expect((await sendSlackRequest(`${running.url}/slack/events`, body, { secret: SIGNING_SECRET, contentType: 'json' })).status).toBe(200);
}

describe('a customer in the web chat and an agent in Slack, through Candor', () => {
  it('"Call me back" (the quick reply) marks the case for a callback, confirms it to the customer and shows it on the card and in the thread', async () => {
    const client = await customer('demo-drop');
    await say(client, 'I want to talk to a person');
    const card = await cardOf('web:demo-drop');
    const replies = await say(client, 'Call me back', 'callback');
    expect(replies.map((reply) => reply['text'])).toEqual([
      "Thanks, we've noted that you'd like a call back. Someone from our team will call you on the phone number on your account; you don't need to keep this chat open. Anything you write here still reaches them.",
    ]);
    expect((await caseOf('web:demo-drop'))?.status).toBe('callback');
    await waitFor(() => blocksText(card).includes('Customer asked for a callback'), 5_000, 'the card shows the callback');
    await waitFor(() => stub.thread(ESCALATION, card.ts).length === 1, 5_000, 'the request in the thread');
    expect(stub.thread(ESCALATION, card.ts).map((line) => line.text)).toEqual(['*Customer:* Call me back']);
  });

  it.each([
    { customerId: 'demo-denied', locale: 'en' as const, typed: 'could you call me back tomorrow morning?', confirmed: "we've noted that you'd like a call back" },
    { customerId: 'demo-raised', locale: 'zh-CN' as const, typed: '请给我回电', confirmed: '已记录您希望我们回电' },
  ])('$locale: a typed callback request works like the quick reply', async ({ customerId, locale, typed, confirmed }) => {
    const client = await customer(customerId, locale);
    await say(client, locale === 'en' ? 'I want to talk to a person' : '转人工');
    const card = await cardOf(`web:${customerId}`);
    const replies = await say(client, typed);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.['text']).toContain(confirmed);
    expect((await caseOf(`web:${customerId}`))?.status).toBe('callback');
    await waitFor(() => blocksText(card).includes('Customer asked for a callback'), 5_000, 'the card shows the callback');
  });

  it('relays an ordinary message while waiting without confirming a callback', async () => {
    const client = await customer('demo-frozen');
    await say(client, 'I want to talk to a person');
    expect(await say(client, 'please hurry, my card was declined')).toEqual([]);
    expect((await caseOf('web:demo-frozen'))?.status).toBe('queued');
  });

  it('never posts an empty customer line when the widget is reopened or opened from a deep link while the case waits', async () => {
    const client = await customer('demo-group');
    await say(client, 'I want to talk to a person');
    const card = await cardOf('web:demo-group');
    const reopened = await TestChatClient.open(`${running.url.replace(/^http/, 'ws')}/chat/socket`, { token: (await running.web.tokens.issue('demo-group')).token });
    clients.push(reopened);
    reopened.send({ type: 'hello', start: true });
    reopened.send({ type: 'hello', start: true, topic: 'limit-drop' });
    await say(reopened, 'anyone there?');
    await waitFor(() => stub.thread(ESCALATION, card.ts).length >= 1, 5_000, 'the real line');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stub.thread(ESCALATION, card.ts).map((line) => line.text)).toEqual(['*Customer:* anyone there?']);
  });

  it('sends a case with an unknown reason code to the general escalation channel, and an N-class one to the restricted channel', async () => {
    const unknown = await customer('demo-unknown');
    await say(unknown, 'why did my limit drop');
    const fraud = await customer('demo-fraud');
    await say(fraud, 'why did my limit drop');
    const unknownCard = await cardOf('web:demo-unknown', ESCALATION);
    expect(blocksText(unknownCard)).toContain('Reason code not in the catalogue');
    expect(await caseOf('web:demo-unknown')).toMatchObject({ trigger: 'unknown_reason', restricted: false });
    await cardOf('web:demo-fraud', RESTRICTED);
    const unknownCaseId = (await caseOf('web:demo-unknown'))?.id;
    const fraudCaseId = (await caseOf('web:demo-fraud'))?.id;
    expect(stub.topLevel(RESTRICTED).map((m) => m.metadata?.event_payload['case_id'])).not.toContain(unknownCaseId);
    expect(stub.topLevel(ESCALATION).map((m) => m.metadata?.event_payload['case_id'])).not.toContain(fraudCaseId);
  });

  it('relays an agent\'s thread reply found through the card Candor stored, even when Slack\'s history gives no card metadata', async () => {
    const client = await customer('demo-aml');
    await say(client, 'I want to talk to a person');
    const card = await cardOf('web:demo-aml');
    stub.setHistoryMetadata(false);
    await threadReply(card.ts, 'Hi, Amy here. Let me look at your account.');
    const relayed = await client.next((frame) => frame['from'] === 'agent', 5_000);
    expect(relayed).toMatchObject({ agentName: 'Amy', text: 'Hi, Amy here. Let me look at your account.' });
    expect(stub.ephemerals).toEqual([]);
  });

  it('tells the agent in the thread when a reply names no case, logs a warning without the text, and leaves threads under agents\' own messages alone', async () => {
    stub.setHistoryMetadata(false);
    const ownPost = stub.addHumanMessage({ channel: ESCALATION, user: 'U1AMY', text: 'lunch at 1?' });
    await threadReply(ownPost.ts, 'sure');
    // A post of Candor's that is no card it knows (a card of another deployment, a lost result).
    const orphan = stub.addBotMessage({ channel: ESCALATION, text: 'Case C-GONE00: Asked for a person' });
    await threadReply(orphan.ts, 'Your review is booked for Monday');
    await waitFor(() => stub.ephemerals.length > 0, 5_000, 'the notice to the agent');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stub.ephemerals).toEqual([{ channel: ESCALATION, user: 'U1AMY', text: NO_CASE_FOR_THREAD, thread_ts: orphan.ts }]);
    const warning = warnings.find((entry) => entry.message.includes('no case for this thread'));
    expect(warning?.fields).toMatchObject({ threadTs: orphan.ts, slackUser: 'U1AMY' });
    expect(JSON.stringify(warnings)).not.toContain('Monday');
    expect(JSON.stringify(warnings)).not.toContain('lunch');
  });

  it('logs a warning without the text when a reply reaches a closed case, and tells the agent', async () => {
    const client = await customer('demo-none');
    await say(client, 'I want to talk to a person');
    const card = await cardOf('web:demo-none');
    const opened = await caseOf('web:demo-none');
    const cases = running.candor.createCaseService(running.web.customerChannel);
    expect((await cases.returnToBot(opened!.id, { id: 'U1AMY', name: 'Amy' })).status).toBe('ok');
    stub.ephemerals.length = 0;
    await threadReply(card.ts, 'one more thing about your statement');
    await waitFor(() => stub.ephemerals.length > 0, 5_000, 'the notice to the agent');
    expect(stub.ephemerals[0]?.text).toMatch(/^Not sent to the customer: Case C-\w+ is closed/);
    expect(warnings.find((entry) => entry.message === 'thread reply not sent to the customer')?.fields).toMatchObject({ caseId: opened!.id, outcome: 'not_open' });
    expect(JSON.stringify(warnings)).not.toContain('statement');
  });
});
