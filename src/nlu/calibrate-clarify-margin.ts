import { OUT_OF_SCOPE, type IntentClassifier } from '../core/ports/intent-classifier.js';
import type { TrainingExample } from './training-example.js';

/** The margin chosen and what it does on the lines it was drawn on. */
export interface ClarifyMarginCalibration {
  /** Ask which intent was meant when the best leads the runner-up by less than this (0: never). */
  margin: number;
  /** In-scope answers the margin would turn into a question: right ones (a needless question) and wrong ones (a wrong answer avoided). */
  clarifiedRight: number;
  clarifiedWrong: number;
  /** The in-scope lines classified in scope, which the margin is drawn on. */
  n: number;
}

/**
 * Draws the clarify margin on held-out lines: of the lines answered in scope, a question is worth asking
 * where the best intent is more often wrong than right, so the margin is the one under which asking
 * avoids the most wrong answers net of needless questions (the smallest such margin on ties; 0 when no
 * margin avoids more wrong answers than it interrupts right ones).
 */
export function calibrateClarifyMargin(classifier: IntentClassifier, lines: readonly TrainingExample[]): ClarifyMarginCalibration {
  const scored: { margin: number; isRight: boolean }[] = [];
  for (const line of lines) {
    if (line.intent === OUT_OF_SCOPE) continue;
    const result = classifier.classify(line.text, line.locale ?? 'en');
    const runnerUp = result.runnersUp[0];
    if (result.intent === OUT_OF_SCOPE || runnerUp === undefined) continue;
    scored.push({ margin: result.confidence - runnerUp.confidence, isRight: result.intent === line.intent });
  }
  scored.sort((a, b) => a.margin - b.margin);
  let best = { margin: 0, gain: 0, right: 0, wrong: 0 };
  let right = 0;
  let wrong = 0;
  for (const [index, line] of scored.entries()) {
    if (line.isRight) right += 1;
    else wrong += 1;
    const next = scored[index + 1];
    // A margin between this line and the next asks about every line up to this one.
    if (next !== undefined && next.margin === line.margin) continue;
    const margin = next === undefined ? line.margin + 1e-9 : (line.margin + next.margin) / 2;
    if (wrong - right > best.gain) best = { margin, gain: wrong - right, right, wrong };
  }
  return { margin: best.margin, clarifiedRight: best.right, clarifiedWrong: best.wrong, n: scored.length };
}
