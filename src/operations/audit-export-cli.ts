import { createWriteStream } from 'node:fs';
import type { ExplanationQuery } from '../core/ports/conversation-store.js';
import { AUDIT_AUDIENCES, exportAuditRecords, type AuditAudience } from './export-audit-records.js';
import { exitWithUsage, parseCliArgs } from './operations-cli-kit.js';
import { parseReportRange } from './parse-report-range.js';

const USAGE = [
  'usage: npm run audit:export -- --customer ID [--out FILE]',
  '       npm run audit:export -- --for compliance (--customer ID | --from YYYY-MM-DD --to YYYY-MM-DD) [--out FILE]',
  '  --for customer    (default) the customer\'s copy: what they were told — the text, the reasons as they read them,',
  '                    the decision, the time; no reason codes, no suppressed or restricted reasons, no internal fields',
  '  --for compliance  every field of the audit record, suppressed and restricted codes included, with the text',
  '  JSON lines, oldest first; stdout by default, --out writes a file readable by its owner only',
].join('\n');

const args = parseCliArgs(
  process.argv.slice(2),
  { customer: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, for: { type: 'string', default: 'customer' } },
  USAGE,
);
const audience = args.for as AuditAudience;
if (!AUDIT_AUDIENCES.includes(audience)) exitWithUsage(`--for must be customer or compliance, got "${args.for}"`, USAGE);
const hasRange = args.from !== undefined || args.to !== undefined;
if ((args.customer === undefined) === !hasRange) exitWithUsage('give either --customer ID or --from and --to', USAGE);
if (hasRange && (args.from === undefined || args.to === undefined)) exitWithUsage('--from and --to go together', USAGE);
if (hasRange && audience === 'customer') exitWithUsage('a customer\'s copy is for one customer (--customer ID); a period export needs --for compliance', USAGE);
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
  const count = await exportAuditRecords(candor.store, query, audience, (line) => out.write(line));
  if (out !== process.stdout) await new Promise<void>((resolve, reject) => (out as ReturnType<typeof createWriteStream>).end((error?: Error | null) => (error ? reject(error) : resolve())));
  process.stderr.write(`${count} explanation record(s) exported for ${audience === 'customer' ? 'the customer' : 'compliance'}\n`);
} finally {
  await candor.close();
}
