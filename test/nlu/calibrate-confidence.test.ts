import { describe, expect, it } from 'vitest';
import { chooseOosThreshold, fitTemperature, measureAtThreshold, negativeLogLikelihood } from '../../src/nlu/calibrate-confidence.js';
import type { CalibrationPoint } from '../../src/nlu/calibrate-confidence.js';
import { createSeededRandom } from '../../src/nlu/create-seeded-random.js';
import { softmaxInPlace } from '../../src/nlu/softmax-model.js';

function inScope(probability: number, correct = true): CalibrationPoint {
  return { bestInScopeProbability: probability, isBestInScopeCorrect: correct, isOosTop: false, isOos: false };
}
function outOfScope(probability: number, isOosTop = false): CalibrationPoint {
  return { bestInScopeProbability: probability, isBestInScopeCorrect: false, isOosTop, isOos: true };
}

describe('measureAtThreshold', () => {
  it('counts in-scope hits above the threshold and out-of-scope lines below it or with oos on top', () => {
    const points = [inScope(0.9), inScope(0.4), inScope(0.8, false), outOfScope(0.3), outOfScope(0.9, true), outOfScope(0.7)];
    expect(measureAtThreshold(points, 0.5)).toEqual({ threshold: 0.5, inScopeAccuracy: 1 / 3, oosRecall: 2 / 3 });
    expect(measureAtThreshold(points, 0)).toEqual({ threshold: 0, inScopeAccuracy: 2 / 3, oosRecall: 1 / 3 });
  });
});

describe('chooseOosThreshold', () => {
  const points = [
    ...Array.from({ length: 100 }, (_, i) => inScope(0.5 + i * 0.005)),
    inScope(0.2, false),
    outOfScope(0.1),
    outOfScope(0.3),
    outOfScope(0.45),
    outOfScope(0.51),
  ];

  it('catches as many out-of-scope lines as the in-scope budget allows', () => {
    const strict = chooseOosThreshold(points, 0);
    expect(strict.inScopeAccuracy).toBeCloseTo(100 / 101, 10);
    expect(strict.oosRecall).toBe(0.75);
    expect(strict.threshold).toBeGreaterThan(0.45);
    expect(strict.threshold).toBeLessThanOrEqual(0.5);
  });

  it('spends the budget when it buys recall', () => {
    const loose = chooseOosThreshold(points, 0.05);
    expect(loose.oosRecall).toBe(1);
    expect(loose.inScopeAccuracy).toBeCloseTo(97 / 101, 10);
  });

  it('falls back to no threshold when there is nothing out of scope', () => {
    expect(chooseOosThreshold([inScope(0.9), inScope(0.3)], 0.5).threshold).toBe(0);
  });
});

describe('fitTemperature', () => {
  it('recovers the temperature that generated the labels', () => {
    const random = createSeededRandom(3);
    const trueTemperature = 2.5;
    const logits: Float64Array[] = [];
    const labels: number[] = [];
    for (let n = 0; n < 4000; n += 1) {
      const scores = Float64Array.from({ length: 4 }, () => random() * 10);
      const probabilities = softmaxInPlace(Float64Array.from(scores), trueTemperature);
      let draw = random();
      let label = 0;
      while (label < 3 && draw > probabilities[label]!) {
        draw -= probabilities[label]!;
        label += 1;
      }
      logits.push(scores);
      labels.push(label);
    }
    const fitted = fitTemperature(logits, labels);
    expect(fitted).toBeGreaterThan(2.2);
    expect(fitted).toBeLessThan(2.8);
    expect(negativeLogLikelihood(logits, labels, fitted)).toBeLessThanOrEqual(negativeLogLikelihood(logits, labels, 1));
  });

  it('sharpens an under-confident model (temperature below one)', () => {
    const logits = [Float64Array.from([1, 0]), Float64Array.from([0, 1])];
    expect(fitTemperature(logits, [0, 1])).toBeLessThan(0.1);
  });

  it('returns 1 with no data', () => {
    expect(fitTemperature([], [])).toBe(1);
  });
});
