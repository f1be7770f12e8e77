import { OUT_OF_SCOPE } from '../core/ports/intent-classifier.js';
import type { Classification, IntentClassifier, ScoredIntent } from '../core/ports/intent-classifier.js';
import type { Locale } from '../core/locale.js';
import { thresholdScoreOf } from './blend-and-calibrate.js';
import type { ClassifierCalibration } from './blend-and-calibrate.js';
import type { ClassifierCore } from './classifier-core.js';
import { snapshotOf } from './classifier-snapshot.js';
import type { ClassifierSnapshot } from './classifier-snapshot.js';
import { createClassifierScorer } from './create-classifier-scorer.js';
import type { Scorer } from './create-classifier-scorer.js';
import { softmaxInPlace } from './softmax-model.js';

/** An `IntentClassifier` with its labels, calibration and a way to save it. */
export interface TrainedClassifier extends IntentClassifier {
  readonly labels: readonly string[];
  readonly calibration: ClassifierCalibration;
  /** Calibrated probabilities of every label (including `oos` when it was trained), in `labels` order. */
  probabilities(text: string): Float64Array;
  toSnapshot(): ClassifierSnapshot;
}

const RUNNERS_UP = 3;

/** The `count` most probable in-scope labels, best first (ties by label order), without sorting every class. */
function topInScope(scores: Float64Array, oosIndex: number, labels: readonly string[], count: number): ScoredIntent[] {
  const picked: number[] = [];
  for (let c = 0; c < scores.length; c += 1) {
    if (c === oosIndex) continue;
    const score = scores[c]!;
    if (picked.length === count && score <= scores[picked[count - 1]!]!) continue;
    let at = picked.length;
    while (at > 0 && scores[picked[at - 1]!]! < score) at -= 1;
    picked.splice(at, 0, c);
    if (picked.length > count) picked.pop();
  }
  return picked.map((c) => ({ intent: labels[c] ?? OUT_OF_SCOPE, confidence: scores[c] ?? 0 }));
}

/** Wraps a trained, calibrated core as an `IntentClassifier` that can also give its probabilities and snapshot. */
export function buildTrainedClassifier(core: ClassifierCore, calibration: ClassifierCalibration, score: Scorer = createClassifierScorer(core)): TrainedClassifier {
  const oosIndex = core.labels.indexOf(OUT_OF_SCOPE);
  // Classifying reuses one array of scores; `probabilities` returns a fresh one the caller may keep.
  const scratchScores = new Float64Array(core.labels.length);

  function probabilities(text: string): Float64Array {
    return softmaxInPlace(score(text, new Float64Array(core.labels.length)), calibration.temperature);
  }

  return {
    labels: core.labels,
    calibration,
    probabilities,
    classify: function classifyUtterance(text: string, locale: Locale): Classification {
      const scores = softmaxInPlace(score(text, scratchScores), calibration.temperature);
      const ranked = topInScope(scores, oosIndex, core.labels, RUNNERS_UP + 1);
      const best = ranked[0] as ScoredIntent;
      const oosProbability = oosIndex >= 0 ? (scores[oosIndex] ?? 0) : 0;
      const threshold = calibration.localeThresholds[locale] ?? calibration.threshold;
      if (oosProbability > best.confidence || thresholdScoreOf(best.confidence, oosProbability, calibration.thresholdScore) < threshold) {
        // The chance that the best in-scope guess is wrong is the honest confidence in "out of scope".
        return { intent: OUT_OF_SCOPE, confidence: 1 - best.confidence, runnersUp: ranked.slice(0, RUNNERS_UP) };
      }
      return { intent: best.intent, confidence: best.confidence, runnersUp: ranked.slice(1, 1 + RUNNERS_UP) };
    },
    toSnapshot: function toSnapshot(): ClassifierSnapshot {
      return snapshotOf(core, calibration);
    },
  };
}
