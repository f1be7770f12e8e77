import { createWriteStream } from 'node:fs';
import type { ExplanationQuery } from '../core/ports/conversation-store.js';
import { exportAuditRecords } from './export-audit-records.js';
import { exitWithUsage, parseCliArgs } from './operations-cli-kit.js';
import { parseReportRange } from './parse-report-range.js';

const USAGE = 'usage: npm run audit:export -- (--customer ID | --from YYYY-MM-DD --to YYYY-MM-DD) [--out FILE]   (JSON lines; stdout by default)';

const args = parseCliArgs(process.argv.slice(2), { customer: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } }, USAGE);
const hasRange = args.from !== undefined || args.to !== undefined;
if ((args.customer === undefined) === !hasRange) exitWithUsage('give either --customer ID or --from and --to', USAGE);
if (hasRange && (args.from === undefined || args.to === undefined)) exitWithUsage('--from and --to go together', USAGE);
if (args.customer !== undefined && args.customer.trim() === '') exitWithUsage('--customer must not be empty', USAGE);
// Loaded after the arguments are read, so --help and usage errors answer without opening the store.
const { openOperationsStore } = await import('../bootstrap/open-operations-store.js');
const candor = await openOperationsStore();
try {
  let query: ExplanationQuery = { customerId: args.customer?.trim() };
  if (hasRange) {
    const range = parseReportRange({ from: args.from, to: args.to }, candor.clock.now(), 30);
    if (!range.ok) exitWithUsage(range.problem, USAGE);
    query = { from: range.range.from, to: range.range.to };
  }
  const out = args.out === undefined ? process.stdout : createWriteStream(args.out, { flags: 'w', mode: 0o600 });
  const count = await exportAuditRecords(candor.store, query, (line) => out.write(line));
  if (out !== process.stdout) await new Promise<void>((resolve, reject) => (out as ReturnType<typeof createWriteStream>).end((error?: Error | null) => (error ? reject(error) : resolve())));
  process.stderr.write(`${count} explanation record(s) exported\n`);
} finally {
  await candor.close();
}
