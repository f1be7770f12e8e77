import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readContentConfig } from '../config/content-config.js';
import { checkContent } from './check-content.js';
import { formatContentProblem } from './content-problem.js';

/** `npm run check:content [-- --intents <dir> --templates <dir>]`: prints every content problem and exits 1 if any. */
function main(): number {
  const { values } = parseArgs({
    options: { intents: { type: 'string' }, templates: { type: 'string' }, help: { type: 'boolean', default: false } },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write('usage: npm run check:content [-- --intents <dir> --templates <dir>]\n  prints every problem in intents/ and templates/ at once; exits 1 if there is any\n');
    return 0;
  }
  const config = readContentConfig();
  const intentsDir = resolve(values.intents ?? config.CONTENT_INTENTS_DIR);
  const templatesDir = resolve(values.templates ?? config.CONTENT_TEMPLATES_DIR);
  const problems = checkContent({ intentsDir, templatesDir });
  if (problems.length === 0) {
    process.stdout.write('content OK: no problems found\n');
    return 0;
  }
  for (const problem of problems) process.stdout.write(`${formatContentProblem(problem)}\n`);
  process.stderr.write(`${problems.length} content problem(s)\n`);
  return 1;
}

process.exitCode = main();
