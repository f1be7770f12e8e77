import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresConversationStore } from '../../src/storage/postgres/postgres-conversation-store.js';
import { SqliteConversationStore } from '../../src/storage/sqlite/sqlite-conversation-store.js';
import { openTestSchemas, TEST_DATABASE_URL, type TestSchemas } from '../support/postgres-test-database.js';
import { aCase, aConversation, aMessage, anExplanation, anItem, at, aTurn } from './conversation-store.contract.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let schemas: TestSchemas;
let dir: string;

beforeAll(async () => {
  schemas = await openTestSchemas();
  dir = mkdtempSync(join(tmpdir(), 'candor-copy-'));
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await schemas?.dropAll();
});

/** A SQLite file with a bit of everything: a conversation in a case, an audit record, outbox items done and pending, events, deliveries. */
async function seedSqlite(path: string): Promise<void> {
  const store = SqliteConversationStore.open({ path });
  try {
    const conversation = aConversation('web:cust-1', { state: 'claimed', caseId: 'case-1', awaitingRating: true });
    await store.saveTurn(
      aTurn('web:cust-1', {
        conversation,
        messages: [aMessage('m1', 'web:cust-1', { clientMessageId: 'c1', confidence: 0.93, intent: 'limit.why_dropped' }), aMessage('m2', 'web:cust-1', { author: 'bot', createdAt: at(2) })],
        explanations: [anExplanation('e1', 'web:cust-1', { reviewRequested: true })],
        openedCase: aCase('case-1', 'web:cust-1', { reasonsShown: [{ code: 'UTIL_HIGH', text: 'High use' }], restricted: false }),
        outbox: [anItem('o1', 'case-1', { topic: 'case.created', payload: {}, createdAt: at(2) }), anItem('o2', 'case-1', { topic: 'case.message', payload: { messageId: 'm1', text: 'hi' }, createdAt: at(3) })],
      }),
    );
    const [first] = await store.claimOutbox(1, at(10), 1000);
    await store.completeOutbox(first?.id ?? '', { channel: 'CESCALATE', ts: '1700000000.000100' });
    await store.markEventSeen('Ev1', at(4));
    await store.enqueueDelivery({ id: 'r1', recipient: 'web:cust-1', payload: { id: 'r1', text: 'kept' }, createdAt: at(5) });
    await store.enqueueDelivery({ id: 'r2', recipient: 'web:cust-1', payload: { id: 'r2', text: 'seen' }, createdAt: at(6) });
    await store.ackDelivery('web:cust-1', 'r2');
  } finally {
    await store.close();
  }
}

describe('npm run db:copy-sqlite-to-postgres', () => {
  it('copies conversations, messages, cases, audit records, outbox, events and pending deliveries, and a second run adds nothing', async () => {
    const file = join(dir, 'candor.sqlite');
    await seedSqlite(file);
    const schema = schemas.next();
    const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema };
    const copy = async () => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/storage/copy-sqlite-to-postgres-cli.ts', '--from', file, '--json'], { cwd: ROOT, env });
      return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, { read: number; inserted: number }>;
    };

    const first = await copy();
    expect(first).toEqual({
      conversations: { read: 1, inserted: 1 },
      messages: { read: 2, inserted: 2 },
      cases: { read: 1, inserted: 1 },
      explanations: { read: 1, inserted: 1 },
      outbox: { read: 2, inserted: 2 },
      seen_events: { read: 1, inserted: 1 },
      pending_deliveries: { read: 2, inserted: 2 },
    });
    const again = await copy();
    expect(Object.values(again).map((counts) => counts.inserted)).toEqual([0, 0, 0, 0, 0, 0, 0]);

    const sqlite = SqliteConversationStore.open({ path: file });
    const postgres = await PostgresConversationStore.open({ connectionString: TEST_DATABASE_URL, schema });
    try {
      expect(await postgres.getConversation('web:cust-1')).toEqual(await sqlite.getConversation('web:cust-1'));
      expect(await postgres.listMessages('web:cust-1')).toEqual(await sqlite.listMessages('web:cust-1'));
      expect(await postgres.getCase('case-1')).toEqual(await sqlite.getCase('case-1'));
      expect(await postgres.listExplanations({})).toEqual(await sqlite.listExplanations({}));
      expect(await postgres.outboxResults('case-1', 'case.created')).toEqual([{ channel: 'CESCALATE', ts: '1700000000.000100' }]);
      expect(await postgres.listPendingDeliveries('web:cust-1')).toEqual(await sqlite.listPendingDeliveries('web:cust-1'));
      expect((await postgres.listPendingDeliveries('web:cust-1')).map((d) => d.id)).toEqual(['r1']);
      expect(await postgres.hasClientMessage('web:cust-1', 'c1')).toBe(true);
      expect(await postgres.markEventSeen('Ev1', at(9))).toBe(false);
      // The pending outbox item carries on where SQLite left it: the worker on Postgres leases it next.
      expect((await postgres.claimOutbox(5, at(20), 1000)).map((item) => [item.id, item.attempts])).toEqual([['o2', 1]]);
    } finally {
      await sqlite.close();
      await postgres.close();
    }
  });

  it('refuses to run without a Postgres DATABASE_URL', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', 'src/storage/copy-sqlite-to-postgres-cli.ts', '--from', join(dir, 'none.sqlite')], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(result).toMatchObject({ code: 2 });
    expect((result as { stderr: string }).stderr).toContain('DATABASE_URL');
  });
});
