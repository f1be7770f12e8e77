import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { storageConfigSchema } from '../../src/config/storage-config.js';
import { createConversationStore } from '../../src/storage/create-conversation-store.js';
import { SQLITE_MIGRATIONS, migrateSqlite } from '../../src/storage/sqlite/migrations.js';
import { SqliteConversationStore } from '../../src/storage/sqlite/sqlite-conversation-store.js';
import { aConversation, aMessage, anExplanation, aTurn, runConversationStoreContract } from './conversation-store.contract.js';
import { runOperationsStoreContract } from './operations-store.contract.js';

const root = mkdtempSync(join(tmpdir(), 'candor-sqlite-'));
let counter = 0;
const newPath = (): string => join(root, `db-${(counter += 1)}`, 'candor.sqlite');

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

runConversationStoreContract('SqliteConversationStore', {
  newLocation: async () => {
    const path = newPath();
    return { open: async () => SqliteConversationStore.open({ path }) };
  },
});

runOperationsStoreContract('SqliteConversationStore', {
  newLocation: async () => {
    const path = newPath();
    return { open: async () => SqliteConversationStore.open({ path }) };
  },
});

describe('SqliteConversationStore', () => {
  it('creates the folder of its file, uses WAL, and records each migration once however often it is opened', async () => {
    const path = newPath();
    expect(existsSync(join(path, '..'))).toBe(false);
    const [a, b] = await Promise.all([SqliteConversationStore.open({ path }), SqliteConversationStore.open({ path })]);
    await a.close();
    await b.close();
    await SqliteConversationStore.open({ path }).close();

    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
      expect(versions).toEqual(SQLITE_MIGRATIONS.map((migration) => migration.version));
    } finally {
      db.close();
    }
  });

  it('migration 5 keeps an existing database readable: a conversation\'s messages are still found through an index', async () => {
    // A file as it stood at version 4, with messages in it.
    const path = newPath();
    mkdirSync(join(path, '..'), { recursive: true });
    const old = new Database(path);
    migrateSqlite(old, SQLITE_MIGRATIONS.filter((migration) => migration.version <= 4));
    old.exec(`INSERT INTO conversations (id, channel, locale, state, consecutive_misses, awaiting_rating, created_at, updated_at)
      VALUES ('conv-1', 'web', 'en', 'bot', 0, 0, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
      INSERT INTO messages (id, conversation_id, author, text, created_at) VALUES
        ('m1', 'conv-1', 'customer', 'hello', '2026-11-01T00:00:00.000Z'), ('m2', 'conv-1', 'bot', 'hi', '2026-11-01T00:00:01.000Z');`);
    old.close();

    const store = SqliteConversationStore.open({ path, checkpointInWorker: false });
    expect((await store.listMessages('conv-1')).map((m) => m.id)).toEqual(['m1', 'm2']);
    await store.close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'messages_by_conversation'").get()).toBeUndefined();
      const plan = db
        .prepare('EXPLAIN QUERY PLAN SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT 10')
        .all('conv-1') as { detail: string }[];
      expect(plan.map((step) => step.detail).join('\n')).toMatch(/SEARCH messages USING INDEX/);
    } finally {
      db.close();
    }
  });

  it('migration 8 keeps explanation records written before it: they read back with no text, and new ones keep theirs', async () => {
    const path = newPath();
    mkdirSync(join(path, '..'), { recursive: true });
    const old = new Database(path);
    migrateSqlite(old, SQLITE_MIGRATIONS.filter((migration) => migration.version <= 7));
    old.exec(`INSERT INTO conversations (id, channel, customer_id, locale, state, consecutive_misses, awaiting_rating, created_at, updated_at)
      VALUES ('conv-1', 'web', 'cust-1', 'en', 'bot', 0, 0, '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
      INSERT INTO explanations (id, conversation_id, customer_id, decision_id, locale, codes_shown, codes_suppressed, template_ids,
        content_version, review_requested, created_at)
      VALUES ('e-old', 'conv-1', 'cust-1', 'dec-1', 'en', '["UTIL_HIGH"]', '[]', '[]', 'v-old', 0, '2026-11-01T00:00:00.000Z');`);
    old.close();

    const store = SqliteConversationStore.open({ path, checkpointInWorker: false });
    try {
      const fresh = anExplanation('e-new', 'conv-1', { customerId: 'cust-1', createdAt: '2026-11-02T00:00:00.000Z' });
      await store.saveTurn(aTurn('conv-1', { conversation: aConversation('conv-1', { locale: 'en' }), explanations: [fresh] }));
      const records = await store.listExplanations({ customerId: 'cust-1' });
      expect(records.map((record) => [record.id, record.text, record.reasonTexts])).toEqual([
        ['e-old', null, null],
        ['e-new', fresh.text, fresh.reasonTexts],
      ]);
    } finally {
      await store.close();
    }
  });

  it('group commit: writes asked for in one tick share a commit, and a failing one rejects alone, leaving nothing of itself', async () => {
    const store = SqliteConversationStore.open({ path: ':memory:' });
    const good = store.saveTurn(aTurn('conv-1', { messages: [aMessage('m1', 'conv-1')] }));
    // The second message reuses the id m1 that the first write stores in the same batch.
    const bad = store.saveTurn(aTurn('conv-2', { messages: [aMessage('m2', 'conv-2'), aMessage('m1', 'conv-2')] }));
    const alsoGood = store.saveTurn(aTurn('conv-3', { messages: [aMessage('m3', 'conv-3')] }));
    await expect(good).resolves.toBe('stored');
    await expect(bad).rejects.toMatchObject({ code: 'internal' });
    await expect(alsoGood).resolves.toBe('stored');
    expect(await store.getConversation('conv-2')).toBeNull();
    expect((await store.listMessages('conv-1')).map((m) => m.id)).toEqual(['m1']);
    expect((await store.listMessages('conv-3')).map((m) => m.id)).toEqual(['m3']);
    await store.close();
  });

  it('sees a conversation changed by another connection or process from the next turn of the event loop, though it remembers conversations', async () => {
    const path = newPath();
    const a = SqliteConversationStore.open({ path });
    const b = SqliteConversationStore.open({ path });
    const nextTurnOfTheLoop = () => new Promise((resolve) => setImmediate(resolve));
    await a.saveTurn(aTurn('conv-1'));
    expect((await a.loadTurnState('conv-1', null)).conversation?.state).toBe('bot');
    await b.saveTurn(aTurn('conv-1', { conversation: aConversation('conv-1', { state: 'queued', caseId: null }) }));
    await nextTurnOfTheLoop();
    expect((await a.loadTurnState('conv-1', null)).conversation?.state).toBe('queued');
    const raw = new Database(path);
    raw.prepare("UPDATE conversations SET last_intent = 'limit.next_review' WHERE id = 'conv-1'").run();
    raw.close();
    await nextTurnOfTheLoop();
    expect((await a.loadTurnState('conv-1', null)).conversation?.lastIntent).toBe('limit.next_review');
    const gone = new Database(path);
    gone.prepare("DELETE FROM conversations WHERE id = 'conv-1'").run();
    gone.close();
    await nextTurnOfTheLoop();
    expect((await a.loadTurnState('conv-1', 'client-1')).conversation).toBeNull();
    await a.close();
    await b.close();
  });

  it('group commit: once 128 writes are queued they commit at once, without waiting for the end of the poll phase', async () => {
    const store = SqliteConversationStore.open({ path: ':memory:' });
    const committed: number[] = [];
    const writes = Array.from({ length: 200 }, (_, i) => store.saveTurn(aTurn(`conv-${i}`)).then(() => committed.push(i)));
    // Only microtasks run here: no poll or check phase has come yet (without the slice, nothing would be committed).
    for (let i = 0; i < 5; i += 1) await Promise.resolve();
    expect(committed.length).toBeGreaterThanOrEqual(128);
    expect(committed.slice(0, 128)).toEqual(Array.from({ length: 128 }, (_, i) => i));
    await Promise.all(writes);
    expect(committed).toHaveLength(200);
    expect(await store.getConversation('conv-199')).not.toBeNull();
    await store.close();
  });

  it('writes a remembered conversation again when another process deleted it meanwhile', async () => {
    const path = newPath();
    const store = SqliteConversationStore.open({ path });
    await store.saveTurn(aTurn('conv-1'));
    expect((await store.loadTurnState('conv-1', null)).conversation).not.toBeNull();
    const raw = new Database(path);
    raw.prepare("DELETE FROM conversations WHERE id = 'conv-1'").run();
    raw.close();
    // No read in between: the store still remembers conv-1, finds no row to update, and inserts it.
    await store.saveTurn(aTurn('conv-1', { conversation: aConversation('conv-1', { lastIntent: 'limit.current' }) }));
    expect((await store.getConversation('conv-1'))?.lastIntent).toBe('limit.current');
    await store.close();
  });

  it('group commit: while another connection holds the write lock, the event loop keeps running and the writes commit once it is free', async () => {
    const path = newPath();
    const store = SqliteConversationStore.open({ path, checkpointInWorker: false });
    await store.saveTurn(aTurn('conv-0'));
    const other = new Database(path);
    other.prepare('BEGIN IMMEDIATE').run();
    let isSaved = false;
    const saving = store.saveTurn(aTurn('conv-1')).then(() => {
      isSaved = true;
    });
    // Timers fire while the write waits: the store is not sleeping in SQLite's busy handler.
    const started = Date.now();
    let ticks = 0;
    while (Date.now() - started < 150) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      ticks += 1;
    }
    expect(ticks).toBeGreaterThan(5);
    expect(isSaved).toBe(false);
    other.prepare('COMMIT').run();
    other.close();
    await saving;
    expect(await store.getConversation('conv-1')).not.toBeNull();
    await store.close();
  });

  it('group commit: writes that wait longer than the busy timeout for the lock fail as an outage', async () => {
    const path = newPath();
    const store = SqliteConversationStore.open({ path, checkpointInWorker: false, busyTimeoutMs: 100 });
    await store.saveTurn(aTurn('conv-0'));
    const other = new Database(path);
    other.prepare('BEGIN IMMEDIATE').run();
    await expect(store.saveTurn(aTurn('conv-1'))).rejects.toMatchObject({ code: 'storage_unavailable' });
    other.prepare('ROLLBACK').run();
    other.close();
    // The lock is free again: the next write goes through.
    await store.saveTurn(aTurn('conv-2'));
    expect(await store.getConversation('conv-2')).not.toBeNull();
    await store.close();
  });

  it('group commit: a write made as soon as an earlier one commits is committed in the same phase of the event loop', async () => {
    const store = SqliteConversationStore.open({ path: ':memory:' });
    const order: string[] = [];
    const kept = store
      .saveTurn(aTurn('conv-1', { messages: [aMessage('m1', 'conv-1')] }))
      .then(() => store.enqueueDelivery({ id: 'r1', recipient: 'conv-1', payload: { id: 'r1' }, createdAt: '2026-01-05T10:00:00.000Z' }))
      .then(() => order.push('reply kept'));
    // Queued after the store's own commit: it runs in the same check phase, after that commit's reactions.
    setImmediate(() => order.push('next immediate'));
    await kept;
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['reply kept', 'next immediate']);
    expect((await store.listPendingDeliveries('conv-1')).map((d) => d.id)).toEqual(['r1']);
    await store.close();
  });

  it('works in memory, keeping nothing after close', async () => {
    const store = SqliteConversationStore.open({ path: ':memory:' });
    await store.saveTurn(aTurn('conv-1', { messages: [aMessage('m1', 'conv-1')] }));
    expect(await store.getConversation('conv-1')).toEqual(aConversation('conv-1'));
    await store.close();
    const fresh = SqliteConversationStore.open({ path: ':memory:' });
    expect(await fresh.getConversation('conv-1')).toBeNull();
    await fresh.close();
  });

  it('fails with storage_unavailable when the file cannot be opened', async () => {
    const file = newPath();
    await SqliteConversationStore.open({ path: file }).close();
    // The parent "folder" is a regular file, so neither mkdir nor open can succeed.
    expect(() => SqliteConversationStore.open({ path: join(file, 'inside.sqlite') })).toThrow(
      expect.objectContaining({ name: 'CandorError', code: 'storage_unavailable' }),
    );
  });
});

describe('createConversationStore (SQLite)', () => {
  it('opens SQLite at SQLITE_PATH when DATABASE_URL is absent or blank, defaulting to data/candor.sqlite', async () => {
    expect(storageConfigSchema.parse({}).SQLITE_PATH).toBe('data/candor.sqlite');
    const path = newPath();
    const config = storageConfigSchema.parse({ DATABASE_URL: '  ', SQLITE_PATH: path });
    expect(config.DATABASE_URL).toBeUndefined();
    const store = await createConversationStore(config);
    expect(store).toBeInstanceOf(SqliteConversationStore);
    await store.close();
    expect(existsSync(path)).toBe(true);
  });

  it('rejects a DATABASE_URL that is not a Postgres URL', () => {
    expect(storageConfigSchema.safeParse({ DATABASE_URL: 'mysql://db/candor' }).success).toBe(false);
    expect(storageConfigSchema.safeParse({ DATABASE_SCHEMA: 'Robert"; DROP' }).success).toBe(false);
  });
});
