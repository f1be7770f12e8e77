import { z } from 'zod';
import { addWeightedRows } from './add-weighted-rows.js';
import { createSeededRandom, shuffleInPlace } from './create-seeded-random.js';
import type { SparseVector } from './sparse-vector.js';

/** Settings of the linear softmax model's training. */
export const softmaxTrainingOptionsSchema = z.object({
  epochs: z.number().int().min(1).max(200).default(20),
  /** Initial step size; it decays linearly to a tenth over the epochs. */
  learningRate: z.number().positive().default(0.1),
  /** L2 penalty on the weights (not on the biases). */
  l2: z.number().min(0).default(1e-7),
  seed: z.number().int().default(42),
  /** `softmax`: cross-entropy; `hinge`: multi-class (Crammer–Singer) hinge, whose scores are calibrated by temperature later. */
  loss: z.enum(['softmax', 'hinge']).default('hinge'),
  /** Average the weights over the ends of the last epochs (this share of them; 0 = no averaging), which steadies SGD. */
  averageShare: z.number().min(0).max(1).default(0),
  /** Margin of the hinge loss. */
  margin: z.number().positive().default(1),
});

/** Settings of the linear softmax model's training. */
export type SoftmaxTrainingOptions = z.infer<typeof softmaxTrainingOptionsSchema>;

/** The serialisable state of a softmax model: weights are feature-major (`feature * classes + class`). */
export interface SoftmaxModelState {
  featureCount: number;
  classCount: number;
  weights: Float32Array;
  bias: Float32Array;
}

/** A linear multi-class model over sparse features whose scores feed a softmax. */
export class SoftmaxModel {
  readonly featureCount: number;
  readonly classCount: number;
  private readonly weights: Float32Array;
  private readonly bias: Float32Array;

  constructor(state: SoftmaxModelState) {
    if (state.weights.length !== state.featureCount * state.classCount || state.bias.length !== state.classCount) {
      throw new RangeError('softmax model state has inconsistent sizes');
    }
    this.featureCount = state.featureCount;
    this.classCount = state.classCount;
    this.weights = state.weights;
    this.bias = state.bias;
  }

  /** Returns the serialisable state (shares the arrays; do not mutate). */
  toState(): SoftmaxModelState {
    return { featureCount: this.featureCount, classCount: this.classCount, weights: this.weights, bias: this.bias };
  }

  /** Computes the raw class scores (logits) of a feature vector. */
  logits(vector: SparseVector): Float64Array {
    return this.logitsInto(vector, new Float64Array(this.classCount));
  }

  /** Writes the raw class scores of a feature vector into `out` (length `classCount`) and returns it. */
  logitsInto(vector: SparseVector, out: Float64Array): Float64Array {
    out.set(this.bias);
    addWeightedRows(this.weights, this.classCount, vector, out);
    return out;
  }
}

/** Turns scores into probabilities with a temperature (higher = softer), in place, and returns them. */
export function softmaxInPlace(scores: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (const score of scores) if (score > max) max = score;
  let sum = 0;
  for (let c = 0; c < scores.length; c += 1) {
    const e = Math.exp((scores[c]! - max) / temperature);
    scores[c] = e;
    sum += e;
  }
  for (let c = 0; c < scores.length; c += 1) scores[c]! /= sum;
  return scores;
}

const GRADIENT_FLOOR = 1e-4;

/** One training example for the softmax model. */
export interface WeightedExample {
  vector: SparseVector;
  label: number;
  /** Importance of the example in the loss (1 by default), for class balancing. */
  weight?: number;
}

/**
 * Trains a softmax model by seeded stochastic gradient descent on the cross-entropy with L2,
 * using the scaled-weights trick so the penalty costs nothing per step.
 */
export function trainSoftmaxModel(
  examples: readonly WeightedExample[],
  featureCount: number,
  classCount: number,
  options: SoftmaxTrainingOptions,
): SoftmaxModel {
  const weights = new Float32Array(featureCount * classCount);
  const bias = new Float32Array(classCount);
  const random = createSeededRandom(options.seed);
  const order = examples.map((_, i) => i);
  const totalSteps = Math.max(1, options.epochs * examples.length);
  const probabilities = new Float64Array(classCount);
  const activeClasses = new Int32Array(classCount);
  let scale = 1;
  let step = 0;
  // The forward pass shares the prediction code; weights are stored divided by `scale`.
  const view = new SoftmaxModel({ featureCount, classCount, weights, bias });
  const averagedEpochs = Math.round(options.epochs * options.averageShare);
  const firstAveragedEpoch = options.epochs - averagedEpochs;
  const averaged =
    averagedEpochs > 0
      ? { weights: new Float64Array(weights.length), bias: new Float64Array(classCount), count: 0 }
      : null;

  const rescale = (): void => {
    for (let i = 0; i < weights.length; i += 1) weights[i]! *= scale;
    scale = 1;
  };

  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    shuffleInPlace(order, random);
    for (const exampleIndex of order) {
      const example = examples[exampleIndex]!;
      const rate = options.learningRate * (1 - (0.9 * step) / totalSteps);
      step += 1;
      const { indices, values } = example.vector;
      const scores = view.logits(example.vector);
      for (let c = 0; c < classCount; c += 1) probabilities[c] = bias[c]! + (scores[c]! - bias[c]!) * scale;
      if (options.loss === 'hinge') {
        // Only the true class and the most-violating other class move, and only inside the margin.
        let rival = example.label === 0 ? 1 : 0;
        for (let c = 0; c < classCount; c += 1) {
          if (c !== example.label && probabilities[c]! > probabilities[rival]!) rival = c;
        }
        const isInsideMargin = probabilities[example.label]! - probabilities[rival]! < options.margin;
        probabilities.fill(0);
        if (isInsideMargin) {
          probabilities[example.label] = -1;
          probabilities[rival] = 1;
        }
      } else {
        softmaxInPlace(probabilities);
        probabilities[example.label]! -= 1;
      }
      const exampleWeight = example.weight ?? 1;
      scale *= 1 - rate * options.l2;
      if (scale < 1e-6) rescale();
      const stepOverScale = (rate * exampleWeight) / scale;
      // Once the model fits an example most class gradients are ~0; skipping them is the main speed-up.
      let active = 0;
      for (let c = 0; c < classCount; c += 1) {
        const gradient = probabilities[c]!;
        if (gradient > GRADIENT_FLOOR || gradient < -GRADIENT_FLOOR) activeClasses[active++] = c;
        bias[c]! -= rate * exampleWeight * gradient;
      }
      for (let k = 0; k < indices.length; k += 1) {
        const factor = values[k]! * stepOverScale;
        const row = indices[k]! * classCount;
        for (let a = 0; a < active; a += 1) {
          const c = activeClasses[a]!;
          weights[row + c]! -= factor * probabilities[c]!;
        }
      }
    }
    if (averaged !== null && epoch >= firstAveragedEpoch) {
      for (let i = 0; i < weights.length; i += 1) averaged.weights[i]! += weights[i]! * scale;
      for (let c = 0; c < classCount; c += 1) averaged.bias[c]! += bias[c]!;
      averaged.count += 1;
    }
  }
  if (averaged !== null && averaged.count > 0) {
    const share = 1 / averaged.count;
    for (let i = 0; i < weights.length; i += 1) weights[i] = averaged.weights[i]! * share;
    for (let c = 0; c < classCount; c += 1) bias[c] = averaged.bias[c]! * share;
    return new SoftmaxModel({ featureCount, classCount, weights, bias });
  }
  rescale();
  return new SoftmaxModel({ featureCount, classCount, weights, bias });
}
