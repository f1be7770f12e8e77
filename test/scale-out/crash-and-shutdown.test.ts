import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTokenService } from '../../src/channels/web/chat-token-service.js';
import { loadDemoCustomers } from '../../src/decisions/demo-customers.js';
import { startReferenceEngineServer, type ReferenceEngineServer } from '../../src/decisions/reference-engine-server.js';
import { TestChatClient, type Frame } from '../channels/web/support/test-chat-client.js';
import { startSlackApiStub, type SlackApiStub } from '../fakes/slack-api-stub.js';
import { startCandorProcess, stopCandorProcess, type CandorProcess } from '../support/candor-process.js';
import { openTestSchemas, TEST_DATABASE_URL, type TestSchemas } from '../support/postgres-test-database.js';

const CHANNEL = 'CESCALATE';
const TOKEN_SECRET = 'several-instances-test-secret-0123456789';

let schemas: TestSchemas;
let stub: SlackApiStub;
let engine: ReferenceEngineServer;
const processes: CandorProcess[] = [];
const tokens = new ChatTokenService({ secret: new TextEncoder().encode(TOKEN_SECRET), audience: 'candor-web-chat', issuer: 'candor', ttlSeconds: 900 });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(name: string, schema: string, extra: Record<string, string> = {}): Promise<CandorProcess> {
  const started = await startCandorProcess(name, {
    DATABASE_URL: TEST_DATABASE_URL,
    DATABASE_SCHEMA: schema,
    DATABASE_POOL_MAX: '3',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: 'crash-test-signing-secret',
    SLACK_ESCALATION_CHANNEL_ID: CHANNEL,
    SLACK_RESTRICTED_CHANNEL_ID: 'CRESTRICT',
    SLACK_API_URL: stub.url,
    SLACK_CHANNEL_MIN_INTERVAL_MS: '0',
    ESCALATION_OUTBOX_POLL_MS: '50',
    ESCALATION_OUTBOX_LEASE_MS: '1000',
    ...extra,
  });
  processes.push(started);
  return started;
}

async function openChat(instance: CandorProcess, customerId: string): Promise<TestChatClient> {
  const client = await TestChatClient.open(instance.socketUrl, { token: (await tokens.issue(customerId)).token });
  client.socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Frame;
    if (frame.type === 'message') client.ack(frame.id);
  });
  return client;
}

beforeAll(async () => {
  schemas = await openTestSchemas();
  stub = await startSlackApiStub();
  engine = await startReferenceEngineServer({ customers: loadDemoCustomers(), port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await Promise.all(processes.map((instance) => stopCandorProcess(instance, 'SIGKILL')));
  await stub?.close();
  await engine?.close();
  await schemas?.dropAll();
});

describe('a Candor process that dies or is stopped', () => {
  it('posts exactly one Slack card when killed between writing a case and finishing its post', async () => {
    const schema = schemas.next();
    const first = await start('crashing', schema);
    // Slack answers the card post only after the process is gone: the post happened, its result was never stored.
    stub.setDelay('chat.postMessage', 1200);
    const customer = await openChat(first, 'demo-drop');
    customer.send({ type: 'message', id: 'm1', text: 'I want to talk to a person' });
    await customer.next((frame) => frame['state'] === 'queued', 8000);
    const leased = async () =>
      (await schemas.admin.query(`SELECT attempts FROM "${schema}".outbox WHERE topic = 'case.created' AND status = 'pending' AND attempts > 0`)).rows.length > 0;
    for (let i = 0; !(await leased()) && i < 200; i += 1) await sleep(10);
    expect(await leased()).toBe(true);
    // The desk looks for an earlier post of the item, then posts: kill once the post is on its way.
    for (let i = 0; stub.succeeded('conversations.history').length === 0 && i < 200; i += 1) await sleep(10);
    await sleep(150);
    first.kill('SIGKILL');
    await first.exited;
    await customer.closed;
    await sleep(1400);
    stub.setDelay('chat.postMessage', 0);
    expect(stub.topLevel(CHANNEL)).toHaveLength(1);

    // A new process finds the leased item once its lease has run out, finds the earlier post, and does not post again.
    await start('restarted', schema);
    for (let i = 0; i < 100; i += 1) {
      const { rows } = await schemas.admin.query(`SELECT status FROM "${schema}".outbox WHERE topic = 'case.created'`);
      if (rows[0]?.status === 'done') break;
      await sleep(50);
    }
    const { rows } = await schemas.admin.query(`SELECT status, result->>'ts' AS ts FROM "${schema}".outbox WHERE topic = 'case.created'`);
    expect(rows).toEqual([{ status: 'done', ts: stub.topLevel(CHANNEL)[0]?.ts }]);
    expect(stub.topLevel(CHANNEL)).toHaveLength(1);
  });

  it('on SIGTERM: the turn in flight is answered, sockets close with 1012, and the process exits 0', async () => {
    const schema = schemas.next();
    const instance = await start('graceful', schema, { DECISION_ENGINE_URL: engine.url, DECISION_ENGINE_CACHE_TTL_MS: '0', DECISION_ENGINE_TIMEOUT_MS: '5000' });
    const customer = await openChat(instance, 'demo-drop');
    const before = await fetch(`${instance.url}/readyz`);
    expect(before.status).toBe(200);
    expect(((await before.json()) as { checks: Record<string, string> }).checks['accepting']).toBe('ok');

    engine.setFaults({ latencyMs: 800 });
    const asked = engine.requests.length;
    customer.send({ type: 'message', id: 'slow', text: 'why did my limit drop?' });
    for (let i = 0; engine.requests.length === asked && i < 200; i += 1) await sleep(10);
    instance.kill('SIGTERM');
    const answer = await customer.next((frame) => frame.type === 'message', 5000);
    expect(answer['from']).toBe('bot');
    expect((await customer.closed).code).toBe(1012);
    expect(await instance.exited).toEqual({ code: 0, signal: null });
    engine.setFaults({});
    expect(instance.logs()).not.toMatch(/"level":"(error|fatal)"/);
  });
});
