import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SentimentAnalyzer } from 'natural/lib/natural/sentiment/index.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { LexiconSentimentScorer } from '../../src/nlu/lexicon-sentiment-scorer.js';
import { createUtteranceTokenizer } from '../../src/nlu/tokenize-utterance.js';

describe('LexiconSentimentScorer', () => {
  const scorer = new LexiconSentimentScorer();

  it('scores strongly negative messages at or below -0.5 in both languages', () => {
    expect(scorer.score('this is a scam, you people are useless', 'en')).toBeLessThanOrEqual(-0.5);
    expect(scorer.score('垃圾平台 骗子', 'zh-CN')).toBeLessThanOrEqual(-0.5);
  });

  it('scores thanks as positive and a plain question near zero', () => {
    expect(scorer.score('thanks, that really helps', 'en')).toBeGreaterThan(0.3);
    expect(scorer.score('谢谢，很清楚', 'zh-CN')).toBeGreaterThan(0.3);
    expect(Math.abs(scorer.score('when is my next review', 'en'))).toBeLessThan(0.2);
    expect(scorer.score('我的额度是多少', 'zh-CN')).toBe(0);
  });

  it('flips polarity after a negation in both languages', () => {
    expect(scorer.score("i don't like this", 'en')).toBeLessThan(0);
    expect(scorer.score('我不喜欢', 'zh-CN')).toBeLessThan(0);
    expect(scorer.score('我喜欢', 'zh-CN')).toBeGreaterThan(0);
  });

  it('stays within [-1, 1] however much abuse piles up', () => {
    const score = scorer.score('scam scam scam useless terrible awful 垃圾 骗子 骗子 骗子', 'en');
    expect(score).toBeGreaterThanOrEqual(-1);
    expect(score).toBeLessThan(-0.9);
  });

  it('uses a custom Chinese lexicon when given one', () => {
    expect(new LexiconSentimentScorer({ 好极了: 4 }).score('好极了', 'zh-CN')).toBeGreaterThan(0.5);
  });

  it("scores English exactly as natural's AFINN analyser does, on every English line of intents/ and on negations and unusual words", () => {
    const analyser = new SentimentAnalyzer('English', undefined, 'afinn');
    const tokenizer = createUtteranceTokenizer();
    const lines = readdirSync('intents')
      .filter((name) => name.endsWith('.yaml'))
      .flatMap((name) => (parse(readFileSync(join('intents', name), 'utf8')) as { examples: { en: string[] } }).examples.en);
    lines.push("i don't hate this, never bad", 'no good neither great not terrible', 'constructor toString __proto__ hasOwnProperty', 'THIS IS AWFUL');
    expect(lines.length).toBeGreaterThan(400);
    for (const line of lines) {
      const words = tokenizer.tokenize(line).words.flatMap((word) => (word.endsWith("n't") ? [word.slice(0, -3), 'not'] : [word]));
      const reference = words.length === 0 ? 0 : Math.tanh((analyser.getSentiment(words) * words.length) / 6);
      expect(scorer.score(line, 'en'), line).toBeCloseTo(reference, 12);
    }
  });
});
