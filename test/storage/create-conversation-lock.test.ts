import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { storageConfigSchema } from '../../src/config/storage-config.js';
import { createConversationLock } from '../../src/storage/create-conversation-lock.js';
import { PostgresConversationLock } from '../../src/storage/postgres/postgres-conversation-lock.js';

const url = z
  .string()
  .min(1)
  .default('postgres://postgres@127.0.0.1:5432/test')
  .parse(process.env['TEST_DATABASE_URL'] || undefined);

describe('createConversationLock', () => {
  it('serialises one conversation in process when there is no DATABASE_URL', async () => {
    const lock = createConversationLock(storageConfigSchema.parse({}));
    const order: string[] = [];
    const turn = (tag: string, ms: number) =>
      lock.withLock('conv-1', async () => {
        order.push(`${tag} start`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        order.push(`${tag} end`);
      });
    await Promise.all([turn('a', 40), turn('b', 1)]);
    expect(order).toEqual(['a start', 'a end', 'b start', 'b end']);
    await lock.close();
  });

  it('locks in Postgres when DATABASE_URL is set', async () => {
    const lock = createConversationLock(storageConfigSchema.parse({ DATABASE_URL: url, CONVERSATION_LOCK_TIMEOUT_MS: '2000' }));
    try {
      expect(lock).toBeInstanceOf(PostgresConversationLock);
      await expect(lock.withLock('conv-1', async () => 42)).resolves.toBe(42);
    } finally {
      await lock.close();
    }
  });
});
