import { describe, expect, it } from 'vitest';
import { restoreIntentClassifier, splitHoldOut, trainIntentClassifier } from '../../src/nlu/train-intent-classifier.js';
import { CandorError } from '../../src/core/candor-error.js';
import { buildTinyDataset } from './tiny-dataset.js';

const { train, val, test } = buildTinyDataset();
const options = { training: { epochs: 20, seed: 5 } };

describe('trainIntentClassifier', () => {
  const classifier = trainIntentClassifier(train, { options, calibrationExamples: val });

  it('recognises unseen in-scope lines in both languages', () => {
    for (const example of test.filter((line) => line.intent !== 'oos')) {
      expect(classifier.classify(example.text, example.locale ?? 'en').intent, example.text).toBe(example.intent);
    }
  });

  it('answers oos for unrelated requests', () => {
    expect(classifier.classify('book a table for two at an italian restaurant', 'en').intent).toBe('oos');
    expect(classifier.classify('帮我订一张去上海的机票', 'zh-CN').intent).toBe('oos');
  });

  it('returns a confidence in [0, 1] and at most three in-scope runners-up, best first, without the answer', () => {
    const result = classifier.classify('why did my limit go down', 'en');
    expect(result.confidence).toBeGreaterThan(0.5);
    expect(result.confidence).toBeLessThanOrEqual(1);
    expect(result.runnersUp.length).toBeLessThanOrEqual(3);
    expect(result.runnersUp.map((runner) => runner.intent)).not.toContain(result.intent);
    expect(result.runnersUp.map((runner) => runner.intent)).not.toContain('oos');
    const confidences = result.runnersUp.map((runner) => runner.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
  });

  it('gives probabilities over all labels that sum to one', () => {
    const probabilities = classifier.probabilities('hello');
    expect(probabilities.length).toBe(classifier.labels.length);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(classifier.labels).toContain('oos');
  });

  it('records how it was calibrated', () => {
    expect(classifier.calibration.source).toBe('calibration-set');
    expect(classifier.calibration.calibrationLines).toBe(val.length);
    expect(classifier.calibration.temperature).toBeGreaterThan(0);
    expect(classifier.calibration.threshold).toBeGreaterThanOrEqual(0);
  });

  it('is deterministic: the same data and seed give the same model', () => {
    const again = trainIntentClassifier(train, { options, calibrationExamples: val });
    expect(again.toSnapshot()).toEqual(classifier.toSnapshot());
  });

  it('round-trips through a JSON snapshot with identical answers', () => {
    const restored = restoreIntentClassifier(JSON.parse(JSON.stringify(classifier.toSnapshot())));
    for (const example of test) {
      expect(restored.classify(example.text, example.locale ?? 'en')).toEqual(classifier.classify(example.text, example.locale ?? 'en'));
    }
  });

  it('rejects a damaged snapshot', () => {
    const snapshot = { ...classifier.toSnapshot(), formatVersion: 2 };
    expect(() => restoreIntentClassifier(snapshot)).toThrow(CandorError);
  });

  it('calibrates on held-out training lines when no calibration set is given', () => {
    const selfCalibrated = trainIntentClassifier(train, { options });
    expect(selfCalibrated.calibration.source).toBe('held-out-training');
    expect(selfCalibrated.classify('why was my limit reduced', 'en').intent).toBe('limit.why_dropped');
  });

  it('blends naive Bayes into the linear model by default and records the blend', () => {
    expect(classifier.calibration.blend?.naiveBayesWeight).toBe(0.4);
    expect(classifier.calibration.blend?.linearTemperature).toBeGreaterThan(0);
    expect(classifier.calibration.blend?.naiveBayesTemperature).toBeGreaterThan(0);
    const plain = trainIntentClassifier(train, { options: { ...options, naiveBayesWeight: 0 }, calibrationExamples: val });
    expect(plain.calibration.blend).toBeUndefined();
    expect(plain.toSnapshot().model.weights).not.toBe(classifier.toSnapshot().model.weights);
    expect(plain.classify('why did my limit go down', 'en').intent).toBe('limit.why_dropped');
  });

  it('keeps the blend fitted on held-out lines when it refits on all lines', () => {
    const selfCalibrated = trainIntentClassifier(train, { options });
    expect(selfCalibrated.calibration.blend?.naiveBayesTemperature).toBeGreaterThan(0);
    const restored = restoreIntentClassifier(JSON.parse(JSON.stringify(selfCalibrated.toSnapshot())));
    expect(restored.calibration).toEqual(selfCalibrated.calibration);
  });

  it('trains with the hinge loss too', () => {
    const hinge = trainIntentClassifier(train, { options: { training: { loss: 'hinge', epochs: 20, learningRate: 0.1 } }, calibrationExamples: val });
    expect(hinge.classify('talk to a human please', 'en').intent).toBe('agent.request');
  });

  it('refuses to train on fewer than two in-scope intents', () => {
    expect(() => trainIntentClassifier(train.filter((line) => line.intent === 'oos' || line.intent === 'agent.request'))).toThrow(CandorError);
  });
});

describe('splitHoldOut', () => {
  it('holds out a share of every intent and locale, deterministically, without losing lines', () => {
    const first = splitHoldOut(train, 0.25, 1);
    const second = splitHoldOut(train, 0.25, 1);
    expect(second).toEqual(first);
    expect(first.train.length + first.holdOut.length).toBe(train.length);
    const heldIntents = new Set(first.holdOut.map((line) => `${line.intent}/${line.locale}`));
    expect(heldIntents.size).toBe(new Set(train.map((line) => `${line.intent}/${line.locale}`)).size);
  });
});
