import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';
import { copySqliteToPostgres } from './copy-sqlite-to-postgres.js';

const USAGE =
  'usage: npm run db:copy-sqlite-to-postgres -- [--from data/candor.sqlite] [--json]\n' +
  '  copies into DATABASE_URL (postgres://…) and DATABASE_SCHEMA; safe to run again (rows already there are skipped)';

function fail(problem: string, code: number): never {
  process.stderr.write(`${problem}\n${USAGE}\n`);
  process.exit(code);
}

let args: { from?: string | undefined; json?: boolean | undefined; help?: boolean | undefined };
try {
  args = parseArgs({ args: process.argv.slice(2), options: { from: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } }, strict: true }).values;
} catch (error) {
  fail(error instanceof Error ? error.message : String(error), 2);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const loaded = loadConfig();
if (!loaded.ok) fail(`invalid settings\n${loaded.problems}`, 1);
const storage = loaded.config.storage;
if (storage.DATABASE_URL === undefined) fail('DATABASE_URL must name the Postgres database to copy into', 2);
const from = args.from ?? storage.SQLITE_PATH;
if (from === ':memory:' || !existsSync(from)) fail(`no SQLite file at ${from}`, 2);

try {
  const report = await copySqliteToPostgres({ from, to: storage.DATABASE_URL, schema: storage.DATABASE_SCHEMA });
  if (args.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    process.stdout.write(`Copied ${from} into Postgres schema ${storage.DATABASE_SCHEMA}:\n`);
    for (const [table, counts] of Object.entries(report)) process.stdout.write(`  ${table.padEnd(20)} ${counts.read} read, ${counts.inserted} new\n`);
  }
} catch (error) {
  // The message names the step; the cause (a driver error) may carry connection details, so it is not printed.
  fail(`copy failed: ${error instanceof Error ? error.message : String(error)}`, 1);
}
