import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteConversationStore } from '../../src/storage/sqlite/sqlite-conversation-store.js';
import { startSqliteWalCheckpointer } from '../../src/storage/sqlite/sqlite-wal-checkpointer.js';
import { aMessage, aTurn } from './conversation-store.contract.js';

const root = mkdtempSync(join(tmpdir(), 'candor-checkpoint-'));
let counter = 0;
const newPath = (): string => join(root, `db-${(counter += 1)}`, 'candor.sqlite');

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Writes enough turns to pass SQLite's automatic checkpoint threshold (1,000 pages) several times over. */
async function writeManyTurns(store: SqliteConversationStore, count: number): Promise<void> {
  const text = 'x'.repeat(2000);
  const writes: Promise<void>[] = [];
  for (let i = 0; i < count; i += 1) {
    writes.push(store.saveTurn(aTurn(`conv-${i}`, { messages: [{ ...aMessage(`m-${i}`, `conv-${i}`), text }] })));
  }
  await Promise.all(writes);
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await sleep(25);
  }
  return check();
}

describe('SQLite WAL checkpoints in a worker thread', () => {
  it('never checkpoints on the main connection: the database file stays as it was until the worker runs', async () => {
    const path = newPath();
    const store = SqliteConversationStore.open({ path, checkpointIntervalMs: 3_600_000 });
    const before = statSync(path).size;
    await writeManyTurns(store, 3000);
    // Well past 1,000 pages of WAL: SQLite's own automatic checkpoint would have copied them into the file.
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(4096 * 1000);
    expect(statSync(path).size).toBe(before);
    await store.close();
    // Closing the last connection checkpoints what is left and removes the WAL.
    expect(statSync(path).size).toBeGreaterThan(before + 2000 * 3000);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('copies the WAL into the database file from the worker while the store stays open', async () => {
    const path = newPath();
    const store = SqliteConversationStore.open({ path, checkpointIntervalMs: 50 });
    const before = statSync(path).size;
    await writeManyTurns(store, 500);
    expect(await waitFor(() => statSync(path).size > before + 2000 * 500, 5000)).toBe(true);
    expect(await store.getConversation('conv-499')).not.toBeNull();
    await store.close();
  });

  it('keeps the WAL from growing without bound while writes never pause (it restarts the WAL once it is long)', async () => {
    const path = newPath();
    const store = SqliteConversationStore.open({ path, checkpointIntervalMs: 50 });
    // Group commits one after another for about 1.5 s, each round arriving on a new turn of the event
    // loop as frames do: a PASSIVE checkpoint alone never finds the WAL fully copied at the start of a
    // commit, so SQLite would never start it over.
    const text = 'x'.repeat(2000);
    let largestWal = 0;
    const deadline = Date.now() + 1500;
    for (let round = 0; Date.now() < deadline; round += 1) {
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 100; i += 1) {
        const id = `conv-${round}-${i}`;
        writes.push(store.saveTurn(aTurn(id, { messages: [{ ...aMessage(`m-${round}-${i}`, id), text }] })));
      }
      await Promise.all(writes);
      largestWal = Math.max(largestWal, statSync(`${path}-wal`).size);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const written = statSync(path).size;
    // Far more was written than the WAL ever held, and the WAL stayed within a few restarts' worth.
    expect(written).toBeGreaterThan(100 * 1024 * 1024);
    expect(largestWal).toBeLessThan(written / 2);
    await store.close();
  });

  it('reports a worker that cannot open the database, so the caller can fall back to automatic checkpoints', async () => {
    const reasons: string[] = [];
    const checkpointer = startSqliteWalCheckpointer({
      path: join(root, 'missing', 'nothing.sqlite'),
      onHoldWrites: () => undefined,
      onResumeWrites: () => undefined,
      onFailure: (reason) => reasons.push(reason),
    });
    expect(await waitFor(() => reasons.length > 0, 5000)).toBe(true);
    expect(reasons[0]).toMatch(/crashed|exited/);
    await checkpointer.stop();
    expect(reasons).toHaveLength(1);
  });

  it('with checkpointing in the worker turned off, SQLite checkpoints by itself as before', async () => {
    const path = newPath();
    const store = SqliteConversationStore.open({ path, checkpointInWorker: false });
    const before = statSync(path).size;
    await writeManyTurns(store, 3000);
    expect(statSync(path).size).toBeGreaterThan(before);
    await store.close();
  });
});
