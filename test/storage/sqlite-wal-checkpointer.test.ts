import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteConversationStore } from '../../src/storage/sqlite/sqlite-conversation-store.js';
import { startSqliteWalCheckpointer } from '../../src/storage/sqlite/sqlite-wal-checkpointer.js';
import { aMessage, aTurn } from './conversation-store.contract.js';

const root = mkdtempSync(join(tmpdir(), 'candor-checkpoint-'));
let counter = 0;
/** A restart length these tests reach in well under a second (the default, 256 MiB, takes seconds of full load). */
const RESTART_PAGES = 4096;
const newPath = (): string => join(root, `db-${(counter += 1)}`, 'candor.sqlite');

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Writes enough turns to pass SQLite's automatic checkpoint threshold (1,000 pages) several times over. */
async function writeManyTurns(store: SqliteConversationStore, count: number): Promise<void> {
  const text = 'x'.repeat(2000);
  const writes: Promise<unknown>[] = [];
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
    const store = SqliteConversationStore.open({ path, checkpointIntervalMs: 50, walRestartPages: RESTART_PAGES });
    // Group commits one after another until well over 100 MB is written, each round arriving on a new
    // turn of the event loop as frames do: a PASSIVE checkpoint alone never finds the WAL fully copied
    // at the start of a commit, so SQLite would never start it over. The amount written, not a time
    // window, bounds the test, so a slow or busy machine writes the same (the cap only stops a hang).
    const text = 'x'.repeat(2000);
    let largestWal = 0;
    const cap = Date.now() + 40_000;
    for (let round = 0; statSync(path).size <= 300 * 1024 * 1024 && Date.now() < cap; round += 1) {
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 100; i += 1) {
        const id = `conv-${round}-${i}`;
        writes.push(store.saveTurn(aTurn(id, { messages: [{ ...aMessage(`m-${round}-${i}`, id), text }] })));
      }
      await Promise.all(writes);
      largestWal = Math.max(largestWal, statSync(`${path}-wal`).size);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const written = statSync(path).size;
    // Without a restart the WAL would hold everything written; it held less, so it started over. (How
    // much less depends on the disk: the worker copies while the writes go on, and on this machine kind
    // a WAL of 40-65 % of what was written was seen under full load.)
    expect(written).toBeGreaterThan(100 * 1024 * 1024);
    expect(largestWal).toBeLessThan(written * 0.9);
    await store.close();
  }, 60_000);

  /** A WAL-mode file whose WAL holds well over the restart length used here, on a connection that never checkpoints. */
  function openWithLongWal(): { db: Database.Database; path: string; walPages: () => number } {
    const path = newPath();
    mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
    const body = 'x'.repeat(3000);
    for (let i = 0; i < 6000; i += 1) insert.run(body);
    // The WAL's length in pages, as this connection sees it after its last commit.
    const walPages = () => (db.pragma('wal_checkpoint(NOOP)') as { log: number }[])[0]?.log ?? -1;
    return { db, path, walPages };
  }

  it('holds the main connection\'s commits from its first check after the worker asks, restarts the WAL, then lets them go', async () => {
    const { db, path, walPages } = openWithLongWal();
    expect(walPages()).toBeGreaterThan(RESTART_PAGES);
    let resumed = 0;
    const checkpointer = startSqliteWalCheckpointer({ path, intervalMs: 20, restartAfterPages: RESTART_PAGES, onResumeWrites: () => (resumed += 1), onFailure: () => undefined });
    // A busy main thread: a commit on every turn of the event loop, each asking first whether to wait.
    const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
    const answers: boolean[] = [];
    let heldCommits = 0;
    let isWriting = true;
    const writeLoop = (async () => {
      while (isWriting) {
        const isHeld = checkpointer.isHoldingWrites();
        answers.push(isHeld);
        if (isHeld) heldCommits += 1;
        else insert.run('y'.repeat(3000));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    // The answer turns true at the first check after the worker asks, and false once the WAL restarted.
    expect(await waitFor(() => resumed > 0 && answers.at(-1) === false, 5000)).toBe(true);
    isWriting = false;
    await writeLoop;
    expect(heldCommits).toBeGreaterThan(0);
    expect(answers.indexOf(true)).toBeLessThan(answers.lastIndexOf(false));
    // The WAL started over: it holds only what was committed since, far less than before.
    expect(walPages()).toBeLessThan(RESTART_PAGES);
    await checkpointer.stop();
    db.close();
  });

  it('asks for no hold when the main connection is not committing: the WAL is copied whole and its next commit starts it over', async () => {
    const { db, path, walPages } = openWithLongWal();
    const before = statSync(path).size;
    let resumed = 0;
    const checkpointer = startSqliteWalCheckpointer({ path, intervalMs: 20, restartAfterPages: RESTART_PAGES, onResumeWrites: () => (resumed += 1), onFailure: () => undefined });
    const holds: boolean[] = [];
    expect(await waitFor(() => { holds.push(checkpointer.isHoldingWrites()); return statSync(path).size > before + 3000 * 6000; }, 5000)).toBe(true);
    // The main file grows as frames are copied; the copy is whole once every frame is checkpointed
    // (waited for, not slept for: a slow disk takes longer to finish it).
    const copied = () => {
      const [state] = db.pragma('wal_checkpoint(NOOP)') as { log: number; checkpointed: number }[];
      return state !== undefined && state.checkpointed >= state.log;
    };
    expect(await waitFor(() => { holds.push(checkpointer.isHoldingWrites()); return copied(); }, 10_000)).toBe(true);
    expect(holds.concat(checkpointer.isHoldingWrites())).not.toContain(true);
    expect(resumed).toBe(0);
    db.prepare('INSERT INTO notes (body) VALUES (?)').run('after the copy');
    expect(walPages()).toBeLessThan(10);
    await checkpointer.stop();
    db.close();
  });

  it('reports a worker that cannot open the database, so the caller can fall back to automatic checkpoints', async () => {
    const reasons: string[] = [];
    const checkpointer = startSqliteWalCheckpointer({
      path: join(root, 'missing', 'nothing.sqlite'),
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
