import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { asCandorError } from '../core/candor-error.js';
import { evaluateClassifier } from './evaluate-classifier.js';
import type { EvaluationReport, SliceFigures } from './evaluate-classifier.js';
import { loadExamplesFile, loadIntentExamples } from './load-training-examples.js';
import { PROJECT_CLASSIFIER_OPTIONS } from './load-or-train-project-classifier.js';
import { trainIntentClassifier } from './train-intent-classifier.js';
import { loadWinkEmbeddings } from './parse-wink-embeddings.js';
import { createUtteranceTokenizer } from './tokenize-utterance.js';
import type { WordEmbeddings } from './word-embeddings.js';
import type { TrainedClassifier } from './build-trained-classifier.js';
import type { ClassifierOptionsInput } from './classifier-options.js';
import type { TrainingExample } from './training-example.js';

const USAGE =
  'usage: npm run eval:nlu -- --train <file.jsonl|intents> --test <file.jsonl> [--val <file.jsonl>] [--intents-dir intents] [--embeddings on|off] [--json]';

/**
 * Model settings for a JSON-lines dataset such as CLINC150, chosen on the two halves of CLINC150's
 * val split: the defaults plus a dense block of word embeddings (mean of unit word vectors, scale
 * 1.5), a one-hidden-layer network (128 ReLU units, 10 epochs) added to the linear model with equal
 * weight, and the out-of-scope threshold drawn on the in-scope share against `oos` with at most
 * 0.4 points of in-scope accuracy given up on the calibration lines.
 */
export const DATASET_CLASSIFIER_OPTIONS: ClassifierOptionsInput = {
  embeddingScale: 1.5,
  networkWeight: 1,
  network: { hiddenUnits: 128, epochs: 10, learningRate: 0.1, dropout: 0.2 },
  thresholdScore: 'in-scope-against-oos',
  maxInScopeAccuracyLoss: 0.004,
};

/** How many of the most frequent embedding words are kept besides the training words (for unseen words). */
export const EMBEDDING_TOP_WORDS = 20_000;

/** The JSON object printed as the last line with `--json`; rates are fractions in [0, 1], times in ms/µs as named. */
export interface EvalNluSummary extends SliceFigures {
  /** Training time, loading the word embeddings included. */
  trainMs: number;
  /** Time to read the word embeddings (part of `trainMs`), and words kept; 0 without embeddings. */
  embeddingLoadMs: number;
  embeddingWords: number;
  classifyP50Us: number;
  classifyP99Us: number;
  threshold: number;
  localeThresholds: Record<string, number>;
  temperature: number;
  calibration: string;
  trainLines: number;
  labels: number;
  expectedCalibrationError: number;
  byLocale: EvaluationReport['byLocale'];
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

function describeSlice(name: string, figures: SliceFigures): string {
  return `${name}: n=${figures.n}  in-scope accuracy ${percent(figures.inScopeAccuracy)}  oos recall ${percent(figures.oosRecall)}  oos precision ${percent(figures.oosPrecision)}  macro-F1 ${percent(figures.macroF1)}`;
}

/** Formats the human-readable part of the report. */
export function formatReport(report: EvaluationReport, classifier: TrainedClassifier, trainMs: number): string {
  const lines: string[] = [];
  const { calibration } = classifier;
  lines.push(describeSlice('all', report));
  for (const [locale, figures] of Object.entries(report.byLocale)) lines.push(describeSlice(`  ${locale}`, figures));
  const localeThresholds = Object.entries(calibration.localeThresholds)
    .map(([locale, value]) => `${locale} ${value.toFixed(3)}`)
    .join(', ');
  lines.push(
    `training ${trainMs.toFixed(0)} ms (word embeddings included); classify p50 ${report.classifyP50Us.toFixed(1)} µs, p99 ${report.classifyP99Us.toFixed(1)} µs`,
    `calibration (${calibration.source}, ${calibration.calibrationLines} lines): temperature ${calibration.temperature.toFixed(3)}, oos threshold ${calibration.threshold.toFixed(3)}${localeThresholds === '' ? '' : ` (${localeThresholds})`}`,
    '',
    'worst intents (F1, recall, main confusions):',
  );
  for (const row of report.worstIntents) {
    const confusions = row.confusedWith.map((other) => `${other.intent}×${other.count}`).join(', ');
    lines.push(`  ${row.intent.padEnd(28)} F1 ${percent(row.f1).padStart(7)}  recall ${percent(row.recall).padStart(7)}  n=${row.support}  → ${confusions || '-'}`);
  }
  lines.push('', `reliability (accuracy by confidence bucket; ECE ${percent(report.expectedCalibrationError)}):`);
  for (const bucket of report.reliability) {
    if (bucket.count === 0) continue;
    lines.push(
      `  ${bucket.from.toFixed(1)}–${bucket.to.toFixed(1)}  n=${String(bucket.count).padStart(5)}  mean confidence ${percent(bucket.meanConfidence).padStart(7)}  accuracy ${percent(bucket.accuracy).padStart(7)}`,
    );
  }
  return lines.join('\n');
}

/** Runs the evaluation described by command-line arguments and returns the text to print. */
export async function runEvalNlu(argv: readonly string[], cwd: string): Promise<{ output: string; summary: EvalNluSummary }> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      train: { type: 'string' },
      test: { type: 'string' },
      val: { type: 'string' },
      'intents-dir': { type: 'string', default: 'intents' },
      json: { type: 'boolean', default: false },
      embeddings: { type: 'string', default: 'on' },
    },
    strict: true,
  });
  if (values.train === undefined || values.test === undefined) throw new Error(USAGE);
  if (values.embeddings !== 'on' && values.embeddings !== 'off') throw new Error(USAGE);
  const isProject = values.train === 'intents';
  let options: ClassifierOptionsInput | undefined;
  let train: TrainingExample[];
  let valFile = values.val;
  if (isProject) {
    train = (await loadIntentExamples(resolve(cwd, values['intents-dir']))).examples;
    options = PROJECT_CLASSIFIER_OPTIONS;
    const defaultVal = resolve(cwd, 'fixtures/nlu/candor-val.jsonl');
    if (valFile === undefined && existsSync(defaultVal)) valFile = defaultVal;
  } else {
    train = await loadExamplesFile(resolve(cwd, values.train));
    if (values.embeddings === 'on') options = DATASET_CLASSIFIER_OPTIONS;
  }
  const calibrationExamples = valFile === undefined ? undefined : await loadExamplesFile(resolve(cwd, valFile));
  const test = await loadExamplesFile(resolve(cwd, values.test));

  const started = performance.now();
  let embeddings: WordEmbeddings | undefined;
  if ((options?.embeddingScale ?? 0) > 0) {
    // Only the training lines' words and the most frequent words: test lines must not pick the vocabulary.
    const tokenizer = createUtteranceTokenizer();
    const words = new Set(train.flatMap((example) => tokenizer.tokenize(example.text).words));
    embeddings = await loadWinkEmbeddings({ words, topWords: EMBEDDING_TOP_WORDS });
  }
  const embeddingLoadMs = embeddings === undefined ? 0 : performance.now() - started;
  const classifier = trainIntentClassifier(train, { options, calibrationExamples, embeddings });
  const trainMs = performance.now() - started;
  const report = evaluateClassifier(classifier, test, { now: () => performance.now() });
  const summary: EvalNluSummary = {
    n: report.n,
    inScopeAccuracy: report.inScopeAccuracy,
    oosRecall: report.oosRecall,
    oosPrecision: report.oosPrecision,
    macroF1: report.macroF1,
    trainMs: Math.round(trainMs),
    embeddingLoadMs: Math.round(embeddingLoadMs),
    embeddingWords: embeddings?.size ?? 0,
    classifyP50Us: Number(report.classifyP50Us.toFixed(1)),
    classifyP99Us: Number(report.classifyP99Us.toFixed(1)),
    threshold: classifier.calibration.threshold,
    localeThresholds: { ...classifier.calibration.localeThresholds },
    temperature: classifier.calibration.temperature,
    calibration: classifier.calibration.source,
    trainLines: train.length,
    labels: classifier.labels.length,
    expectedCalibrationError: report.expectedCalibrationError,
    byLocale: report.byLocale,
  };
  const text = formatReport(report, classifier, trainMs);
  return { output: values.json ? `${text}\n${JSON.stringify(summary)}` : text, summary };
}

async function main(): Promise<void> {
  if (parseArgs({ args: process.argv.slice(2), options: { help: { type: 'boolean' } }, strict: false }).values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  try {
    const { output } = await runEvalNlu(process.argv.slice(2), process.cwd());
    process.stdout.write(`${output}\n`);
  } catch (error) {
    const candorError = asCandorError(error);
    process.stderr.write(`eval:nlu failed: ${candorError.message}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href) {
  await main();
}
