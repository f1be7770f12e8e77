import { parseCliArgs } from './operations-cli-kit.js';
import { formatRetentionOutcome, runRetention } from './run-retention.js';

const USAGE = 'usage: npm run retention -- [--json]   (uses TRANSCRIPT_RETENTION_DAYS and AUDIT_RETENTION_DAYS)';

const args = parseCliArgs(process.argv.slice(2), { json: { type: 'boolean', default: false } }, USAGE);
// Loaded after the arguments are read, so --help and usage errors answer without opening the store.
const { openOperationsStore } = await import('../bootstrap/open-operations-store.js');
const candor = await openOperationsStore();
const operations = candor.config.operations;
try {
  const outcome = await runRetention({
    store: candor.store,
    clock: candor.clock,
    ids: candor.ids,
    policy: { transcriptDays: operations.TRANSCRIPT_RETENTION_DAYS, auditDays: operations.AUDIT_RETENTION_DAYS },
    logger: candor.logger,
  });
  process.stdout.write(args.json ? `${JSON.stringify(outcome)}\n` : formatRetentionOutcome(outcome));
} finally {
  await candor.close();
}
