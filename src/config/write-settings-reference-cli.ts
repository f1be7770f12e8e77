import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { asCandorError } from '../core/candor-error.js';
import { readSettingsReference, renderSettingsReference, replaceSettingsBlock } from './settings-reference.js';

const USAGE = `usage: npm run docs:settings [-- --check] [--file docs/operations.md]
  writes the table of every setting (from the zod schemas in src/config/ and their comments) between the
  settings markers of the operations guide; --check only says whether it is up to date (exit 1 if not)
`;

/** `npm run docs:settings`: regenerates (or checks) the settings table of the operations guide. */
function main(): number {
  const { values } = parseArgs({
    options: { check: { type: 'boolean', default: false }, file: { type: 'string', default: 'docs/operations.md' }, help: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const file = resolve(values.file);
  const current = readFileSync(file, 'utf8');
  const updated = replaceSettingsBlock(current, renderSettingsReference(readSettingsReference(process.cwd())));
  if (values.check) {
    process.stdout.write(updated === current ? `${values.file}: settings table up to date\n` : `${values.file}: settings table is stale; run npm run docs:settings\n`);
    return updated === current ? 0 : 1;
  }
  if (updated !== current) writeFileSync(file, updated);
  process.stdout.write(`${values.file}: settings table ${updated === current ? 'already up to date' : 'written'}\n`);
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  process.stderr.write(`docs:settings failed: ${asCandorError(error).message}\n${USAGE}`);
  process.exitCode = 1;
}
