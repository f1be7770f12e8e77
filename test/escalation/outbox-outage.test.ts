import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestChatClient, type Frame } from '../channels/web/support/test-chat-client.js';
import { startSlackApiStub, type SlackApiStub, type SlackStubMessage } from '../fakes/slack-api-stub.js';
import { demoToken, startCandorProcess, stopCandorProcess, type CandorProcess } from '../support/candor-process.js';

// Real Candor processes on SQLite files, talking to a real Slack API stub that injects the faults of an
// outage: HTTP 500s, dropped connections, then 429s with Retry-After. Timings are shortened by config.
const CHANNEL = 'CESCALATE';
const METRICS_TOKEN = 'outage-test-metrics-token-0123';
const root = mkdtempSync(join(tmpdir(), 'candor-outage-'));

interface Rig {
  candor: CandorProcess;
  stub: SlackApiStub;
  sqlitePath: string;
}

const rigs: Rig[] = [];
let recovering: Rig;
let giving_up: Rig;

async function startRig(name: string, env: Record<string, string>): Promise<Rig> {
  const stub = await startSlackApiStub();
  const sqlitePath = join(root, `${name}.sqlite`);
  const candor = await startCandorProcess(name, {
    SQLITE_PATH: sqlitePath,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: 'outage-test-signing-secret',
    SLACK_ESCALATION_CHANNEL_ID: CHANNEL,
    SLACK_RESTRICTED_CHANNEL_ID: 'CRESTRICT',
    SLACK_API_URL: stub.url,
    SLACK_CHANNEL_MIN_INTERVAL_MS: '0',
    SLACK_TIMEOUT_MS: '1000',
    ESCALATION_OUTBOX_POLL_MS: '50',
    ESCALATION_OUTBOX_LEASE_MS: '5000',
    ESCALATION_OUTBOX_PROBE_MS: '300',
    METRICS_TOKEN,
    ...env,
  }, 45_000);
  const rig = { candor, stub, sqlitePath };
  rigs.push(rig);
  return rig;
}

beforeAll(async () => {
  [recovering, giving_up] = await Promise.all([
    // A backoff long enough that, without the probe's release, the card would wait seconds after Slack is back.
    startRig('recovering', { ESCALATION_OUTBOX_BACKOFF_BASE_MS: '4000', ESCALATION_OUTBOX_BACKOFF_MAX_MS: '60000', ESCALATION_OUTBOX_MAX_AGE_MS: '600000' }),
    startRig('giving-up', { ESCALATION_OUTBOX_BACKOFF_BASE_MS: '300', ESCALATION_OUTBOX_BACKOFF_MAX_MS: '600', ESCALATION_OUTBOX_MAX_AGE_MS: '3000' }),
  ]);
}, 90_000);

afterAll(async () => {
  await Promise.all(rigs.map((rig) => stopCandorProcess(rig.candor, 'SIGKILL')));
  await Promise.all(rigs.map((rig) => rig.stub.close()));
  rmSync(root, { recursive: true, force: true });
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

async function openChat(rig: Rig, customerId: string): Promise<TestChatClient> {
  const client = await TestChatClient.open(rig.candor.socketUrl, { token: await demoToken(rig.candor.url, customerId) });
  client.socket.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Frame;
    if (frame.type === 'message') client.ack(frame.id);
  });
  return client;
}

function readDb<T>(rig: Rig, read: (db: Database.Database) => T): T {
  const db = new Database(rig.sqlitePath, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

function outboxOf(rig: Rig, caseId: string): Array<{ id: string; topic: string; status: string; attempts: number }> {
  return readDb(rig, (db) => db.prepare('SELECT id, topic, status, attempts FROM outbox WHERE case_id = ? ORDER BY seq').all(caseId) as Array<{ id: string; topic: string; status: string; attempts: number }>);
}

function caseOf(rig: Rig, customerId: string): string {
  const row = readDb(rig, (db) => db.prepare('SELECT case_id FROM conversations WHERE id = ?').get(`web:${customerId}`) as { case_id: string | null } | undefined);
  if (row?.case_id == null) throw new Error(`no case for ${customerId}`);
  return row.case_id;
}

/** The process's JSON log lines with the given message. */
function logLines(rig: Rig, msg: string): Array<Record<string, unknown>> {
  return rig.candor
    .logs()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line['msg'] === msg);
}

const postsOf = (stub: SlackApiStub) => stub.calls.filter((call) => call.method === 'chat.postMessage' && call.args['thread_ts'] === undefined);

describe('a Slack outage, through the real process', () => {
  it('keeps the case through 500s, dropped connections and 429s, waits each Retry-After without counting it, and posts within a second of recovery', async () => {
    const { stub } = recovering;
    const client = await openChat(recovering, 'demo-drop');
    try {
      stub.setMode('failing');
      client.send({ type: 'message', id: 'ask', text: 'I want to talk to a person' });
      await client.next((frame) => frame.type === 'message' && frame['state'] === 'queued', 8000);
      const caseId = caseOf(recovering, 'demo-drop');
      for (const n of [1, 2, 3]) client.send({ type: 'message', id: `line-${n}`, text: `line ${n}` });
      await waitFor('three lines queued', () => (outboxOf(recovering, caseId).length === 4 ? true : undefined));
      await sleep(2500);
      stub.setMode('unreachable');
      await sleep(2500);
      expect(stub.calls.filter((call) => call.status === 500).length).toBeGreaterThan(0);
      expect(stub.calls.filter((call) => call.status === 0).length).toBeGreaterThan(0);
      expect(postsOf(stub).filter((call) => call.status === 200)).toEqual([]);

      // Slack comes back, but rate-limits the first two posts with Retry-After: 2.
      stub.setMode('up', 2);
      stub.failNext('chat.postMessage', 2, 'rate_limited');
      const upAt = Date.now();
      const card = await waitFor('the card', () => stub.topLevel(CHANNEL).find((m: SlackStubMessage) => m.metadata?.event_payload['case_id'] === caseId), 10_000);
      await waitFor('three thread lines', () => (stub.thread(CHANNEL, card.ts).length === 3 ? true : undefined), 5000);
      const doneAt = Date.now();

      const posts = postsOf(stub);
      expect(posts.map((call) => call.status)).toEqual([429, 429, 200]);
      // Released by the probe: the first post came within a second of recovery, not after the 4–8 s backoff.
      expect(posts[0]!.at - upAt).toBeLessThan(1000);
      // Each Retry-After was waited out, and no longer than needed.
      for (const i of [1, 2]) {
        const waited = posts[i]!.at - posts[i - 1]!.at;
        expect(waited).toBeGreaterThanOrEqual(1950);
        expect(waited).toBeLessThan(3000);
      }
      expect(doneAt - upAt).toBeLessThan(7000);
      expect(stub.thread(CHANNEL, card.ts).map((m) => m.text)).toEqual(['*Customer:* line 1', '*Customer:* line 2', '*Customer:* line 3']);
      expect(stub.topLevel(CHANNEL)).toHaveLength(1);

      // The 429s were not counted: the card's attempts are its real failures plus the one that posted.
      const outbox = outboxOf(recovering, caseId);
      expect(outbox.map((item) => item.status)).toEqual(['done', 'done', 'done', 'done']);
      const created = outbox[0]!;
      const failures = logLines(recovering, 'outbox delivery failed; will retry').filter((line) => line['outboxId'] === created.id);
      const realFailures = failures.filter((line) => line['error'] !== 'slack rate limited');
      expect(failures.length - realFailures.length).toBe(2);
      expect(created.attempts).toBe(realFailures.length + 1);
    } catch (error) {
      process.stderr.write(`log:\n${recovering.candor.logs().slice(-4000)}\n`);
      throw error;
    } finally {
      await client.close();
    }
  }, 40_000);

  it('gives up only after the maximum age, retires the card with its lines, tells the customer and alerts', async () => {
    const { stub, candor } = giving_up;
    const client = await openChat(giving_up, 'demo-denied');
    try {
      stub.setMode('failing');
      const askedAt = Date.now();
      client.send({ type: 'message', id: 'ask', text: 'I want to talk to a person' });
      await client.next((frame) => frame.type === 'message' && frame['state'] === 'queued', 8000);
      const caseId = caseOf(giving_up, 'demo-denied');
      client.send({ type: 'message', id: 'line-1', text: 'hello?' });
      const notice = await client.next((frame) => frame.type === 'message' && frame['state'] === 'bot', 10_000);
      expect(Date.now() - askedAt).toBeGreaterThanOrEqual(3000);
      expect(String(notice['text'])).toMatch(/couldn't reach our team/);
      expect(notice['from']).toBe('bot');

      // The customer is told first; the card and its line are retired right after.
      const outbox = await waitFor('the case retired', () => {
        const items = outboxOf(giving_up, caseId);
        return items.every((item) => item.status !== 'pending') ? items : undefined;
      });
      expect(outbox.map((item) => [item.topic, item.status])).toEqual([
        ['case.created', 'dead'],
        ['case.message', 'dead'],
      ]);
      expect(outbox[0]!.attempts).toBeGreaterThan(1);
      const alerts = await waitFor('the alert', () => {
        const lines = logLines(giving_up, 'case card dead-lettered; the customer was handed back to the bot');
        return lines.length > 0 ? lines : undefined;
      });
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ level: 'error', caseId, itemsDeadLettered: 2 });
      const metrics = await (await fetch(`${candor.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
      expect(metrics).toMatch(/candor_outbox_dead_letters_total\{topic="case.created"\} 1/);

      // The bot answers again.
      client.frames.splice(0);
      client.send({ type: 'message', id: 'after', text: 'why was my increase denied?' });
      const answer = await client.reply(8000);
      expect(answer, JSON.stringify(answer)).toMatchObject({ from: 'bot', state: 'bot' });
      expect(readDb(giving_up, (db) => db.prepare('SELECT status FROM cases WHERE id = ?').get(caseId))).toEqual({ status: 'returned' });
    } catch (error) {
      process.stderr.write(`log:\n${candor.logs().slice(-4000)}\n`);
      throw error;
    } finally {
      await client.close();
    }
  }, 30_000);
});
