import { OUT_OF_SCOPE } from '../core/ports/intent-classifier.js';
import type { IntentClassifier } from '../core/ports/intent-classifier.js';
import type { Locale } from '../core/locale.js';
import type { TrainingExample } from './training-example.js';

/** Accuracy figures of one slice of a test set; all rates are fractions in [0, 1]. */
export interface SliceFigures {
  n: number;
  inScopeAccuracy: number;
  oosRecall: number;
  oosPrecision: number;
  macroF1: number;
}

/** One intent the classifier gets wrong most, with where its lines went. */
export interface IntentConfusion {
  intent: string;
  support: number;
  recall: number;
  f1: number;
  /** Predicted intents for this intent's lines, most frequent first (mistakes only). */
  confusedWith: { intent: string; count: number }[];
}

/** Accuracy of predictions whose confidence falls in one bucket. */
export interface ReliabilityBucket {
  from: number;
  to: number;
  count: number;
  meanConfidence: number;
  accuracy: number;
}

/** The full result of evaluating a classifier on a labelled test set. */
export interface EvaluationReport extends SliceFigures {
  byLocale: Partial<Record<Locale, SliceFigures>>;
  worstIntents: IntentConfusion[];
  reliability: ReliabilityBucket[];
  /** Expected calibration error over the reliability buckets (weighted |accuracy - confidence|). */
  expectedCalibrationError: number;
  classifyP50Us: number;
  classifyP99Us: number;
}

interface Outcome {
  gold: string;
  predicted: string;
  confidence: number;
  locale: Locale | undefined;
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index] ?? 0;
}

interface ClassCounts {
  truePositive: number;
  goldCount: number;
  predictedCount: number;
}

function countByClass(outcomes: readonly Outcome[]): Map<string, ClassCounts> {
  const counts = new Map<string, ClassCounts>();
  const get = (intent: string): ClassCounts => {
    const found = counts.get(intent) ?? { truePositive: 0, goldCount: 0, predictedCount: 0 };
    counts.set(intent, found);
    return found;
  };
  for (const outcome of outcomes) {
    get(outcome.gold).goldCount += 1;
    get(outcome.predicted).predictedCount += 1;
    if (outcome.gold === outcome.predicted) get(outcome.gold).truePositive += 1;
  }
  return counts;
}

function f1Of(counts: ClassCounts): number {
  const precision = ratio(counts.truePositive, counts.predictedCount);
  const recall = ratio(counts.truePositive, counts.goldCount);
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/** Computes in-scope accuracy, out-of-scope recall and precision, and macro-F1 (over gold classes) of outcomes. */
function measureSlice(outcomes: readonly Outcome[]): SliceFigures {
  const inScope = outcomes.filter((outcome) => outcome.gold !== OUT_OF_SCOPE);
  const oos = outcomes.filter((outcome) => outcome.gold === OUT_OF_SCOPE);
  const saidOos = outcomes.filter((outcome) => outcome.predicted === OUT_OF_SCOPE);
  const counts = countByClass(outcomes);
  const goldClasses = [...counts.values()].filter((entry) => entry.goldCount > 0);
  return {
    n: outcomes.length,
    inScopeAccuracy: ratio(inScope.filter((outcome) => outcome.predicted === outcome.gold).length, inScope.length),
    oosRecall: ratio(oos.filter((outcome) => outcome.predicted === OUT_OF_SCOPE).length, oos.length),
    oosPrecision: ratio(saidOos.filter((outcome) => outcome.gold === OUT_OF_SCOPE).length, saidOos.length),
    macroF1: ratio(
      goldClasses.reduce((sum, entry) => sum + f1Of(entry), 0),
      goldClasses.length,
    ),
  };
}

function summariseConfusions(outcomes: readonly Outcome[], limit: number): IntentConfusion[] {
  const counts = countByClass(outcomes);
  const mistakes = new Map<string, Map<string, number>>();
  for (const outcome of outcomes) {
    if (outcome.gold === outcome.predicted) continue;
    const row = mistakes.get(outcome.gold) ?? new Map<string, number>();
    row.set(outcome.predicted, (row.get(outcome.predicted) ?? 0) + 1);
    mistakes.set(outcome.gold, row);
  }
  return [...counts.entries()]
    .filter(([, entry]) => entry.goldCount > 0)
    .map(([intent, entry]) => ({
      intent,
      support: entry.goldCount,
      recall: ratio(entry.truePositive, entry.goldCount),
      f1: f1Of(entry),
      confusedWith: [...(mistakes.get(intent) ?? new Map<string, number>()).entries()]
        .map(([other, count]) => ({ intent: other, count }))
        .sort((a, b) => b.count - a.count || a.intent.localeCompare(b.intent))
        .slice(0, 3),
    }))
    .sort((a, b) => a.f1 - b.f1 || a.intent.localeCompare(b.intent))
    .slice(0, limit);
}

function buildReliability(outcomes: readonly Outcome[], buckets: number): ReliabilityBucket[] {
  const rows: ReliabilityBucket[] = [];
  for (let b = 0; b < buckets; b += 1) {
    const from = b / buckets;
    const to = (b + 1) / buckets;
    const inBucket = outcomes.filter(
      (outcome) => outcome.confidence >= from && (b === buckets - 1 ? outcome.confidence <= to : outcome.confidence < to),
    );
    rows.push({
      from,
      to,
      count: inBucket.length,
      meanConfidence: ratio(
        inBucket.reduce((sum, outcome) => sum + outcome.confidence, 0),
        inBucket.length,
      ),
      accuracy: ratio(inBucket.filter((outcome) => outcome.gold === outcome.predicted).length, inBucket.length),
    });
  }
  return rows;
}

/** Options of an evaluation run. */
export interface EvaluateOptions {
  /** A monotonic clock in milliseconds (e.g. `performance.now`), used to time each classification. */
  now: () => number;
  worstIntents?: number;
  reliabilityBuckets?: number;
  /** Classify every line once untimed first, so timings show the warmed-up steady state (default true). */
  warmUp?: boolean;
}

/** Classifies every test line once, timing each call, and reports accuracy, confusions and calibration. */
export function evaluateClassifier(
  classifier: IntentClassifier,
  examples: readonly TrainingExample[],
  options: EvaluateOptions,
): EvaluationReport {
  if (options.warmUp ?? true) {
    for (const example of examples) classifier.classify(example.text, example.locale ?? 'en');
  }
  const durationsUs: number[] = [];
  const outcomes: Outcome[] = examples.map((example) => {
    const started = options.now();
    const result = classifier.classify(example.text, example.locale ?? 'en');
    durationsUs.push((options.now() - started) * 1000);
    return { gold: example.intent, predicted: result.intent, confidence: result.confidence, locale: example.locale };
  });
  durationsUs.sort((a, b) => a - b);
  const byLocale: Partial<Record<Locale, SliceFigures>> = {};
  const locales = [...new Set(outcomes.map((outcome) => outcome.locale))].filter((locale) => locale !== undefined);
  if (locales.length > 1) {
    for (const locale of locales.sort()) {
      byLocale[locale] = measureSlice(outcomes.filter((outcome) => outcome.locale === locale));
    }
  }
  const reliability = buildReliability(outcomes, options.reliabilityBuckets ?? 10);
  const expectedCalibrationError = ratio(
    reliability.reduce((sum, bucket) => sum + bucket.count * Math.abs(bucket.accuracy - bucket.meanConfidence), 0),
    outcomes.length,
  );
  return {
    ...measureSlice(outcomes),
    byLocale,
    worstIntents: summariseConfusions(outcomes, options.worstIntents ?? 10),
    reliability,
    expectedCalibrationError,
    classifyP50Us: percentile(durationsUs, 0.5),
    classifyP99Us: percentile(durationsUs, 0.99),
  };
}
