import type { Classification, IntentClassifier } from '../../src/core/ports/intent-classifier.js';
import type { Locale } from '../../src/core/locale.js';

/** An `IntentClassifier` that answers from a fixed table (text → intent, confidence), `oos` otherwise. */
export class ScriptedIntentClassifier implements IntentClassifier {
  private readonly answers: ReadonlyMap<string, { intent: string; confidence: number }>;

  constructor(answers: Record<string, { intent: string; confidence: number }>) {
    this.answers = new Map(Object.entries(answers));
  }

  classify(text: string, _locale: Locale): Classification {
    const answer = this.answers.get(text) ?? { intent: 'oos', confidence: 0.5 };
    return { intent: answer.intent, confidence: answer.confidence, runnersUp: [] };
  }
}
