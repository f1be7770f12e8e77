import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PostgresConversationLock } from '../../src/storage/postgres/postgres-conversation-lock.js';

const url = z
  .string()
  .min(1)
  .default('postgres://postgres@127.0.0.1:5432/test')
  .parse(process.env['TEST_DATABASE_URL'] || undefined);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PostgresConversationLock', () => {
  const locks: PostgresConversationLock[] = [];
  /** Each lock has its own pool, like a separate Candor instance. */
  const anInstance = (waitMs?: number): PostgresConversationLock => {
    const lock = new PostgresConversationLock({ connectionString: url, poolMax: 3, ...(waitMs ? { waitMs } : {}) });
    locks.push(lock);
    return lock;
  };
  const conversation = (name: string) => `${name}-${process.pid}-${Math.random().toString(36).slice(2)}`;

  afterEach(async () => {
    await Promise.all(locks.splice(0).map((lock) => lock.close()));
  });

  /** Runs `work` under the lock and records when it held it. */
  async function timed(lock: PostgresConversationLock, id: string, holdMs: number, log: Array<[string, number, number]>, tag: string) {
    return lock.withLock(id, async () => {
      const start = performance.now();
      await sleep(holdMs);
      log.push([tag, start, performance.now()]);
      return tag;
    });
  }

  it('runs the turns of one conversation one at a time across instances', async () => {
    const [a, b] = [anInstance(), anInstance()];
    const id = conversation('same');
    const log: Array<[string, number, number]> = [];
    const results = await Promise.all([
      timed(a, id, 120, log, 'a1'),
      timed(b, id, 120, log, 'b1'),
      timed(a, id, 60, log, 'a2'),
      timed(b, id, 60, log, 'b2'),
    ]);
    expect(results).toEqual(['a1', 'b1', 'a2', 'b2']);
    const spans = [...log].sort((x, y) => x[1] - y[1]);
    for (let i = 1; i < spans.length; i += 1) expect(spans[i]![1]).toBeGreaterThanOrEqual(spans[i - 1]![2]);
  });

  it('lets different conversations run at the same time', async () => {
    const [a, b] = [anInstance(), anInstance()];
    const log: Array<[string, number, number]> = [];
    await Promise.all([timed(a, conversation('x'), 200, log, 'x'), timed(b, conversation('y'), 200, log, 'y')]);
    const [first, second] = [...log].sort((x, y) => x[1] - y[1]);
    expect(second![1]).toBeLessThan(first![2]);
  });

  it('releases the lock when the work throws', async () => {
    const [a, b] = [anInstance(), anInstance(500)];
    const id = conversation('throws');
    await expect(a.withLock(id, async () => Promise.reject(new Error('turn failed')))).rejects.toThrow('turn failed');
    await expect(b.withLock(id, async () => 'next turn')).resolves.toBe('next turn');
  });

  it('fails with conversation_busy when another instance holds the conversation too long', async () => {
    const [holder, waiter] = [anInstance(), anInstance(150)];
    const id = conversation('busy');
    let release: () => void = () => undefined;
    const held = holder.withLock(id, () => new Promise<void>((resolve) => (release = resolve)));
    try {
      await sleep(50);
      await expect(waiter.withLock(id, async () => 'never')).rejects.toMatchObject({ name: 'CandorError', code: 'conversation_busy' });
    } finally {
      release();
      await held;
    }
    await expect(waiter.withLock(id, async () => 'after')).resolves.toBe('after');
  });
});
