import { formatForgetOutcome, forgetCustomer } from './forget-customer.js';
import { exitWithUsage, parseCliArgs } from './operations-cli-kit.js';

const USAGE = 'usage: npm run forget -- --customer ID [--json]';

const args = parseCliArgs(process.argv.slice(2), { customer: { type: 'string' }, json: { type: 'boolean', default: false } }, USAGE);
// Loaded after the arguments are read, so --help and usage errors answer without opening the store.
const { openOperationsStore } = await import('../bootstrap/open-operations-store.js');
const customerId = args.customer?.trim() ?? '';
if (customerId === '') exitWithUsage('--customer ID is required', USAGE);
const candor = await openOperationsStore();
const operations = candor.config.operations;
try {
  const outcome = await forgetCustomer({ store: candor.store, clock: candor.clock, ids: candor.ids, auditDays: operations.AUDIT_RETENTION_DAYS, customerId });
  process.stdout.write(args.json ? `${JSON.stringify({ ...outcome.result, kept: outcome.kept })}\n` : formatForgetOutcome(outcome));
} finally {
  await candor.close();
}
