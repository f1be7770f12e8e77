import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_ACTIONS } from '../../src/escalation/slack/case-card.js';
import { POSTGRES_MIGRATIONS } from '../../src/storage/postgres/migrations.js';
import { TestChatClient, type Frame } from '../channels/web/support/test-chat-client.js';
import { startSlackApiStub, type SlackApiStub, type SlackStubMessage } from '../fakes/slack-api-stub.js';
import { buttonPress, eventEnvelope, sendSlackRequest } from '../fakes/slack-signed-request.js';
import { demoToken, startCandorProcess, stopCandorProcess, type CandorProcess } from '../support/candor-process.js';
import { openTestSchemas, TEST_DATABASE_URL, type TestSchemas } from '../support/postgres-test-database.js';

// Two real Candor processes on one Postgres schema, a real Slack API stub, real websockets.
const SIGNING_SECRET = 'several-instances-signing-secret';
const CHANNEL = 'CESCALATE';

let schemas: TestSchemas;
let schema: string;
let stub: SlackApiStub;
const processes: CandorProcess[] = [];
let a: CandorProcess;
let b: CandorProcess;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function instanceEnv(): Record<string, string> {
  return {
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    DATABASE_POOL_MAX: '4',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_ESCALATION_CHANNEL_ID: CHANNEL,
    SLACK_RESTRICTED_CHANNEL_ID: 'CRESTRICT',
    SLACK_API_URL: stub.url,
    SLACK_CHANNEL_MIN_INTERVAL_MS: '0',
    ESCALATION_OUTBOX_POLL_MS: '50',
    ESCALATION_OUTBOX_LEASE_MS: '1000',
    ESCALATION_OUTBOX_BACKOFF_BASE_MS: '100',
    ESCALATION_OUTBOX_BACKOFF_MAX_MS: '400',
  };
}

async function start(name: string): Promise<CandorProcess> {
  const started = await startCandorProcess(name, instanceEnv());
  processes.push(started);
  return started;
}

/** A chat client that acknowledges every reply at once, as the widget does. */
async function openChat(instance: CandorProcess, customerId: string): Promise<TestChatClient> {
  const client = await TestChatClient.open(instance.socketUrl, { token: await demoToken(instance.url, customerId) });
  client.socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Frame;
    if (frame.type === 'message') client.ack(frame.id);
  });
  return client;
}

function cardOf(caseId: string): SlackStubMessage | undefined {
  return stub.topLevel(CHANNEL).find((message) => message.metadata?.event_payload['case_id'] === caseId);
}

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Asks for a person and waits until the case card is in the Slack channel; returns the case id and card. */
async function escalate(client: TestChatClient, customerId: string, messageId: string): Promise<{ caseId: string; card: SlackStubMessage }> {
  client.send({ type: 'message', id: messageId, text: 'I want to talk to a person' });
  await client.next((frame) => frame.type === 'message' && frame['state'] === 'queued', 8000);
  const { rows } = await schemas.admin.query<{ case_id: string }>(`SELECT case_id FROM "${schema}".conversations WHERE id = $1`, [`web:${customerId}`]);
  const caseId = rows[0]?.case_id;
  if (caseId === undefined) throw new Error(`no case for ${customerId}`);
  return { caseId, card: await waitFor('the case card', () => cardOf(caseId)) };
}

let eventSeq = 0;
/** An agent's reply in the case thread, as Slack would post it to the given instance. */
async function agentReply(instance: CandorProcess, card: SlackStubMessage, text: string, eventId = `Ev${Date.now()}${(eventSeq += 1)}`): Promise<number> {
  const posted = stub.addHumanMessage({ channel: CHANNEL, user: 'U1AMY', text, thread_ts: card.ts });
  const body = eventEnvelope(eventId, { type: 'message', channel: CHANNEL, user: 'U1AMY', text, ts: posted.ts, thread_ts: card.ts, channel_type: 'channel' });
  return (await sendSlackRequest(`${instance.url}/slack/events`, body, { secret: SIGNING_SECRET, contentType: 'json' })).status;
}

async function claim(instance: CandorProcess, caseId: string, card: SlackStubMessage, user = 'U1AMY'): Promise<number> {
  const body = buttonPress({ actionId: CARD_ACTIONS.claim, caseId, user, channel: CHANNEL, messageTs: card.ts });
  return (await sendSlackRequest(`${instance.url}/slack/actions`, body, { secret: SIGNING_SECRET, contentType: 'form' })).status;
}

const agentFrames = (client: TestChatClient, text: string) => client.frames.filter((frame) => frame.type === 'message' && frame['text'] === text);

beforeAll(async () => {
  schemas = await openTestSchemas();
  schema = schemas.next();
  stub = await startSlackApiStub({ users: { U1AMY: { real_name: 'Amy Chen', first_name: 'Amy' }, U2LI: { real_name: 'Li Wei', first_name: 'Li' } } });
  // Both start at once on a new schema: the migrations run under an advisory lock, each applied once.
  [a, b] = await Promise.all([start('A'), start('B')]);
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((instance) => stopCandorProcess(instance, 'SIGKILL')));
  await stub?.close();
  await schemas?.dropAll();
});

describe('several Candor processes on one Postgres', () => {
  it('applied each migration once although both instances started together on a new schema', async () => {
    const { rows } = await schemas.admin.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`);
    expect(rows.map((row) => row.version)).toEqual(POSTGRES_MIGRATIONS.map((migration) => migration.version));
  });

  it('delivers an agent reply that arrives at B to the customer connected to A, once; a replayed event on A is ignored', async () => {
    const customer = await openChat(a, 'demo-drop');
    try {
      const { caseId, card } = await escalate(customer, 'demo-drop', 'drop-1');
      expect(await claim(b, caseId, card)).toBe(200);
      await customer.next((frame) => frame['event'] === 'agent_joined');

      expect(await agentReply(b, card, 'Hello from Amy, via B', 'EvReplyOnB')).toBe(200);
      await customer.next((frame) => frame['text'] === 'Hello from Amy, via B');
      // Slack retries the same event at the other instance: deduplicated in the database.
      const body = eventEnvelope('EvReplyOnB', { type: 'message', channel: CHANNEL, user: 'U1AMY', text: 'Hello from Amy, via B', ts: `${Date.now() / 1000}`, thread_ts: card.ts });
      expect((await sendSlackRequest(`${a.url}/slack/events`, body, { secret: SIGNING_SECRET, contentType: 'json' })).status).toBe(200);
      await sleep(500);
      expect(agentFrames(customer, 'Hello from Amy, via B')).toEqual([]);
      const stored = await schemas.admin.query(`SELECT count(*)::int AS n FROM "${schema}".messages WHERE author = 'agent' AND text = $1`, ['Hello from Amy, via B']);
      expect(stored.rows[0]).toEqual({ n: 1 });
    } finally {
      await customer.close();
    }
  });

  it('delivers to the same customer’s tabs on A and on B, each once, though each tab acknowledges at once', async () => {
    const tabA = await openChat(a, 'demo-denied');
    const tabB = await openChat(b, 'demo-denied');
    try {
      const { caseId, card } = await escalate(tabA, 'demo-denied', 'denied-1');
      // The reply to the customer's own message reached the tab on B as well.
      await tabB.next((frame) => frame['state'] === 'queued');
      expect(await claim(a, caseId, card)).toBe(200);
      await Promise.all([tabA.next((frame) => frame['event'] === 'agent_joined'), tabB.next((frame) => frame['event'] === 'agent_joined')]);
      for (const [index, instance] of [a, b, a, b].entries()) {
        const text = `reply ${index + 1} to both tabs`;
        expect(await agentReply(instance, card, text)).toBe(200);
        await Promise.all([tabA.next((frame) => frame['text'] === text), tabB.next((frame) => frame['text'] === text)]);
      }
      await sleep(400);
      const leftovers = [...tabA.frames, ...tabB.frames].filter((frame) => frame.type === 'message' && String(frame['text']).includes('to both tabs'));
      expect(leftovers).toEqual([]);
    } finally {
      await Promise.all([tabA.close(), tabB.close()]);
    }
  });

  it('lets exactly one of two agents pressing Claim on different instances win', async () => {
    const customer = await openChat(b, 'demo-frozen');
    try {
      const { caseId, card } = await escalate(customer, 'demo-frozen', 'frozen-1');
      const [amy, li] = await Promise.all([claim(a, caseId, card, 'U1AMY'), claim(b, caseId, card, 'U2LI')]);
      expect([amy, li]).toEqual([200, 200]);
      const joined = await customer.next((frame) => frame['event'] === 'agent_joined');
      const loser = await waitFor('the losing agent told', () => stub.ephemerals.find((entry) => entry.text.includes('already claimed')));
      expect(loser.user).toBe(joined['agentName'] === 'Amy' ? 'U2LI' : 'U1AMY');
      const { rows } = await schemas.admin.query(`SELECT status, agent_id FROM "${schema}".cases WHERE id = $1`, [caseId]);
      expect(rows).toEqual([{ status: 'claimed', agent_id: loser.user === 'U2LI' ? 'U1AMY' : 'U2LI' }]);
    } finally {
      await customer.close();
    }
  });

  it('posts each case card once although both instances run the outbox worker', async () => {
    const customers = await Promise.all(
      Array.from({ length: 6 }, async (_, index) => TestChatClient.open((index % 2 === 0 ? a : b).socketUrl)),
    );
    try {
      await Promise.all(customers.map((customer, index) => escalateAnonymous(customer, `anon-${index}`)));
      const { rows } = await schemas.admin.query<{ id: string }>(`SELECT id FROM "${schema}".cases`);
      await waitFor('every card posted', async () => {
        const pending = await schemas.admin.query(`SELECT 1 FROM "${schema}".outbox WHERE status = 'pending' AND topic = 'case.created'`);
        return pending.rows.length === 0 ? true : undefined;
      });
      for (const { id } of rows) {
        const posts = stub.succeeded('chat.postMessage').filter((call) => (call.args['metadata'] as { event_payload?: { case_id?: string } } | undefined)?.event_payload?.case_id === id && call.args['thread_ts'] === undefined);
        expect(posts, `case ${id}`).toHaveLength(1);
      }
    } finally {
      await Promise.all(customers.map((customer) => customer.close()));
    }
  });

  it('loses nothing when the customer’s instance is killed: the customer reconnects to the other and gets every reply', async () => {
    const customer = await openChat(a, 'demo-group');
    const { caseId, card } = await escalate(customer, 'demo-group', 'group-1');
    expect(await claim(b, caseId, card)).toBe(200);
    await customer.next((frame) => frame['event'] === 'agent_joined');
    expect(await agentReply(b, card, 'first reply before the crash')).toBe(200);
    const first = await customer.next((frame) => frame['text'] === 'first reply before the crash');
    // Killed once the first reply's acknowledgement is stored (one not yet stored would be sent again, and the widget drops the repeat).
    await waitFor('the first reply acknowledged', async () => {
      const { rows } = await schemas.admin.query(`SELECT 1 FROM "${schema}".pending_deliveries WHERE id = $1 AND acked_at IS NOT NULL`, [first['id']]);
      return rows.length === 1 ? true : undefined;
    });

    a.kill('SIGKILL');
    await a.exited;
    await customer.closed;
    expect(await agentReply(b, card, 'second reply while offline')).toBe(200);
    expect(await agentReply(b, card, 'third reply while offline')).toBe(200);

    // (A reply acknowledged less than 250 ms before a socket attaches may reach it again, for clock skew between instances.)
    await sleep(300);
    const again = await openChat(b, 'demo-group');
    try {
      const second = await again.next((frame) => frame['text'] === 'second reply while offline', 8000);
      const third = await again.next((frame) => frame['text'] === 'third reply while offline');
      expect(again.frames.filter((frame) => frame['text'] === 'first reply before the crash')).toEqual([]);
      expect([second['from'], third['from']]).toEqual(['agent', 'agent']);
      // And the customer's next message reaches the agent's thread from B.
      again.send({ type: 'message', id: 'group-2', text: 'thanks, still here' });
      await waitFor('the customer message in the thread', () => stub.thread(CHANNEL, card.ts).find((message) => message.text.includes('still here')));
    } finally {
      await again.close();
    }
    a = await start('A2');
  });
});

async function escalateAnonymous(client: TestChatClient, messageId: string): Promise<void> {
  client.send({ type: 'message', id: messageId, text: 'I want to talk to a person' });
  await client.next((frame) => frame.type === 'message' && frame['state'] === 'queued', 8000);
}
