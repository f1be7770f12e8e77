import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Candor } from '../../src/main.js';
import { buildTestCandor } from '../support/build-test-candor.js';
import { openTestSchemas, TEST_DATABASE_URL, type TestSchemas } from '../support/postgres-test-database.js';

// The context a follow-up is resolved against is stored with the conversation: it survives a restart
// (SQLite) and moves to another instance (Postgres), and every follow-up that names a reason is audited.

const explain = (candor: Candor, conversationId: string) =>
  candor.turns.handle({ conversationId, channel: 'test', customerId: 'demo-drop', locale: 'en', text: 'why did my limit drop' });
const followUp = (candor: Candor, conversationId: string, text: string) =>
  candor.turns.handle({ conversationId, channel: 'test', customerId: 'demo-drop', locale: 'en', text });

describe('conversation context on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'candor-context-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers "the second one" after a restart from the context stored with the conversation', async () => {
    const env = { SQLITE_PATH: join(dir, 'candor.sqlite') };
    const before = await buildTestCandor(env);
    expect((await explain(before, 'ctx-restart')).reasonsShown).toHaveLength(4);
    await before.close();

    const after = await buildTestCandor(env);
    try {
      const result = await followUp(after, 'ctx-restart', 'what about the second one?');
      expect(result).toMatchObject({ intent: 'limit.reason_detail', reasonsShown: ['INQ_RECENT'] });
      const conversation = await after.store.getConversation('ctx-restart');
      expect(conversation?.context).toMatchObject({
        explained: { reasonsShown: ['PAY_LATE_RECENT', 'INQ_RECENT', 'UTIL_HIGH', 'MODEL_UPDATE'], neutral: false },
        lastAct: 'answer',
      });
    } finally {
      await after.close();
    }
  });

  it('audits a follow-up like an explanation: the decision, the code shown, the others suppressed, its templates', async () => {
    const candor = await buildTestCandor();
    try {
      await explain(candor, 'ctx-audit');
      await followUp(candor, 'ctx-audit', 'what does the utilisation one mean');
      const records = (await candor.store.listExplanations({ customerId: 'demo-drop' })).filter((record) => record.conversationId === 'ctx-audit');
      expect(records).toHaveLength(2);
      expect(records[1]).toMatchObject({
        decisionId: 'dec-7Q4M2X',
        codesShown: ['UTIL_HIGH'],
        codesSuppressed: ['PAY_LATE_RECENT', 'INQ_RECENT', 'MODEL_UPDATE', 'INCOME_UNSTABLE'],
        contentVersion: candor.composer.contentVersion,
      });
      expect(records[1]?.templateIds).toEqual(expect.arrayContaining(['explanation/reason_detail', 'reasons/UTIL_HIGH/detail/means']));
    } finally {
      await candor.close();
    }
  });
});

describe('conversation context on Postgres', () => {
  let schemas: TestSchemas;
  beforeAll(async () => {
    schemas = await openTestSchemas();
  });
  afterAll(async () => {
    await schemas.dropAll();
  });

  it('lets another instance answer the follow-up to an explanation the first gave', async () => {
    const env = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schemas.next() };
    const first = await buildTestCandor(env);
    const second = await buildTestCandor(env);
    try {
      await explain(first, 'ctx-moved');
      const result = await followUp(second, 'ctx-moved', 'and the last one');
      expect(result).toMatchObject({ intent: 'limit.reason_detail', reasonsShown: ['MODEL_UPDATE'] });
      // And back: the choices the second instance offered are picked on the first.
      const which = await followUp(second, 'ctx-moved', 'the fifth one');
      expect(which.replies[0]?.act).toBe('clarify');
      expect((await followUp(first, 'ctx-moved', '2')).reasonsShown).toEqual(['INQ_RECENT']);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
