import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { z } from 'zod';

/** The shared test Postgres (`TEST_DATABASE_URL`, default the local server's `test` database, trust auth). */
export const TEST_DATABASE_URL = z
  .string()
  .min(1)
  .default('postgres://postgres@127.0.0.1:5432/test')
  .parse(process.env['TEST_DATABASE_URL'] || undefined);

/** Schemas of one test file on the shared database: each gets a unique name, and all are dropped at the end. */
export interface TestSchemas {
  admin: pg.Pool;
  /** A new schema name (the migrations create it). */
  next(): string;
  /** Drops every schema handed out and closes the admin pool. */
  dropAll(): Promise<void>;
}

/** Connects to the shared test database; never skips: an unreachable Postgres fails the file, loudly (in CI too). */
export async function openTestSchemas(url: string = TEST_DATABASE_URL): Promise<TestSchemas> {
  const admin = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5000 });
  try {
    await admin.query('SELECT 1');
  } catch (error) {
    await admin.end();
    throw new Error(
      `Postgres is unreachable at ${url.replace(/\/\/[^@/]*@/, '//…@')} (set TEST_DATABASE_URL)${process.env['CI'] ? ' — required in CI' : ''}`,
      { cause: error },
    );
  }
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const names: string[] = [];
  return {
    admin,
    next() {
      const name = `candor_t_${runId}_${names.length + 1}`;
      names.push(name);
      return name;
    },
    async dropAll() {
      if (admin.ended) return;
      for (const name of names) await admin.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      await admin.end();
    },
  };
}
