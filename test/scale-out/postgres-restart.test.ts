import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatTokenService } from '../../src/channels/web/chat-token-service.js';
import { loadDemoCustomers } from '../../src/decisions/demo-customers.js';
import { startReferenceEngineServer, type ReferenceEngineServer } from '../../src/decisions/reference-engine-server.js';
import { TestChatClient, type Frame } from '../channels/web/support/test-chat-client.js';
import { startCandorProcess, stopCandorProcess, type CandorProcess } from '../support/candor-process.js';
import { startPrivatePostgresCluster, type PrivatePostgresCluster } from '../support/private-postgres-cluster.js';

// A private Postgres cluster (never the shared server, which other test files use at the same time),
// stopped and started while two real Candor processes serve one customer.
const TOKEN_SECRET = 'several-instances-test-secret-0123456789';

let cluster: PrivatePostgresCluster;
let engine: ReferenceEngineServer;
const processes: CandorProcess[] = [];
let tokens: ChatTokenService;

beforeAll(async () => {
  cluster = await startPrivatePostgresCluster();
  engine = await startReferenceEngineServer({ customers: loadDemoCustomers(), port: 0, host: '127.0.0.1' });
  tokens = new ChatTokenService({ secret: new TextEncoder().encode(TOKEN_SECRET), audience: 'candor-web-chat', issuer: 'candor', ttlSeconds: 900 });
  const env = {
    DATABASE_URL: cluster.url,
    DATABASE_POOL_MAX: '4',
    DECISION_ENGINE_URL: engine.url,
    DECISION_ENGINE_CACHE_TTL_MS: '0',
    DECISION_ENGINE_TIMEOUT_MS: '5000',
    DECISION_ENGINE_MAX_RETRIES: '0',
  };
  processes.push(...(await Promise.all([startCandorProcess('P1', env), startCandorProcess('P2', env)])));
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((instance) => stopCandorProcess(instance, 'SIGKILL')));
  await engine?.close();
  cluster?.remove();
});

async function openChat(instance: CandorProcess, customerId: string): Promise<TestChatClient> {
  const { token } = await tokens.issue(customerId);
  const client = await TestChatClient.open(instance.socketUrl, { token });
  client.socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Frame;
    if (frame.type === 'message') client.ack(frame.id);
  });
  return client;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a Postgres restart during a conversation', () => {
  it('answers the turn in flight with "try again", reconnects by itself, and processes a resent message once', async () => {
    const [p1, p2] = processes as [CandorProcess, CandorProcess];
    const tabOnP1 = await openChat(p1, 'demo-drop');
    const tabOnP2 = await openChat(p2, 'demo-drop');
    try {
      tabOnP1.send({ type: 'message', id: 'before', text: 'why did my limit drop?' });
      const before = await tabOnP1.next((frame) => frame.type === 'message', 8000);
      await tabOnP2.next((frame) => frame['id'] === before['id']);

      // The next turn waits on a slow engine while the database goes away under it.
      engine.setFaults({ latencyMs: 1500 });
      const asked = engine.requests.length;
      tabOnP1.send({ type: 'message', id: 'during', text: 'why did my limit drop?' });
      for (let i = 0; engine.requests.length === asked && i < 200; i += 1) await sleep(10);
      cluster.stop();
      const failed = await tabOnP1.error(8000);
      expect(failed['code']).toBe('generic');
      expect(String(failed['text'])).toMatch(/try again/i);

      cluster.start();
      engine.setFaults({});
      // The pools reconnect on their own: readiness comes back without a restart of Candor.
      for (let i = 0; i < 100; i += 1) {
        if ((await fetch(`${p1.url}/readyz`)).status === 200 && (await fetch(`${p2.url}/readyz`)).status === 200) break;
        await sleep(100);
      }
      expect((await fetch(`${p1.url}/readyz`)).status).toBe(200);

      // The customer sends the failed message again, with the same id, on the other tab: answered once,
      // on both tabs (P1 hears P2's announcement on its re-established LISTEN connection).
      tabOnP2.send({ type: 'message', id: 'during', text: 'why did my limit drop?' });
      const answer = await tabOnP2.next((frame) => frame.type === 'message', 8000);
      expect(answer['from']).toBe('bot');
      await tabOnP1.next((frame) => frame['id'] === answer['id'], 8000);
      // A resend of a message already stored changes nothing.
      tabOnP1.send({ type: 'message', id: 'during', text: 'why did my limit drop?' });
      await sleep(800);
      expect([...tabOnP1.frames, ...tabOnP2.frames].filter((frame) => frame.type === 'message')).toEqual([]);

      const db = new pg.Client({ connectionString: cluster.url });
      await db.connect();
      try {
        const { rows } = await db.query(`SELECT client_message_id, count(*)::int AS n FROM messages WHERE author = 'customer' GROUP BY 1 ORDER BY 1`);
        expect(rows).toEqual([
          { client_message_id: 'before', n: 1 },
          { client_message_id: 'during', n: 1 },
        ]);
      } finally {
        await db.end();
      }
    } catch (error) {
      process.stderr.write(`P1 log:\n${p1.logs().slice(-3000)}\nP2 log:\n${p2.logs().slice(-2000)}\n`);
      throw error;
    } finally {
      await Promise.all([tabOnP1.close(), tabOnP2.close()]);
    }
  });
});
