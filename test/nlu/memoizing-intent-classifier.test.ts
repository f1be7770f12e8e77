import { describe, expect, it } from 'vitest';
import type { Locale } from '../../src/core/locale.js';
import type { Classification, IntentClassifier } from '../../src/core/ports/intent-classifier.js';
import { LexiconSentimentScorer } from '../../src/nlu/lexicon-sentiment-scorer.js';
import { memoizeIntentClassifier, memoizeSentimentScorer } from '../../src/nlu/memoizing-intent-classifier.js';

/** A classifier that answers from the text's length and counts how often it really ran. */
function countingClassifier(): IntentClassifier & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    classify(text: string, locale: Locale): Classification {
      calls.push(`${locale}:${text}`);
      return { intent: `len-${text.length}-${locale}`, confidence: 0.9, runnersUp: [{ intent: 'other', confidence: 0.05 }] };
    },
  };
}

describe('memoizeIntentClassifier', () => {
  it('answers a repeated (text, locale) from memory, exactly as the classifier did, and keys on the locale', () => {
    const inner = countingClassifier();
    const classifier = memoizeIntentClassifier(inner);
    const first = classifier.classify('why did my limit drop', 'en');
    const again = classifier.classify('why did my limit drop', 'en');
    expect(again).toBe(first);
    expect(again).toEqual(inner.classify('why did my limit drop', 'en'));
    expect(classifier.classify('why did my limit drop', 'zh-CN').intent).toBe('len-21-zh-CN');
    expect(inner.calls).toEqual(['en:why did my limit drop', 'en:why did my limit drop', 'zh-CN:why did my limit drop']);
  });

  it('hands out frozen classifications, so no caller can change what the next one sees', () => {
    const classifier = memoizeIntentClassifier(countingClassifier());
    const shared = classifier.classify('hello', 'en');
    expect(Object.isFrozen(shared)).toBe(true);
    expect(Object.isFrozen(shared.runnersUp)).toBe(true);
    expect(Object.isFrozen(shared.runnersUp[0])).toBe(true);
    expect(() => {
      (shared as { intent: string }).intent = 'changed';
    }).toThrow(TypeError);
  });

  it('keeps at most maxEntries, evicting the least recently used', () => {
    const inner = countingClassifier();
    const classifier = memoizeIntentClassifier(inner, { maxEntries: 2 });
    classifier.classify('a', 'en');
    classifier.classify('b', 'en');
    classifier.classify('a', 'en'); // a is now the most recent
    classifier.classify('c', 'en'); // evicts b
    expect(classifier.memoSize()).toBe(2);
    inner.calls.length = 0;
    classifier.classify('a', 'en');
    classifier.classify('c', 'en');
    classifier.classify('b', 'en');
    expect(inner.calls).toEqual(['en:b']);
  });

  it('does not remember long texts', () => {
    const inner = countingClassifier();
    const classifier = memoizeIntentClassifier(inner);
    const long = 'my limit '.repeat(40);
    classifier.classify(long, 'en');
    classifier.classify(long, 'en');
    expect(inner.calls).toHaveLength(2);
    expect(classifier.memoSize()).toBe(0);
  });
});

describe('memoizeSentimentScorer', () => {
  it('gives the same scores as the lexicon scorer in both locales, scoring each (text, locale) once', () => {
    const lexicon = new LexiconSentimentScorer();
    let calls = 0;
    const scorer = memoizeSentimentScorer({
      score(text, locale) {
        calls += 1;
        return lexicon.score(text, locale);
      },
    });
    const samples: [string, Locale][] = [
      ['this is a scam, you are useless', 'en'],
      ['thanks, that was helpful', 'en'],
      ['垃圾平台，骗子', 'zh-CN'],
      ['谢谢', 'zh-CN'],
    ];
    for (const [text, locale] of [...samples, ...samples]) expect(scorer.score(text, locale)).toBe(lexicon.score(text, locale));
    expect(calls).toBe(samples.length);
  });
});
