import { applyBlend, blendAndCalibrate } from './blend-and-calibrate.js';
import { buildTrainedClassifier } from './build-trained-classifier.js';
import type { TrainedClassifier } from './build-trained-classifier.js';
import { classifierOptionsSchema } from './classifier-options.js';
import type { ClassifierOptionsInput } from './classifier-options.js';
import { fitClassifierCore } from './fit-classifier-core.js';
import { splitHoldOut } from './split-hold-out.js';
import { createUtteranceTokenizer } from './tokenize-utterance.js';
import type { TrainingExample } from './training-example.js';
import type { WordEmbeddings } from './word-embeddings.js';

/** Options of one training run: the model settings and, optionally, a separate calibration set. */
export interface TrainIntentClassifierOptions {
  options?: ClassifierOptionsInput | undefined;
  /** Lines used only to fit the temperature and threshold; without them a stratified share of the training lines is held out. */
  calibrationExamples?: readonly TrainingExample[] | undefined;
  /**
   * Word vectors for the dense block when `embeddingScale` is above 0; the table is kept in the
   * model (and its snapshot), so it should hold the training words plus frequent words, not test words.
   */
  embeddings?: WordEmbeddings | undefined;
}

/**
 * Trains a calibrated intent classifier: TF-IDF word and character n-grams, a linear model trained
 * by seeded SGD (with `oos` lines as a class) blended with multinomial naive Bayes and, when asked,
 * a one-hidden-layer network, temperature scaling, and an out-of-scope threshold.
 */
export function trainIntentClassifier(
  examples: readonly TrainingExample[],
  settings: TrainIntentClassifierOptions = {},
): TrainedClassifier {
  const options = classifierOptionsSchema.parse(settings.options ?? {});
  const tokenizer = createUtteranceTokenizer();
  if (settings.calibrationExamples !== undefined && settings.calibrationExamples.length > 0) {
    const fitted = blendAndCalibrate(
      fitClassifierCore(examples, options, tokenizer, settings.embeddings),
      settings.calibrationExamples,
      options,
      'calibration-set',
    );
    return buildTrainedClassifier(fitted.core, fitted.calibration, fitted.score);
  }
  // Calibrate on lines the model has not seen, then refit on everything and keep that calibration.
  const { train, holdOut } = splitHoldOut(examples, options.holdOutShare, options.training.seed);
  const { calibration } = blendAndCalibrate(fitClassifierCore(train, options, tokenizer, settings.embeddings), holdOut, options, 'held-out-training');
  return buildTrainedClassifier(applyBlend(fitClassifierCore(examples, options, tokenizer, settings.embeddings), calibration.blend), calibration);
}
