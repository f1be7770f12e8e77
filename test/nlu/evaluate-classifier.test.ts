import { describe, expect, it } from 'vitest';
import { evaluateClassifier } from '../../src/nlu/evaluate-classifier.js';
import type { TrainingExample } from '../../src/nlu/training-example.js';
import { ScriptedIntentClassifier } from '../fakes/nlu-scripted-intent-classifier.js';

const classifier = new ScriptedIntentClassifier({
  a1: { intent: 'a', confidence: 0.95 },
  a2: { intent: 'a', confidence: 0.92 },
  a3: { intent: 'b', confidence: 0.55 },
  b1: { intent: 'b', confidence: 0.85 },
  b2: { intent: 'oos', confidence: 0.6 },
  o1: { intent: 'oos', confidence: 0.7 },
  o2: { intent: 'a', confidence: 0.45 },
  z1: { intent: 'a', confidence: 0.91 },
  z2: { intent: 'oos', confidence: 0.8 },
});
const test: TrainingExample[] = [
  { text: 'a1', intent: 'a', locale: 'en' },
  { text: 'a2', intent: 'a', locale: 'en' },
  { text: 'a3', intent: 'a', locale: 'en' },
  { text: 'b1', intent: 'b', locale: 'en' },
  { text: 'b2', intent: 'b', locale: 'en' },
  { text: 'o1', intent: 'oos', locale: 'en' },
  { text: 'o2', intent: 'oos', locale: 'en' },
  { text: 'z1', intent: 'a', locale: 'zh-CN' },
  { text: 'z2', intent: 'oos', locale: 'zh-CN' },
];

function fakeClock(): () => number {
  let time = 0;
  return () => {
    time += 0.05; // every reading advances 50 µs, so every call "takes" 50 µs
    return time;
  };
}

describe('evaluateClassifier', () => {
  const report = evaluateClassifier(classifier, test, { now: fakeClock() });

  it('computes in-scope accuracy, oos recall and precision as fractions', () => {
    expect(report.n).toBe(9);
    expect(report.inScopeAccuracy).toBeCloseTo(4 / 6, 12);
    expect(report.oosRecall).toBeCloseTo(2 / 3, 12);
    expect(report.oosPrecision).toBeCloseTo(2 / 3, 12);
  });

  it('computes macro-F1 over the gold classes', () => {
    // a: P 3/4 R 3/4; b: P 1/2 R 1/2; oos: P 2/3 R 2/3.
    expect(report.macroF1).toBeCloseTo((0.75 + 0.5 + 2 / 3) / 3, 12);
  });

  it('reports each locale when locales are mixed', () => {
    expect(report.byLocale.en?.n).toBe(7);
    expect(report.byLocale['zh-CN']).toMatchObject({ n: 2, inScopeAccuracy: 1, oosRecall: 1 });
  });

  it('lists the worst intents first with their main confusions', () => {
    expect(report.worstIntents[0]).toMatchObject({ intent: 'b', support: 2, recall: 0.5, confusedWith: [{ intent: 'oos', count: 1 }] });
    const a = report.worstIntents.find((row) => row.intent === 'a');
    expect(a?.confusedWith).toEqual([{ intent: 'b', count: 1 }]);
  });

  it('builds a reliability table of accuracy by confidence bucket', () => {
    const top = report.reliability.find((bucket) => bucket.from === 0.9);
    expect(top).toMatchObject({ count: 3, accuracy: 1 });
    const low = report.reliability.find((bucket) => bucket.from === 0.4);
    expect(low).toMatchObject({ count: 1, accuracy: 0 });
    expect(report.reliability.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(9);
    expect(report.expectedCalibrationError).toBeGreaterThan(0);
  });

  it('times each classification with the given clock', () => {
    expect(report.classifyP50Us).toBeCloseTo(50, 6);
    expect(report.classifyP99Us).toBeCloseTo(50, 6);
  });

  it('leaves locales out when the test set has one', () => {
    const single = evaluateClassifier(classifier, test.slice(0, 3), { now: fakeClock() });
    expect(single.byLocale).toEqual({});
    expect(single.oosRecall).toBe(0);
  });
});
