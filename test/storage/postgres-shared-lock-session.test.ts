import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresConversationLock } from '../../src/storage/postgres/postgres-conversation-lock.js';
import { TEST_DATABASE_URL } from '../support/postgres-test-database.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const conversation = (name: string) => `${name}-${process.pid}-${Math.random().toString(36).slice(2)}`;

let admin: pg.Pool;
const locks: PostgresConversationLock[] = [];

beforeAll(() => {
  admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
});

afterEach(async () => {
  await Promise.all(locks.splice(0).map((lock) => lock.close()));
});

afterAll(async () => {
  await admin.end();
});

/** Each lock has its own pool, like a separate Candor instance; `application_name` tells its connections apart. */
function anInstance(poolMax = 3, waitMs?: number): PostgresConversationLock {
  const lock = new PostgresConversationLock({ connectionString: TEST_DATABASE_URL, poolMax, ...(waitMs ? { waitMs } : {}) });
  locks.push(lock);
  return lock;
}

/** Advisory locks of Candor's namespace held right now, by backend pid. */
async function heldLocksByBackend(): Promise<Map<number, number>> {
  const { rows } = await admin.query(
    `SELECT pid, count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND granted GROUP BY pid`,
    [0x43616e64],
  );
  return new Map(rows.map((row) => [Number(row.pid), Number(row.n)]));
}

describe('conversation locks on one shared connection', () => {
  it('holds the locks of many conversations at once on one connection, beyond the size of the pool', async () => {
    const lock = anInstance(3);
    const before = await heldLocksByBackend();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    const turns = Array.from({ length: 20 }, (_, index) =>
      lock.withLock(conversation(`many-${index}`), async () => {
        running += 1;
        await gate;
      }),
    );
    for (let waited = 0; running < 20 && waited < 2000; waited += 20) await sleep(20);
    expect(running).toBe(20);
    const during = await heldLocksByBackend();
    const added = [...during].filter(([pid, count]) => count > (before.get(pid) ?? 0));
    expect(added).toHaveLength(1);
    expect(added[0]![1] - (before.get(added[0]![0]) ?? 0)).toBe(20);
    release();
    await Promise.all(turns);
  });

  it('after the shared connection is lost, its locks are free and the next turns lock on a new connection', async () => {
    const [a, b] = [anInstance(3), anInstance(3, 2000)];
    const id = conversation('lost');
    await a.withLock(id, async () => {
      const { rows } = await admin.query(
        `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = hashtext($2)::oid AND granted`,
        [0x43616e64, id],
      );
      expect(rows).toHaveLength(1);
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      // Lost with its connection: another instance may take the conversation now.
      await expect(b.withLock(id, async () => 'b meanwhile')).resolves.toBe('b meanwhile');
    });
    await expect(a.withLock(id, async () => 'a again')).resolves.toBe('a again');
    await expect(b.withLock(id, async () => 'b again')).resolves.toBe('b again');
  });

  it('a conversation held elsewhere makes the turn wait on a dedicated connection, then run', async () => {
    const [holder, waiter] = [anInstance(3), anInstance(3, 3000)];
    const id = conversation('held');
    const order: string[] = [];
    let release: () => void = () => undefined;
    const held = holder.withLock(id, async () => {
      order.push('holder');
      await new Promise<void>((resolve) => (release = resolve));
      order.push('holder done');
    });
    await sleep(50);
    const waiting = waiter.withLock(id, async () => order.push('waiter'));
    await sleep(100);
    expect(order).toEqual(['holder']);
    release();
    await Promise.all([held, waiting]);
    expect(order).toEqual(['holder', 'holder done', 'waiter']);
  });
});
