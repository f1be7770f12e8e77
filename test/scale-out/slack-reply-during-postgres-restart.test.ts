import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestChatClient, type Frame } from '../channels/web/support/test-chat-client.js';
import { startSlackApiStub, type SlackApiStub, type SlackStubMessage } from '../fakes/slack-api-stub.js';
import { eventEnvelope, sendSlackRequest } from '../fakes/slack-signed-request.js';
import { demoToken, startCandorProcess, stopCandorProcess, type CandorProcess } from '../support/candor-process.js';
import { startPrivatePostgresCluster, type PrivatePostgresCluster } from '../support/private-postgres-cluster.js';

// A real Candor process on a private Postgres cluster (never the shared server), stopped while an agent
// replies in the case's Slack thread: the reply must never be both lost and acknowledged.
const SIGNING_SECRET = 'db-outage-test-signing-secret';
const CHANNEL = 'CESCALATE';

let cluster: PrivatePostgresCluster;
let stub: SlackApiStub;
let candor: CandorProcess;

beforeAll(async () => {
  [cluster, stub] = await Promise.all([startPrivatePostgresCluster(), startSlackApiStub({ users: { U1AMY: { real_name: 'Amy Chen', first_name: 'Amy' } } })]);
  candor = await startCandorProcess('P1', {
    DATABASE_URL: cluster.url,
    DATABASE_POOL_MAX: '4',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_ESCALATION_CHANNEL_ID: CHANNEL,
    SLACK_RESTRICTED_CHANNEL_ID: 'CRESTRICT',
    SLACK_API_URL: stub.url,
    SLACK_CHANNEL_MIN_INTERVAL_MS: '0',
    ESCALATION_OUTBOX_POLL_MS: '50',
    ESCALATION_OUTBOX_BACKOFF_BASE_MS: '100',
    ESCALATION_OUTBOX_BACKOFF_MAX_MS: '400',
  }, 45_000);
}, 90_000);

afterAll(async () => {
  if (candor !== undefined) await stopCandorProcess(candor, 'SIGKILL');
  await stub?.close();
  cluster?.remove();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function threadReply(card: SlackStubMessage, eventId: string, text: string): string {
  const ts = `${Math.floor(Date.now() / 1000)}.${String(Date.now() % 1_000_000).padStart(6, '0')}`;
  return eventEnvelope(eventId, { type: 'message', channel: CHANNEL, channel_type: 'channel', user: 'U1AMY', text, ts, thread_ts: card.ts, event_ts: ts });
}

describe('an agent replies in Slack while Postgres is down', () => {
  it('tells the agent in the thread that the reply was not sent, and relays the resent reply once the database is back', async () => {
    const client = await TestChatClient.open(candor.socketUrl, { token: await demoToken(candor.url, 'demo-drop') });
    client.socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (frame.type === 'message') client.ack(frame.id);
    });
    try {
      client.send({ type: 'message', id: 'ask', text: 'I want to talk to a person' });
      await client.next((frame) => frame.type === 'message' && frame['state'] === 'queued', 8000);
      const card = await waitFor('the case card', () => stub.topLevel(CHANNEL).find((message) => message.metadata?.event_type === 'candor_case_card'));

      cluster.stop();
      const lost = await sendSlackRequest(`${candor.url}/slack/events`, threadReply(card, 'EvDuringOutage', 'Your review is booked for Monday'), { secret: SIGNING_SECRET, contentType: 'json' });
      expect(lost.status).toBe(200);
      const notice = await waitFor('the "not sent" notice', () => stub.ephemerals.find((entry) => entry.user === 'U1AMY'));
      expect(notice).toMatchObject({ channel: CHANNEL, thread_ts: card.ts });
      expect(notice.text).toMatch(/^Not sent to the customer/);
      await sleep(300);
      expect(client.frames.filter((frame) => frame['from'] === 'agent')).toEqual([]);

      cluster.start();
      await waitFor('readiness', async () => ((await fetch(`${candor.url}/readyz`)).status === 200 ? true : undefined), 10_000);
      const resent = await sendSlackRequest(`${candor.url}/slack/events`, threadReply(card, 'EvResent', 'Your review is booked for Monday'), { secret: SIGNING_SECRET, contentType: 'json' });
      expect(resent.status).toBe(200);
      const relayed = await client.next((frame) => frame['from'] === 'agent', 8000);
      expect(relayed).toMatchObject({ agentName: 'Amy', text: 'Your review is booked for Monday' });

      const db = new pg.Client({ connectionString: cluster.url });
      await db.connect();
      try {
        const { rows } = await db.query(`SELECT text FROM messages WHERE author = 'agent'`);
        expect(rows).toEqual([{ text: 'Your review is booked for Monday' }]);
      } finally {
        await db.end();
      }
    } catch (error) {
      process.stderr.write(`log:\n${candor.logs().slice(-4000)}\n`);
      throw error;
    } finally {
      await client.close();
    }
  }, 40_000);
});
