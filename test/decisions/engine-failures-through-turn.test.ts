import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadDemoCustomers } from '../../src/decisions/demo-customers.js';
import { startReferenceEngineServer, type ReferenceEngineFaults, type ReferenceEngineServer } from '../../src/decisions/reference-engine-server.js';
import type { Candor } from '../../src/main.js';
import { buildTestCandor } from '../support/build-test-candor.js';

// The customer-facing side of issue 4: every engine failure reaches the customer as the same calm
// message, the conversation is handed to a person with the failure noted, and nothing leaks.
let engine: ReferenceEngineServer;
let candor: Candor;
let turn = 0;

beforeAll(async () => {
  engine = await startReferenceEngineServer({ customers: loadDemoCustomers(), port: 0, token: 'engine-test-token' });
  candor = await buildTestCandor({
    DECISION_ENGINE_URL: engine.url,
    DECISION_ENGINE_TOKEN: 'engine-test-token',
    DECISION_ENGINE_TIMEOUT_MS: '400',
    DECISION_ENGINE_CACHE_TTL_MS: '0',
    DECISION_ENGINE_BREAKER_THRESHOLD: '1000',
    DECISION_ENGINE_MAX_BYTES: '65536',
  });
});

afterAll(async () => {
  await candor.close();
  await engine.close();
});

beforeEach(() => engine.setFaults({}));

async function ask(text: string, locale: 'en' | 'zh-CN' = 'en', customerId = 'demo-drop') {
  turn += 1;
  const result = await candor.turns.handle({ conversationId: `engine-turn-${turn}`, channel: 'test', customerId, locale, text });
  const conversation = await candor.store.getConversation(`engine-turn-${turn}`);
  const caseRecord = conversation?.caseId ? await candor.store.getCase(conversation.caseId) : null;
  return { result, text: result.replies.map((reply) => reply.text).join('\n'), caseRecord };
}

const failures: [string, ReferenceEngineFaults][] = [
  ['a timeout', { latencyMs: 1500 }],
  ['a 500 on every try', { errorStatus: 500 }],
  ['a 503 with a Retry-After past the deadline', { errorStatus: 503, retryAfter: '30' }],
  ['malformed JSON', { malformedJson: true }],
  ['a schema mismatch', { schemaMismatch: true }],
  ["another customer's data", { wrongCustomerId: true }],
  ['a 50 MB body', { hugeBodyBytes: 50 * 1024 * 1024 }],
  ['a slow drip', { slowDripMs: 100 }],
];

describe('what the customer sees when the decision engine fails', () => {
  it.each(failures)('%s: the calm message, a person offered, the failure noted on the case', async (_name, faults) => {
    engine.setFaults(faults);
    const { result, text, caseRecord } = await ask('why did my limit drop');
    expect(text).toContain('Nothing about your account has changed');
    expect(text).toContain('asked a person from our team to join');
    expect(result.state).toBe('queued');
    expect(result.reasonsShown).toEqual([]);
    expect(caseRecord).toMatchObject({ trigger: 'engine_unavailable', status: 'queued' });
    expect(caseRecord?.note).toMatch(/^decision engine: /);
    expect(text).not.toMatch(/\b(500|503|404|timeout|error|exception|stack)\b/i);
    expect(text).not.toContain('demo-drop');
  });

  it('says the same calmly in Chinese', async () => {
    engine.setFaults({ errorStatus: 500 });
    const { text } = await ask('我的额度为什么降了', 'zh-CN');
    expect(text).toMatch(/[\u4e00-\u9fff]/);
    expect(text).not.toMatch(/500|error/i);
  });

  it('a 500 followed by a success is retried and the customer gets the real explanation', async () => {
    engine.setFaults({ errorStatus: 500, failFirst: 1 });
    const { result, caseRecord } = await ask('why did my limit drop');
    expect(result.reasonsShown).toEqual(['PAY_LATE_RECENT', 'INQ_RECENT', 'UTIL_HIGH', 'MODEL_UPDATE']);
    expect(result.state).toBe('bot');
    expect(caseRecord).toBeNull();
  });

  it('a 404 means no decision on file, not a failure', async () => {
    const { result, caseRecord } = await ask('why did my limit drop', 'en', 'no-such-customer');
    expect(result.state).toBe('bot');
    expect(caseRecord).toBeNull();
  });

  it('gives the same answers over HTTP as the embedded engine', async () => {
    const embedded = await buildTestCandor();
    try {
      for (const customerId of ['demo-drop', 'demo-denied', 'demo-frozen', 'demo-group', 'demo-none', 'demo-fraud']) {
        const overHttp = await ask('why did my limit drop', 'en', customerId);
        const local = await embedded.turns.handle({ conversationId: `embedded-${customerId}`, channel: 'test', customerId, locale: 'en', text: 'why did my limit drop' });
        expect(overHttp.result.replies.map((reply) => reply.text)).toEqual(local.replies.map((reply) => reply.text));
      }
    } finally {
      await embedded.close();
    }
  });
});
