import { describe, expect, it } from 'vitest';
import { blendLinearModels, fitNaiveBayesWeights } from '../../src/nlu/naive-bayes-weights.js';
import { SoftmaxModel } from '../../src/nlu/softmax-model.js';
import type { SparseVector } from '../../src/nlu/sparse-vector.js';

function vector(entries: [number, number][]): SparseVector {
  return { indices: Int32Array.from(entries.map(([i]) => i)), values: Float32Array.from(entries.map(([, v]) => v)) };
}

describe('fitNaiveBayesWeights', () => {
  // Feature 0 belongs to class 0, feature 1 to class 1, feature 2 to both.
  const examples = [
    { vector: vector([[0, 1], [2, 1]]), label: 0 },
    { vector: vector([[0, 2]]), label: 0 },
    { vector: vector([[1, 1], [2, 1]]), label: 1 },
  ];

  it('gives smoothed log P(feature | class) as weights and log priors as biases', () => {
    const state = fitNaiveBayesWeights(examples, 3, 2, 0.5);
    // Class 0 saw 4 units of feature mass: feature 0 ×3, feature 2 ×1.
    expect(state.weights[0 * 2 + 0]).toBeCloseTo(Math.log((3 + 0.5) / (4 + 1.5)), 5);
    expect(state.weights[1 * 2 + 0]).toBeCloseTo(Math.log(0.5 / 5.5), 5);
    expect(state.weights[2 * 2 + 1]).toBeCloseTo(Math.log(1.5 / 3.5), 5);
    expect(state.bias[0]).toBeCloseTo(Math.log(2 / 3), 3);
    expect(state.bias[1]).toBeCloseTo(Math.log(1 / 3), 3);
    for (let c = 0; c < 2; c += 1) {
      let total = 0;
      for (let f = 0; f < 3; f += 1) total += Math.exp(state.weights[f * 2 + c]!);
      expect(total).toBeCloseTo(1, 5);
    }
  });

  it('scores a line by its class-specific features', () => {
    const model = new SoftmaxModel(fitNaiveBayesWeights(examples, 3, 2, 0.1));
    const [first, second] = model.logits(vector([[1, 1]]));
    expect(second).toBeGreaterThan(first!);
    const [again0, again1] = model.logits(vector([[0, 1]]));
    expect(again0).toBeGreaterThan(again1!);
  });

  it('counts example weights and keeps an empty class finite', () => {
    const weighted = fitNaiveBayesWeights([{ vector: vector([[0, 1]]), label: 0, weight: 3 }], 2, 2, 1);
    expect(weighted.weights[0]).toBeCloseTo(Math.log(4 / 5), 5);
    expect(Number.isFinite(weighted.bias[1])).toBe(true);
    expect(weighted.bias[1]).toBeLessThan(-5);
  });

  it('rejects non-positive smoothing', () => {
    expect(() => fitNaiveBayesWeights(examples, 3, 2, 0)).toThrow(RangeError);
  });
});

describe('blendLinearModels', () => {
  const a = { featureCount: 2, classCount: 2, weights: Float32Array.from([1, 2, 3, 4]), bias: Float32Array.from([1, 0]) };
  const b = { featureCount: 2, classCount: 2, weights: Float32Array.from([10, 0, 0, 10]), bias: Float32Array.from([0, 1]) };

  it('adds the models with their factors, so its scores are the blend of their scores', () => {
    const blended = blendLinearModels([
      { state: a, factor: 0.5 },
      { state: b, factor: 2 },
    ]);
    expect(Array.from(blended.weights)).toEqual([20.5, 1, 1.5, 22]);
    expect(Array.from(blended.bias)).toEqual([0.5, 2]);
    const input = vector([[0, 0.25], [1, 0.75]]);
    const expected = new SoftmaxModel(a).logits(input).map((score, c) => 0.5 * score + 2 * new SoftmaxModel(b).logits(input)[c]!);
    const got = new SoftmaxModel(blended).logits(input);
    got.forEach((score, c) => expect(score).toBeCloseTo(expected[c]!, 5));
  });

  it('refuses models of different shapes and an empty list', () => {
    expect(() => blendLinearModels([{ state: a, factor: 1 }, { state: { ...b, featureCount: 1, weights: new Float32Array(2) }, factor: 1 }])).toThrow(RangeError);
    expect(() => blendLinearModels([])).toThrow(RangeError);
  });
});
