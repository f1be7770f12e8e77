import { buildOperationsReport } from './build-operations-report.js';
import { formatOperationsReport } from './format-operations-report.js';
import { exitWithUsage, parseCliArgs } from './operations-cli-kit.js';
import { parseReportRange } from './parse-report-range.js';

const USAGE = 'usage: npm run report -- [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--top N] [--json]   (to is inclusive; default: the last OPS_DEFAULT_DAYS days)';

const args = parseCliArgs(process.argv.slice(2), { from: { type: 'string' }, to: { type: 'string' }, top: { type: 'string' }, json: { type: 'boolean', default: false } }, USAGE);
// Loaded after the arguments are read, so --help and usage errors answer without opening the store.
const { openOperationsStore } = await import('../bootstrap/open-operations-store.js');
const top = args.top === undefined ? 10 : Number(args.top);
if (!Number.isInteger(top) || top < 1 || top > 1000) exitWithUsage('--top must be an integer from 1 to 1000', USAGE);
const candor = await openOperationsStore();
const operations = candor.config.operations;
try {
  const range = parseReportRange({ from: args.from, to: args.to }, candor.clock.now(), operations.OPS_DEFAULT_DAYS);
  if (!range.ok) exitWithUsage(range.problem, USAGE);
  const report = await buildOperationsReport(candor.store, range.range, { top });
  process.stdout.write(args.json ? `${JSON.stringify(report)}\n` : formatOperationsReport(report));
} finally {
  await candor.close();
}
