import { describe, expect, it } from 'vitest';
import { createUtteranceTokenizer, hasHanCharacters, normalizeUtterance } from '../../src/nlu/tokenize-utterance.js';

describe('normalizeUtterance', () => {
  it('lower-cases, folds full-width characters and curly quotes, and collapses spaces', () => {
    expect(normalizeUtterance('  Why ＤＩＤ my   limit’s  drop？ ')).toBe("why did my limit's drop?");
  });
});

describe('createUtteranceTokenizer', () => {
  const tokenizer = createUtteranceTokenizer();

  it('splits English into words, keeps contractions whole, and stems with Porter', () => {
    const tokens = tokenizer.tokenize("Why can't I increase my limits?");
    expect(tokens.words).toEqual(['why', "can't", 'i', 'increase', 'my', 'limits']);
    expect(tokens.stems).toEqual(['why', "can't", 'i', 'increas', 'my', 'limit']);
    expect(tokens.hanRuns).toEqual([]);
  });

  it('keeps Chinese as runs of Han characters split by punctuation', () => {
    const tokens = tokenizer.tokenize('为什么我的额度降了？转人工！');
    expect(tokens.hanRuns).toEqual(['为什么我的额度降了', '转人工']);
    expect(tokens.words).toEqual([]);
  });

  it('handles mixed Chinese and Latin text', () => {
    const tokens = tokenizer.tokenize('我的APP额度降到5000了');
    expect(tokens.hanRuns).toEqual(['我的', '额度降到', '了']);
    expect(tokens.words).toEqual(['app', '5000']);
  });

  it('returns nothing for empty or punctuation-only text', () => {
    expect(tokenizer.tokenize(' ?! ')).toEqual({ words: [], stems: [], hanRuns: [] });
  });
});

describe('hasHanCharacters', () => {
  it('detects Han characters', () => {
    expect(hasHanCharacters('hello 你好')).toBe(true);
    expect(hasHanCharacters('hello')).toBe(false);
  });
});
