import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../src/nlu/create-seeded-random.js';
import {
  MlpModel,
  computeMlpGradients,
  initialiseMlpModel,
  mlpTrainingOptionsSchema,
  trainMlpModel,
} from '../../src/nlu/mlp-model.js';
import { softmaxInPlace } from '../../src/nlu/softmax-model.js';
import type { WeightedExample } from '../../src/nlu/softmax-model.js';

function vector(entries: [number, number][]): WeightedExample['vector'] {
  return { indices: Int32Array.from(entries.map(([i]) => i)), values: Float32Array.from(entries.map(([, v]) => v)) };
}

function argmax(values: Float64Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if (values[i]! > values[best]!) best = i;
  return best;
}

// XOR over features 0 and 1 (feature 2 is a constant): no linear model separates it.
const xor: WeightedExample[] = [];
for (let k = 0; k < 25; k += 1) {
  xor.push({ vector: vector([[2, 1]]), label: 0 });
  xor.push({ vector: vector([[0, 1], [2, 1]]), label: 1 });
  xor.push({ vector: vector([[1, 1], [2, 1]]), label: 1 });
  xor.push({ vector: vector([[0, 1], [1, 1], [2, 1]]), label: 0 });
}
const options = mlpTrainingOptionsSchema.parse({ hiddenUnits: 16, epochs: 60, learningRate: 0.1, dropout: 0, initScale: 0.5, seed: 3 });

describe('trainMlpModel', () => {
  it('learns a problem no linear model can (XOR)', () => {
    const model = trainMlpModel(xor, 3, 2, options);
    for (const example of xor.slice(0, 4)) {
      const probabilities = softmaxInPlace(model.logits(example.vector));
      expect(argmax(probabilities)).toBe(example.label);
      expect(probabilities[example.label]).toBeGreaterThan(0.8);
    }
  });

  it('learns with dropout and label smoothing too, and smoothing keeps it less certain', () => {
    const sharp = trainMlpModel(xor, 3, 2, { ...options, dropout: 0.2 });
    const smoothed = trainMlpModel(xor, 3, 2, { ...options, dropout: 0.2, labelSmoothing: 0.2 });
    const input = xor[1]!.vector;
    const sharpProbabilities = softmaxInPlace(sharp.logits(input));
    const smoothedProbabilities = softmaxInPlace(smoothed.logits(input));
    expect(argmax(smoothedProbabilities)).toBe(1);
    expect(smoothedProbabilities[1]).toBeLessThan(sharpProbabilities[1]!);
  });

  it('is deterministic for a seed and differs for another seed', () => {
    const first = trainMlpModel(xor, 3, 2, { ...options, dropout: 0.3, epochs: 5 }).toState();
    const second = trainMlpModel(xor, 3, 2, { ...options, dropout: 0.3, epochs: 5 }).toState();
    const other = trainMlpModel(xor, 3, 2, { ...options, dropout: 0.3, epochs: 5, seed: 4 }).toState();
    expect(Array.from(second.inputWeights)).toEqual(Array.from(first.inputWeights));
    expect(Array.from(second.outputWeights)).toEqual(Array.from(first.outputWeights));
    expect(Array.from(other.inputWeights)).not.toEqual(Array.from(first.inputWeights));
  });

  it('moves only the input rows of features that occur in training', () => {
    const initial = initialiseMlpModel(4, 2, options, createSeededRandom(options.seed)).toState();
    const trained = trainMlpModel(xor, 4, 2, { ...options, epochs: 3 }).toState();
    const unused = (weights: Float32Array): number[] => Array.from(weights.subarray(3 * 16, 4 * 16));
    expect(unused(trained.inputWeights)).toEqual(unused(initial.inputWeights));
    expect(Array.from(trained.inputWeights.subarray(0, 16))).not.toEqual(Array.from(initial.inputWeights.subarray(0, 16)));
  });
});

describe('computeMlpGradients', () => {
  it('matches finite differences of the loss for every kind of parameter', () => {
    const model = initialiseMlpModel(4, 3, { ...options, hiddenUnits: 5, initScale: 0.7 }, createSeededRandom(11));
    const example: WeightedExample = { vector: vector([[0, 0.6], [2, 0.8]]), label: 2, weight: 1.5 };
    const gradients = computeMlpGradients(model, example, 0.1);
    const state = model.toState();
    const lossAt = (): number => computeMlpGradients(new MlpModel(state), example, 0.1).loss;
    const step = 1e-3;
    const check = (weights: Float32Array, analytic: Float64Array, index: number): void => {
      const saved = weights[index]!;
      weights[index] = saved + step;
      const up = lossAt();
      weights[index] = saved - step;
      const down = lossAt();
      weights[index] = saved;
      expect(analytic[index]).toBeCloseTo((up - down) / (2 * step), 3);
    };
    for (const index of [0, 3, 11, 14]) check(state.inputWeights, gradients.inputWeights, index);
    for (const index of [0, 2, 4]) check(state.hiddenBias, gradients.hiddenBias, index);
    for (const index of [0, 5, 9, 14]) check(state.outputWeights, gradients.outputWeights, index);
    for (const index of [0, 1, 2]) check(state.outputBias, gradients.outputBias, index);
    // Rows of features absent from the example get no gradient.
    expect(Array.from(gradients.inputWeights.subarray(5, 10)).every((value) => value === 0)).toBe(true);
  });

  it('gives the step training takes: one plain SGD step on one example lowers its loss', () => {
    const model = initialiseMlpModel(3, 2, options, createSeededRandom(5));
    const example = xor[3]!;
    const before = computeMlpGradients(model, example).loss;
    const after = computeMlpGradients(trainMlpModel([example], 3, 2, { ...options, epochs: 1, seed: 5 }), example).loss;
    expect(after).toBeLessThan(before);
  });
});

describe('MlpModel', () => {
  it('has hidden activations that are never negative and logits of the class count', () => {
    const model = initialiseMlpModel(3, 4, { ...options, hiddenUnits: 8 }, createSeededRandom(1));
    const input = vector([[0, 1], [1, -2]]);
    expect(Array.from(model.hidden(input)).every((value) => value >= 0)).toBe(true);
    expect(model.logits(input).length).toBe(4);
  });

  it('computes the same logits as a plain matrix product, whatever the number of active units', () => {
    for (const hiddenUnits of [1, 3, 4, 7, 9]) {
      const model = initialiseMlpModel(6, 5, { ...options, hiddenUnits, initScale: 1 }, createSeededRandom(hiddenUnits));
      const state = model.toState();
      const input = vector([[0, 0.5], [2, -1], [3, 0.25], [4, 2], [5, 1]]);
      const expected = Array.from(state.outputBias, (bias, c) => {
        let sum = bias;
        for (let h = 0; h < hiddenUnits; h += 1) {
          let pre = state.hiddenBias[h]!;
          for (let k = 0; k < input.indices.length; k += 1) pre += input.values[k]! * state.inputWeights[input.indices[k]! * hiddenUnits + h]!;
          sum += Math.max(0, pre) * state.outputWeights[h * 5 + c]!;
        }
        return sum;
      });
      Array.from(model.logits(input)).forEach((logit, c) => expect(logit, `${hiddenUnits} ${c}`).toBeCloseTo(expected[c]!, 5));
    }
  });

  it('rejects a state with inconsistent sizes', () => {
    const state = initialiseMlpModel(3, 2, options, createSeededRandom(1)).toState();
    expect(() => new MlpModel({ ...state, featureCount: 4 })).toThrow(RangeError);
    expect(() => new MlpModel({ ...state, outputBias: new Float32Array(3) })).toThrow(RangeError);
  });
});
