import { LOCALES } from '../core/locale.js';
import type { Locale } from '../core/locale.js';
import { OUT_OF_SCOPE } from '../core/ports/intent-classifier.js';
import { chooseOosThreshold, fitTemperature } from './calibrate-confidence.js';
import type { CalibrationPoint } from './calibrate-confidence.js';
import { featuresOf } from './classifier-core.js';
import type { ClassifierCore } from './classifier-core.js';
import type { ClassifierOptions } from './classifier-options.js';
import { createClassifierScorer } from './create-classifier-scorer.js';
import type { Scorer } from './create-classifier-scorer.js';
import { blendLinearModels } from './naive-bayes-weights.js';
import { SoftmaxModel, softmaxInPlace } from './softmax-model.js';
import type { TrainingExample } from './training-example.js';

/** How the confidence was calibrated and where the out-of-scope line was drawn. */
export interface ClassifierCalibration {
  temperature: number;
  /** Threshold on the best in-scope probability under which the answer is `oos`. */
  threshold: number;
  /** Per-locale thresholds when the calibration set had enough lines of that locale. */
  localeThresholds: Partial<Record<Locale, number>>;
  /** Where the figures came from: a given calibration set, or lines held out of training. */
  source: 'calibration-set' | 'held-out-training';
  calibrationLines: number;
  /**
   * Temperatures the linear model, naive Bayes and the network were divided by before they were
   * added with their weights (absent with neither naive Bayes nor a network).
   */
  blend?:
    | {
        linearTemperature: number;
        naiveBayesTemperature: number;
        naiveBayesWeight: number;
        networkTemperature?: number | undefined;
        networkWeight?: number | undefined;
      }
    | undefined;
  /** The score the threshold applies to (absent: the best in-scope probability). */
  thresholdScore?: 'in-scope-against-oos' | undefined;
}

type Blend = NonNullable<ClassifierCalibration['blend']>;

/** Fits the temperatures of the linear model, naive Bayes and the network on calibration lines (undefined with neither of the last two). */
function fitBlend(core: ClassifierCore, examples: readonly TrainingExample[], options: ClassifierOptions): Blend | undefined {
  const { naiveBayes, network } = core;
  if (naiveBayes === null && network === null) return undefined;
  const labelIndex = new Map(core.labels.map((label, i) => [label, i]));
  const known = examples.filter((example) => labelIndex.has(example.intent));
  const labels = known.map((example) => labelIndex.get(example.intent) as number);
  const vectors = known.map((example) => featuresOf(core, example.text));
  return {
    linearTemperature: fitTemperature(vectors.map((vector) => core.model.logits(vector)), labels),
    naiveBayesTemperature: naiveBayes === null ? 1 : fitTemperature(vectors.map((vector) => naiveBayes.logits(vector)), labels),
    naiveBayesWeight: naiveBayes === null ? 0 : options.naiveBayesWeight,
    ...(network === null
      ? {}
      : { networkTemperature: fitTemperature(vectors.map((vector) => network.logits(vector)), labels), networkWeight: options.networkWeight }),
  };
}

/**
 * Folds naive Bayes into the linear model with the fitted blend, so classifying costs one linear
 * model, and sets the factor of the network's scores.
 */
export function applyBlend(core: ClassifierCore, blend: Blend | undefined): ClassifierCore {
  if (blend === undefined) return { ...core, naiveBayes: null };
  const parts = [{ state: core.model.toState(), factor: 1 / blend.linearTemperature }];
  if (core.naiveBayes !== null) parts.push({ state: core.naiveBayes.toState(), factor: blend.naiveBayesWeight / blend.naiveBayesTemperature });
  const networkFactor = core.network === null ? 0 : (blend.networkWeight ?? 0) / (blend.networkTemperature ?? 1);
  return { ...core, model: new SoftmaxModel(blendLinearModels(parts)), naiveBayes: null, networkFactor };
}

/** The score an out-of-scope threshold is compared with (lower means more likely out of scope). */
export function thresholdScoreOf(bestInScope: number, oosProbability: number, kind: ClassifierCalibration['thresholdScore']): number {
  if (kind !== 'in-scope-against-oos') return bestInScope;
  const sum = bestInScope + oosProbability;
  return sum > 0 ? bestInScope / sum : 0;
}

function bestInScope(probabilities: Float64Array, oosIndex: number): number {
  let best = -1;
  for (let c = 0; c < probabilities.length; c += 1) {
    if (c === oosIndex) continue;
    if (best < 0 || probabilities[c]! > probabilities[best]!) best = c;
  }
  return best;
}

function calibrate(
  core: ClassifierCore,
  score: Scorer,
  examples: readonly TrainingExample[],
  options: ClassifierOptions,
  source: ClassifierCalibration['source'],
): ClassifierCalibration {
  const labelIndex = new Map(core.labels.map((label, i) => [label, i]));
  const oosIndex = labelIndex.get(OUT_OF_SCOPE) ?? -1;
  const logits = examples.map((example) => score(example.text, new Float64Array(core.labels.length)));
  const thresholdScore = options.thresholdScore === 'in-scope-against-oos' ? options.thresholdScore : undefined;
  // Temperature is fitted on lines whose label the model knows (all of them when `oos` was trained).
  const known = examples.map((example, i) => ({ i, label: labelIndex.get(example.intent) })).filter((row) => row.label !== undefined);
  const temperature = fitTemperature(
    known.map((row) => logits[row.i] as Float64Array),
    known.map((row) => row.label as number),
  );
  const points: (CalibrationPoint & { locale: Locale | undefined })[] = examples.map((example, i) => {
    const probabilities = softmaxInPlace(Float64Array.from(logits[i] as Float64Array), temperature);
    const best = bestInScope(probabilities, oosIndex);
    let top = 0;
    for (let c = 1; c < probabilities.length; c += 1) if (probabilities[c]! > probabilities[top]!) top = c;
    return {
      bestInScopeProbability: thresholdScoreOf(probabilities[best] ?? 0, oosIndex >= 0 ? (probabilities[oosIndex] ?? 0) : 0, thresholdScore),
      isBestInScopeCorrect: core.labels[best] === example.intent,
      isOosTop: top === oosIndex,
      isOos: example.intent === OUT_OF_SCOPE,
      locale: example.locale,
    };
  });
  const threshold = chooseOosThreshold(points, options.maxInScopeAccuracyLoss).threshold;
  const localeThresholds: Partial<Record<Locale, number>> = {};
  for (const locale of LOCALES) {
    const ofLocale = points.filter((point) => point.locale === locale);
    const oosLines = ofLocale.filter((point) => point.isOos).length;
    if (oosLines >= options.minLinesPerLocaleThreshold && ofLocale.length - oosLines >= options.minLinesPerLocaleThreshold) {
      localeThresholds[locale] = chooseOosThreshold(ofLocale, options.maxInScopeAccuracyLoss).threshold;
    }
  }
  return { temperature, threshold, localeThresholds, source, calibrationLines: examples.length, ...(thresholdScore === undefined ? {} : { thresholdScore }) };
}

/** Blends (with naive Bayes or a network) and calibrates a fitted core on the given lines. */
export function blendAndCalibrate(
  core: ClassifierCore,
  examples: readonly TrainingExample[],
  options: ClassifierOptions,
  source: ClassifierCalibration['source'],
): { core: ClassifierCore; score: Scorer; calibration: ClassifierCalibration } {
  const blend = fitBlend(core, examples, options);
  const blended = applyBlend(core, blend);
  const score = createClassifierScorer(blended);
  const calibration = calibrate(blended, score, examples, options, source);
  return { core: blended, score, calibration: blend === undefined ? calibration : { ...calibration, blend } };
}
