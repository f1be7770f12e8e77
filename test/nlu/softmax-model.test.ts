import { describe, expect, it } from 'vitest';
import { SoftmaxModel, softmaxInPlace, softmaxTrainingOptionsSchema, trainSoftmaxModel } from '../../src/nlu/softmax-model.js';
import type { WeightedExample } from '../../src/nlu/softmax-model.js';

function vector(entries: [number, number][]): WeightedExample['vector'] {
  return { indices: Int32Array.from(entries.map(([i]) => i)), values: Float32Array.from(entries.map(([, v]) => v)) };
}

// Three classes, each marked by its own feature plus a shared noisy feature 3.
const examples: WeightedExample[] = [];
for (let k = 0; k < 20; k += 1) {
  for (let label = 0; label < 3; label += 1) {
    examples.push({ vector: vector([[label, 0.9], [3, 0.3 + (k % 5) * 0.05]]), label });
  }
}
const options = softmaxTrainingOptionsSchema.parse({ loss: 'softmax', learningRate: 0.5, l2: 1e-5, epochs: 10, seed: 7 });

describe('softmaxInPlace', () => {
  it('returns probabilities that sum to one and keep the order of the scores', () => {
    const probabilities = softmaxInPlace(Float64Array.from([1, 3, 2]));
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(probabilities[1]).toBeGreaterThan(probabilities[2]!);
    expect(probabilities[2]).toBeGreaterThan(probabilities[0]!);
  });

  it('flattens with a higher temperature and sharpens with a lower one', () => {
    const soft = softmaxInPlace(Float64Array.from([1, 3]), 4);
    const sharp = softmaxInPlace(Float64Array.from([1, 3]), 0.25);
    expect(soft[1]).toBeLessThan(0.7);
    expect(sharp[1]).toBeGreaterThan(0.99);
  });

  it('stays finite for very large scores', () => {
    const probabilities = softmaxInPlace(Float64Array.from([1000, 999]));
    expect(probabilities[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 10);
  });
});

describe('trainSoftmaxModel', () => {
  it('learns a separable problem', () => {
    const model = trainSoftmaxModel(examples, 4, 3, options);
    for (let label = 0; label < 3; label += 1) {
      const probabilities = softmaxInPlace(model.logits(vector([[label, 1]])));
      expect(probabilities.indexOf(Math.max(...probabilities))).toBe(label);
      expect(probabilities[label]).toBeGreaterThan(0.8);
    }
  });

  it('learns with the multi-class hinge loss, separating the true class by about the margin', () => {
    const model = trainSoftmaxModel(examples, 4, 3, { ...options, loss: 'hinge', learningRate: 0.1, epochs: 30 });
    for (let label = 0; label < 3; label += 1) {
      const scores = Array.from(model.logits(vector([[label, 0.9], [3, 0.4]])));
      const others = scores.filter((_, c) => c !== label);
      expect(scores[label]! - Math.max(...others)).toBeGreaterThan(0.5);
    }
  });

  it('averages the weights of the last epochs when asked, still learning the problem', () => {
    const plain = trainSoftmaxModel(examples, 4, 3, options).toState();
    const averagedModel = trainSoftmaxModel(examples, 4, 3, { ...options, averageShare: 0.5 });
    expect(Array.from(averagedModel.toState().weights)).not.toEqual(Array.from(plain.weights));
    const probabilities = softmaxInPlace(averagedModel.logits(vector([[2, 1]])));
    expect(probabilities.indexOf(Math.max(...probabilities))).toBe(2);
  });

  it('is deterministic for a seed and differs for another seed', () => {
    const first = trainSoftmaxModel(examples, 4, 3, options).toState();
    const second = trainSoftmaxModel(examples, 4, 3, options).toState();
    const other = trainSoftmaxModel(examples, 4, 3, { ...options, seed: 8 }).toState();
    expect(Array.from(second.weights)).toEqual(Array.from(first.weights));
    expect(Array.from(other.weights)).not.toEqual(Array.from(first.weights));
  });

  it('shrinks weights with a stronger L2 penalty', () => {
    const size = (l2: number): number =>
      trainSoftmaxModel(examples, 4, 3, { ...options, l2 }).toState().weights.reduce((sum, w) => sum + w * w, 0);
    expect(size(0.05)).toBeLessThan(size(0));
  });

  it('gives an up-weighted class more of the probability on an ambiguous input', () => {
    const ambiguous = vector([[0, 0.5], [1, 0.5]]);
    const heavier = examples.map((example) => ({ ...example, weight: example.label === 1 ? 5 : 1 }));
    const plain = softmaxInPlace(trainSoftmaxModel(examples, 4, 3, options).logits(ambiguous));
    const weighted = softmaxInPlace(trainSoftmaxModel(heavier, 4, 3, options).logits(ambiguous));
    expect(weighted[1]).toBeGreaterThan(plain[1]!);
  });
});

describe('SoftmaxModel', () => {
  it('rejects a state with inconsistent sizes', () => {
    expect(
      () => new SoftmaxModel({ featureCount: 2, classCount: 2, weights: new Float32Array(3), bias: new Float32Array(2) }),
    ).toThrow(RangeError);
  });
});
