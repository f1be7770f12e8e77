import { z } from 'zod';
import { mlpTrainingOptionsSchema } from './mlp-model.js';
import { softmaxTrainingOptionsSchema } from './softmax-model.js';
import { featureOptionsSchema } from './tfidf-vectorizer.js';

/** Settings of intent-classifier training and calibration. */
export const classifierOptionsSchema = z.object({
  features: featureOptionsSchema.default(featureOptionsSchema.parse({})),
  training: softmaxTrainingOptionsSchema.default(softmaxTrainingOptionsSchema.parse({})),
  /**
   * Weight of a multinomial naive Bayes model added to the linear model's scores (each divided by its
   * temperature fitted on the calibration lines) — the NB–SVM interpolation; 0 leaves naive Bayes out.
   */
  naiveBayesWeight: z.number().min(0).default(0.4),
  /** Additive smoothing of the naive Bayes feature probabilities. */
  naiveBayesAlpha: z.number().positive().default(0.01),
  /** Loss weight of each `oos` training line relative to an in-scope line. */
  oosExampleWeight: z.number().positive().default(1),
  /** In-scope accuracy (a fraction) the out-of-scope threshold may give up on the calibration set. */
  maxInScopeAccuracyLoss: z.number().min(0).max(1).default(0.006),
  /** Share of the training lines held out to calibrate when no calibration set is given. */
  holdOutShare: z.number().min(0.05).max(0.5).default(0.2),
  /** A locale gets its own threshold when the calibration set has this many lines of it, in scope and out. */
  minLinesPerLocaleThreshold: z.number().int().min(1).default(10),
  /**
   * Length of the dense block appended to each Latin-script utterance's TF-IDF vector: the
   * L2-normalised mean of its words' unit embedding vectors times this scale (0 = no embedding
   * features; above 0 a table must be given to training). Lines with Han characters get no block.
   */
  embeddingScale: z.number().min(0).default(0),
  /**
   * Weight of a one-hidden-layer network over the same features added to the linear model's scores
   * (each divided by its temperature fitted on the calibration lines); 0 trains no network. It is
   * seeded with `training.seed`.
   */
  networkWeight: z.number().min(0).default(0),
  network: mlpTrainingOptionsSchema.omit({ seed: true }).default(mlpTrainingOptionsSchema.omit({ seed: true }).parse({})),
  /**
   * What the out-of-scope threshold is drawn on: the best in-scope probability, or its share of
   * itself plus the `oos` class's probability (which also uses what the model learnt from `oos` lines).
   */
  thresholdScore: z.enum(['best-in-scope', 'in-scope-against-oos']).default('best-in-scope'),
});

/** Settings of intent-classifier training and calibration (see `classifierOptionsSchema`). */
export type ClassifierOptions = z.infer<typeof classifierOptionsSchema>;

/** Settings as given by a caller: any field may be left out and takes its default. */
export type ClassifierOptionsInput = z.input<typeof classifierOptionsSchema>;
