import { z } from 'zod';
import { addWeightedRows } from './add-weighted-rows.js';
import { createSeededRandom, shuffleInPlace } from './create-seeded-random.js';
import type { SeededRandom } from './create-seeded-random.js';
import { softmaxInPlace } from './softmax-model.js';
import type { WeightedExample } from './softmax-model.js';
import type { SparseVector } from './sparse-vector.js';

/** Settings of the one-hidden-layer network's training. */
export const mlpTrainingOptionsSchema = z.object({
  /** Units of the hidden (ReLU) layer. */
  hiddenUnits: z.number().int().min(1).max(4096).default(128),
  epochs: z.number().int().min(1).max(200).default(10),
  /** Initial step size; it decays linearly to a tenth over the epochs. */
  learningRate: z.number().positive().default(0.1),
  /** Share of hidden units switched off per training example (inverted dropout; 0 = none). */
  dropout: z.number().min(0).max(0.9).default(0.2),
  /** Standard deviation of the input layer's initial weights (the output layer uses He initialisation). */
  initScale: z.number().positive().default(0.1),
  /** Probability mass spread evenly over all classes in the training target (label smoothing; 0 = none). */
  labelSmoothing: z.number().min(0).max(0.5).default(0),
  seed: z.number().int().default(42),
});

/** Settings of the one-hidden-layer network's training (see `mlpTrainingOptionsSchema`). */
export type MlpTrainingOptions = z.infer<typeof mlpTrainingOptionsSchema>;

/**
 * The serialisable state of a network: `inputWeights` are feature-major (`feature * hidden + unit`),
 * `outputWeights` unit-major (`unit * classes + class`).
 */
export interface MlpModelState {
  featureCount: number;
  hiddenUnits: number;
  classCount: number;
  inputWeights: Float32Array;
  hiddenBias: Float32Array;
  outputWeights: Float32Array;
  outputBias: Float32Array;
}

/** A network with one ReLU hidden layer over sparse features, whose class scores feed a softmax. */
export class MlpModel {
  readonly featureCount: number;
  readonly hiddenUnits: number;
  readonly classCount: number;
  private readonly inputWeights: Float32Array;
  private readonly hiddenBias: Float32Array;
  private readonly outputWeights: Float32Array;
  private readonly outputBias: Float32Array;

  constructor(state: MlpModelState) {
    if (
      state.inputWeights.length !== state.featureCount * state.hiddenUnits ||
      state.hiddenBias.length !== state.hiddenUnits ||
      state.outputWeights.length !== state.hiddenUnits * state.classCount ||
      state.outputBias.length !== state.classCount
    ) {
      throw new RangeError('network state has inconsistent sizes');
    }
    this.featureCount = state.featureCount;
    this.hiddenUnits = state.hiddenUnits;
    this.classCount = state.classCount;
    this.inputWeights = state.inputWeights;
    this.hiddenBias = state.hiddenBias;
    this.outputWeights = state.outputWeights;
    this.outputBias = state.outputBias;
  }

  /** Returns the serialisable state (shares the arrays; do not mutate). */
  toState(): MlpModelState {
    return {
      featureCount: this.featureCount,
      hiddenUnits: this.hiddenUnits,
      classCount: this.classCount,
      inputWeights: this.inputWeights,
      hiddenBias: this.hiddenBias,
      outputWeights: this.outputWeights,
      outputBias: this.outputBias,
    };
  }

  /** Writes the hidden layer's inputs before the ReLU (biases plus weighted features) of a feature vector into `out` and returns it. */
  preActivation(vector: SparseVector, out: Float64Array = new Float64Array(this.hiddenUnits)): Float64Array {
    addInputLayer(this.inputWeights, this.hiddenBias, this.hiddenUnits, vector, out);
    return out;
  }

  /** Writes the hidden layer's activations (after ReLU) of a feature vector into `out` and returns it. */
  hidden(vector: SparseVector, out: Float64Array = new Float64Array(this.hiddenUnits)): Float64Array {
    return applyRelu(this.preActivation(vector, out));
  }

  /** Computes the raw class scores (logits) of a feature vector. */
  logits(vector: SparseVector): Float64Array {
    return this.logitsOfHidden(this.hidden(vector));
  }

  /** Computes the class scores from the hidden layer's inputs (into `out` when given), applying the ReLU to them in place. */
  logitsOfPreActivation(preActivation: Float64Array, out?: Float64Array): Float64Array {
    return this.logitsOfHidden(applyRelu(preActivation), out);
  }

  /** Computes the class scores from hidden activations (skipping units at zero), into `out` when given. */
  logitsOfHidden(hidden: Float64Array, out: Float64Array = new Float64Array(this.classCount)): Float64Array {
    out.set(this.outputBias);
    addOutputLayer(this.outputWeights, this.classCount, hidden, out);
    return out;
  }
}

/** Sets negative values to zero, in place, and returns the array. */
function applyRelu(values: Float64Array): Float64Array {
  for (let i = 0; i < values.length; i += 1) if (values[i]! < 0) values[i] = 0;
  return values;
}

/** `out = bias + Σ value · row(weights)` over the vector's features (rows of `width` floats). */
function addInputLayer(weights: Float32Array, bias: Float32Array, width: number, vector: SparseVector, out: Float64Array): void {
  for (let h = 0; h < width; h += 1) out[h] = bias[h]!;
  addWeightedRows(weights, width, vector, out);
}

/** `out += Σ_h hidden[h] · row_h(weights)`, skipping inactive units. */
function addOutputLayer(weights: Float32Array, classCount: number, hidden: Float64Array, out: Float64Array): void {
  // Four active units per pass over the classes, as in the input layer.
  let h = 0;
  for (;;) {
    while (h < hidden.length && hidden[h] === 0) h += 1;
    const h0 = h++;
    while (h < hidden.length && hidden[h] === 0) h += 1;
    const h1 = h++;
    while (h < hidden.length && hidden[h] === 0) h += 1;
    const h2 = h++;
    while (h < hidden.length && hidden[h] === 0) h += 1;
    const h3 = h++;
    if (h3 >= hidden.length) {
      addOutputRow(weights, classCount, hidden, h0, out);
      addOutputRow(weights, classCount, hidden, h1, out);
      addOutputRow(weights, classCount, hidden, h2, out);
      return;
    }
    const a0 = hidden[h0]!;
    const a1 = hidden[h1]!;
    const a2 = hidden[h2]!;
    const a3 = hidden[h3]!;
    const r0 = h0 * classCount;
    const r1 = h1 * classCount;
    const r2 = h2 * classCount;
    const r3 = h3 * classCount;
    for (let c = 0; c < classCount; c += 1) {
      out[c]! += a0 * weights[r0 + c]! + a1 * weights[r1 + c]! + a2 * weights[r2 + c]! + a3 * weights[r3 + c]!;
    }
  }
}

/** `out += hidden[unit] · row_unit(weights)`, for a unit index that may be past the last unit (then nothing). */
function addOutputRow(weights: Float32Array, classCount: number, hidden: Float64Array, unit: number, out: Float64Array): void {
  if (unit >= hidden.length) return;
  const activation = hidden[unit]!;
  const row = unit * classCount;
  for (let c = 0; c < classCount; c += 1) out[c]! += activation * weights[row + c]!;
}

/** A standard normal draw (Box–Muller) from a seeded generator. */
function normalDraw(random: SeededRandom): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Creates a network with seeded random weights (zero biases). */
export function initialiseMlpModel(featureCount: number, classCount: number, options: MlpTrainingOptions, random: SeededRandom): MlpModel {
  const hiddenUnits = options.hiddenUnits;
  const inputWeights = new Float32Array(featureCount * hiddenUnits);
  for (let i = 0; i < inputWeights.length; i += 1) inputWeights[i] = options.initScale * normalDraw(random);
  const outputWeights = new Float32Array(hiddenUnits * classCount);
  const outputScale = Math.sqrt(2 / hiddenUnits);
  for (let i = 0; i < outputWeights.length; i += 1) outputWeights[i] = outputScale * normalDraw(random);
  return new MlpModel({
    featureCount,
    hiddenUnits,
    classCount,
    inputWeights,
    hiddenBias: new Float32Array(hiddenUnits),
    outputWeights,
    outputBias: new Float32Array(classCount),
  });
}

/** The gradients of one example's weighted cross-entropy with respect to every parameter (dense; for checks and small problems). */
export interface MlpGradients {
  loss: number;
  inputWeights: Float64Array;
  hiddenBias: Float64Array;
  outputWeights: Float64Array;
  outputBias: Float64Array;
}

/** Computes the cross-entropy of one example (with label smoothing) and its exact gradients, without dropout. */
export function computeMlpGradients(model: MlpModel, example: WeightedExample, labelSmoothing = 0): MlpGradients {
  const { featureCount, hiddenUnits, classCount } = model;
  const state = model.toState();
  const hidden = model.hidden(example.vector);
  const probabilities = softmaxInPlace(model.logitsOfHidden(hidden));
  const weight = example.weight ?? 1;
  const targetOf = (c: number): number => (c === example.label ? 1 - labelSmoothing : 0) + labelSmoothing / classCount;
  let loss = 0;
  for (let c = 0; c < classCount; c += 1) loss -= weight * targetOf(c) * Math.log(probabilities[c]!);
  const outputBias = new Float64Array(classCount);
  for (let c = 0; c < classCount; c += 1) outputBias[c] = weight * (probabilities[c]! - targetOf(c));
  const outputWeights = new Float64Array(hiddenUnits * classCount);
  const hiddenBias = new Float64Array(hiddenUnits);
  for (let h = 0; h < hiddenUnits; h += 1) {
    let back = 0;
    for (let c = 0; c < classCount; c += 1) {
      outputWeights[h * classCount + c] = hidden[h]! * outputBias[c]!;
      back += state.outputWeights[h * classCount + c]! * outputBias[c]!;
    }
    hiddenBias[h] = hidden[h]! > 0 ? back : 0;
  }
  const inputWeights = new Float64Array(featureCount * hiddenUnits);
  const { indices, values } = example.vector;
  for (let k = 0; k < indices.length; k += 1) {
    for (let h = 0; h < hiddenUnits; h += 1) inputWeights[indices[k]! * hiddenUnits + h]! += values[k]! * hiddenBias[h]!;
  }
  return { loss, inputWeights, hiddenBias, outputWeights, outputBias };
}

const GRADIENT_FLOOR = 1e-4;

/**
 * Trains a one-hidden-layer ReLU network on the (weighted) softmax cross-entropy by seeded
 * stochastic gradient descent, one example at a time. Only the input rows of an example's features,
 * the active hidden units and the classes with a gradient above 1e-4 move, so once the network
 * fits most lines an epoch costs little more than its forward passes.
 */
export function trainMlpModel(
  examples: readonly WeightedExample[],
  featureCount: number,
  classCount: number,
  options: MlpTrainingOptions,
): MlpModel {
  const random = createSeededRandom(options.seed);
  const model = initialiseMlpModel(featureCount, classCount, options, random);
  const { inputWeights, hiddenBias, outputWeights, outputBias } = model.toState();
  const hiddenUnits = options.hiddenUnits;
  const order = examples.map((_, i) => i);
  const totalSteps = Math.max(1, options.epochs * examples.length);
  const hidden = new Float64Array(hiddenUnits);
  const activeUnits = new Int32Array(hiddenUnits);
  const activations = new Float64Array(hiddenUnits);
  const back = new Float64Array(hiddenUnits);
  const gradient = new Float64Array(classCount);
  const activeClasses = new Int32Array(classCount);
  const keepShare = 1 - options.dropout;
  const smoothing = options.labelSmoothing / classCount;
  let step = 0;

  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    shuffleInPlace(order, random);
    for (const exampleIndex of order) {
      const example = examples[exampleIndex]!;
      const rate = options.learningRate * (1 - (0.9 * step) / totalSteps);
      step += 1;
      const weight = example.weight ?? 1;
      addInputLayer(inputWeights, hiddenBias, hiddenUnits, example.vector, hidden);
      // The units that pass the ReLU and survive dropout (inverted: scaled up so classifying needs no change).
      let units = 0;
      for (let h = 0; h < hiddenUnits; h += 1) {
        if (hidden[h]! <= 0) continue;
        if (options.dropout > 0 && random() >= keepShare) continue;
        activeUnits[units] = h;
        activations[units] = hidden[h]! / keepShare;
        units += 1;
      }
      for (let c = 0; c < classCount; c += 1) gradient[c] = outputBias[c]!;
      for (let a = 0; a < units; a += 1) {
        const activation = activations[a]!;
        const row = activeUnits[a]! * classCount;
        for (let c = 0; c < classCount; c += 1) gradient[c]! += activation * outputWeights[row + c]!;
      }
      softmaxInPlace(gradient);
      let classes = 0;
      for (let c = 0; c < classCount; c += 1) {
        let g = weight * (gradient[c]! - smoothing);
        if (c === example.label) g -= weight * (1 - options.labelSmoothing);
        gradient[c] = g;
        outputBias[c]! -= rate * g;
        if (g > GRADIENT_FLOOR || g < -GRADIENT_FLOOR) activeClasses[classes++] = c;
      }
      // Back-propagate through the output layer before it moves, then move it.
      for (let a = 0; a < units; a += 1) {
        const h = activeUnits[a]!;
        const row = h * classCount;
        const activation = activations[a]!;
        let sum = 0;
        for (let k = 0; k < classes; k += 1) {
          const c = activeClasses[k]!;
          sum += outputWeights[row + c]! * gradient[c]!;
          outputWeights[row + c]! -= rate * activation * gradient[c]!;
        }
        back[a] = sum / keepShare;
        hiddenBias[h]! -= rate * back[a]!;
      }
      const { indices, values } = example.vector;
      for (let k = 0; k < indices.length; k += 1) {
        const factor = rate * values[k]!;
        const row = indices[k]! * hiddenUnits;
        for (let a = 0; a < units; a += 1) inputWeights[row + activeUnits[a]!]! -= factor * back[a]!;
      }
    }
  }
  return model;
}
