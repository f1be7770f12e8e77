import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { buildCandor, loadConfigOrExit } from '../main.js';
import { dialogueSetSchema, evaluateDialogues } from './evaluate-dialogues.js';

const usage = `Usage: npm run eval:dialogues -- [--file fixtures/dialogues/held-out.yaml] [--json]

Plays each multi-turn dialogue through the whole turn (NLU, dialogue policy, the embedded decision
engine, the composer) on a throw-away in-memory store, and reports the share of turns that get the
expected intent and exactly the expected reasons, in order.`;

const { values } = parseArgs({
  options: {
    file: { type: 'string', default: 'fixtures/dialogues/held-out.yaml' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

const parsed = dialogueSetSchema.safeParse(parse(readFileSync(values.file, 'utf8')));
if (!parsed.success) {
  process.stderr.write(`${values.file} is not a dialogue set:\n${parsed.error.message}\n`);
  process.exit(2);
}

// The evaluation writes conversations; it never touches the configured database.
process.env.SQLITE_PATH = ':memory:';
delete process.env.DATABASE_URL;
const candor = await buildCandor(loadConfigOrExit({ quiet: true }));
try {
  const evaluation = await evaluateDialogues(candor.turns, parsed.data, `eval:${randomUUID().slice(0, 8)}`);
  if (!values.json) {
    for (const miss of evaluation.misses) {
      process.stdout.write(
        `miss ${miss.dialogue} turn ${miss.turn} ${JSON.stringify(miss.say)}: expected ${miss.expected.intent} ${JSON.stringify(miss.expected.reasonsShown)}, got ${miss.got.intent} ${JSON.stringify(miss.got.reasonsShown)} (${miss.got.act})\n`,
      );
    }
    process.stdout.write(
      `${evaluation.correct}/${evaluation.turns} turns right (${(evaluation.accuracy * 100).toFixed(1)} %) in ${evaluation.dialogues} dialogues; intent alone ${(evaluation.intentAccuracy * 100).toFixed(1)} %; en ${(evaluation.byLocale.en.accuracy * 100).toFixed(1)} %, zh-CN ${(evaluation.byLocale['zh-CN'].accuracy * 100).toFixed(1)} %\n`,
    );
  }
  process.stdout.write(`${JSON.stringify(values.json ? evaluation : { ...evaluation, misses: evaluation.misses.length })}\n`);
} finally {
  await candor.close();
}
