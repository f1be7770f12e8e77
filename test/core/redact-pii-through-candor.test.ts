import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_ACTIONS } from '../../src/escalation/slack/case-card.js';
import { normalizeForPii } from '../../src/core/redact-pii.js';
import { TestChatClient, type Frame } from '../channels/web/support/test-chat-client.js';
import { startSlackApiStub, type SlackApiStub, type SlackStubMessage } from '../fakes/slack-api-stub.js';
import { buttonPress, eventEnvelope, sendSlackRequest } from '../fakes/slack-signed-request.js';
import { demoToken, startCandorProcess, stopCandorProcess, type CandorProcess } from '../support/candor-process.js';
import { openTestSchemas, TEST_DATABASE_URL, type TestSchemas } from '../support/postgres-test-database.js';

// The real process, its real stores (SQLite and Postgres), a real Slack API stub and debug logs: a
// customer and an agent both type personal data in the forms the redactor used to miss.
const SIGNING_SECRET = 'pii-through-candor-signing-secret';
const CHANNEL = 'CESCALATE';
const AGENT = 'U1AMY';

/** Personal data as typed, and the ASCII digits it must never appear as anywhere. */
const TYPED = {
  cardNotLuhn: '6212260200012345671',
  mobileDots: '139.1234.5678',
  mobileArabicIndic: '١٣٨١٢٣٤٥٦٧٨',
  cardDevanagari: '४१११ ११११ ११११ ११११',
  agentCard: '6222.0212.3456.7890',
  agentMobile: '159 8765 4321',
};
const DIGITS = ['6212260200012345671', '13912345678', '13812345678', '4111111111111111', '6222021234567890', '15987654321'];

/** True when the text holds any of the typed data, as typed or in any normalised, de-separated form. */
function leaks(text: string): string[] {
  const digitsOnly = normalizeForPii(text).replace(/[\s.\-·\u00A0]/g, '');
  return [...Object.values(TYPED).filter((raw) => text.includes(raw)), ...DIGITS.filter((digits) => digitsOnly.includes(digits))];
}

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

let stub: SlackApiStub;
let schemas: TestSchemas;
let directory: string;

beforeAll(async () => {
  stub = await startSlackApiStub({ users: { [AGENT]: { real_name: 'Amy Chen', first_name: 'Amy' } } });
  schemas = await openTestSchemas();
  directory = await mkdtemp(join(tmpdir(), 'candor-pii-'));
});

afterAll(async () => {
  await stub?.close();
  await schemas?.dropAll();
  if (directory) await rm(directory, { recursive: true, force: true });
});

function slackEnv(): Record<string, string> {
  return {
    LOG_LEVEL: 'debug',
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_ESCALATION_CHANNEL_ID: CHANNEL,
    SLACK_RESTRICTED_CHANNEL_ID: 'CRESTRICT',
    SLACK_API_URL: stub.url,
    SLACK_CHANNEL_MIN_INTERVAL_MS: '0',
    ESCALATION_OUTBOX_POLL_MS: '50',
    ESCALATION_OUTBOX_BACKOFF_BASE_MS: '100',
    ESCALATION_OUTBOX_BACKOFF_MAX_MS: '400',
  };
}

/** Runs the conversation on one process: personal data before and after escalation, and in the agent's reply. */
async function runConversation(candor: CandorProcess, customerId: string): Promise<{ agentFrame: Frame }> {
  const customer = await TestChatClient.open(candor.socketUrl, { token: await demoToken(candor.url, customerId) });
  const cardsBefore = stub.topLevel(CHANNEL).length;
  try {
    customer.send({ type: 'message', id: 'pii-1', text: `my card ${TYPED.cardNotLuhn} was refused` });
    await customer.next((frame) => frame.type === 'message');
    customer.send({ type: 'message', id: 'pii-2', text: 'I want to talk to a person' });
    await customer.next((frame) => frame.type === 'message' && frame['state'] === 'queued', 8000);
    customer.send({ type: 'message', id: 'pii-3', text: `call me on ${TYPED.mobileDots} or ${TYPED.mobileArabicIndic}, other card ${TYPED.cardDevanagari}` });

    const card = await waitFor('the case card', () => stub.topLevel(CHANNEL)[cardsBefore]);
    await waitFor('the relayed line', () => (stub.thread(CHANNEL, card.ts).some((line) => line.text.includes('call me on')) ? true : undefined));
    const caseId = String(card.metadata?.event_payload['case_id']);
    const claim = buttonPress({ actionId: CARD_ACTIONS.claim, caseId, user: AGENT, channel: CHANNEL, messageTs: card.ts });
    expect((await sendSlackRequest(`${candor.url}/slack/actions`, claim, { secret: SIGNING_SECRET, contentType: 'form' })).status).toBe(200);
    await customer.next((frame) => frame['event'] === 'agent_joined');

    const text = `I see card ${TYPED.agentCard} and mobile ${TYPED.agentMobile}`;
    const posted: SlackStubMessage = stub.addHumanMessage({ channel: CHANNEL, user: AGENT, text, thread_ts: card.ts });
    const event = eventEnvelope(`Ev${customerId}${Date.now()}`, { type: 'message', channel: CHANNEL, user: AGENT, text, ts: posted.ts, thread_ts: card.ts, channel_type: 'channel' });
    expect((await sendSlackRequest(`${candor.url}/slack/events`, event, { secret: SIGNING_SECRET, contentType: 'json' })).status).toBe(200);
    const agentFrame = await customer.next((frame) => frame['from'] === 'agent' && String(frame['text']).startsWith('I see card'), 5000);
    // Let the outbox post the agent line's mirror and the worker settle before the stores are read.
    await sleep(300);
    return { agentFrame };
  } finally {
    await customer.close();
  }
}

/** Everything Candor itself sent to Slack (the agent's own message in the stub is what the agent typed). */
function candorSlackTraffic(): string {
  return JSON.stringify(stub.calls.map((call) => call.args));
}

function expectNoLeaks(where: string, text: string): void {
  expect(leaks(text), where).toEqual([]);
}

describe('personal data through the real process', () => {
  it('is redacted in messages, outbox payloads, kept deliveries, the Slack card and thread, and debug logs (SQLite)', async () => {
    const path = join(directory, 'candor.sqlite');
    const candor = await startCandorProcess('sqlite', { ...slackEnv(), SQLITE_PATH: path }, 45_000);
    let agentFrame: Frame;
    try {
      ({ agentFrame } = await runConversation(candor, 'demo-drop'));
    } finally {
      await stopCandorProcess(candor);
    }
    expect(agentFrame['text']).toBe('I see card [CARD] and mobile [PHONE]');

    const db = new Database(path, { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      for (const { name } of tables) expectNoLeaks(`table ${name}`, JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all()));
      const messages = (db.prepare('SELECT text FROM messages').all() as { text: string }[]).map((row) => row.text).join('\n');
      expect(messages).toContain('my card [CARD] was refused');
      expect(messages).toContain('call me on [PHONE] or [PHONE], other card [CARD]');
      expect(messages).toContain('I see card [CARD] and mobile [PHONE]');
      const outbox = JSON.stringify(db.prepare('SELECT payload FROM outbox').all());
      expect(outbox).toContain('[PHONE]');
      const kept = (db.prepare('SELECT payload FROM pending_deliveries').all() as { payload: string }[]).map((row) => row.payload).join('\n');
      expect(kept).toContain('I see card [CARD] and mobile [PHONE]');
    } finally {
      db.close();
    }
    const slack = candorSlackTraffic();
    expect(slack).toContain('[CARD]');
    expect(slack).toContain('call me on [PHONE] or [PHONE]');
    expectNoLeaks('Slack', slack);
    const logs = candor.logs();
    expect(logs).toContain('"level":"debug"');
    expect(logs).toContain('call me on [PHONE]');
    expectNoLeaks('logs', logs);
  }, 60_000);

  it('is redacted in messages, outbox payloads and kept deliveries on Postgres too', async () => {
    const schema = schemas.next();
    const candor = await startCandorProcess('postgres', { ...slackEnv(), DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, DATABASE_POOL_MAX: '4' }, 45_000);
    let agentFrame: Frame;
    try {
      ({ agentFrame } = await runConversation(candor, 'demo-denied'));
    } finally {
      await stopCandorProcess(candor);
    }
    expect(agentFrame['text']).toBe('I see card [CARD] and mobile [PHONE]');
    const { rows: tables } = await schemas.admin.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
    expect(tables.map((row) => row.table_name)).toContain('pending_deliveries');
    for (const { table_name: name } of tables) {
      const { rows } = await schemas.admin.query(`SELECT * FROM "${schema}"."${name}"`);
      expectNoLeaks(`table ${name}`, JSON.stringify(rows));
    }
    const { rows: kept } = await schemas.admin.query<{ payload: unknown }>(`SELECT payload FROM "${schema}".pending_deliveries`);
    expect(JSON.stringify(kept)).toContain('I see card [CARD] and mobile [PHONE]');
    expectNoLeaks('logs', candor.logs());
  }, 60_000);
});
