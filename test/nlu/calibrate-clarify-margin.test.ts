import { describe, expect, it } from 'vitest';
import type { Classification, IntentClassifier } from '../../src/core/ports/intent-classifier.js';
import { calibrateClarifyMargin } from '../../src/nlu/calibrate-clarify-margin.js';

/** A classifier that answers each text with a fixed best intent and margin over the runner-up. */
function scripted(answers: Record<string, { intent: string; margin: number }>): IntentClassifier {
  return {
    classify(text: string): Classification {
      const answer = answers[text];
      if (!answer) throw new Error(`no answer for ${text}`);
      return { intent: answer.intent, confidence: 0.5 + answer.margin / 2, runnersUp: [{ intent: 'other', confidence: 0.5 - answer.margin / 2 }] };
    },
  };
}

describe('calibrateClarifyMargin', () => {
  it('asks where the best intent is more often wrong than right, and nowhere else', () => {
    const classifier = scripted({
      a: { intent: 'x', margin: 0.02 }, // wrong
      b: { intent: 'x', margin: 0.04 }, // wrong
      c: { intent: 'x', margin: 0.06 }, // right
      d: { intent: 'x', margin: 0.08 }, // wrong
      e: { intent: 'x', margin: 0.5 }, // right
      f: { intent: 'x', margin: 0.9 }, // right
      g: { intent: 'oos', margin: 0.01 }, // not answered in scope: not counted
    });
    const lines = [
      { text: 'a', intent: 'y' },
      { text: 'b', intent: 'y' },
      { text: 'c', intent: 'x' },
      { text: 'd', intent: 'y' },
      { text: 'e', intent: 'x' },
      { text: 'f', intent: 'x' },
      { text: 'g', intent: 'x' },
      { text: 'ignored', intent: 'oos' },
    ];
    const calibration = calibrateClarifyMargin(classifier, lines);
    // Up to b: 2 wrong, 0 right (gain 2); up to d: 3 wrong, 1 right (gain 2, not more): the smaller margin wins.
    expect(calibration).toEqual({ margin: expect.closeTo(0.05, 6), clarifiedRight: 0, clarifiedWrong: 2, n: 6 });
  });

  it('never asks when asking would interrupt as many right answers as it saves wrong ones', () => {
    const classifier = scripted({ a: { intent: 'x', margin: 0.01 }, b: { intent: 'x', margin: 0.02 } });
    expect(calibrateClarifyMargin(classifier, [{ text: 'a', intent: 'x' }, { text: 'b', intent: 'y' }]).margin).toBe(0);
  });
});
