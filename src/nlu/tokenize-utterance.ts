import AggressiveTokenizer from 'natural/lib/natural/tokenizers/aggressive_tokenizer.js';
import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer.js';

/** The pieces of one utterance that feature extraction works from. */
export interface UtteranceTokens {
  /** Latin-script words, lower-cased, in order. */
  words: string[];
  /** Porter stems of `words`, same order and length. */
  stems: string[];
  /** Runs of Han characters (Chinese), in order; punctuation and Latin text split runs. */
  hanRuns: string[];
}

const HAN_RUN = /\p{Script=Han}+/gu;
const HAN_CHAR = /\p{Script=Han}/u;

/** Normalises text for matching: NFKC (full-width to half-width), lower case, straight quotes, single spaces. */
export function normalizeUtterance(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/** Returns true when the text contains at least one Han (Chinese) character. */
export function hasHanCharacters(text: string): boolean {
  return HAN_CHAR.test(text);
}

/** A tokenizer for English and Simplified Chinese built on natural's aggressive tokenizer and Porter stemmer. */
export interface UtteranceTokenizer {
  tokenize(text: string): UtteranceTokens;
}

/** Creates a tokenizer; Latin words go through natural, Han text is kept as runs for character n-grams. */
export function createUtteranceTokenizer(): UtteranceTokenizer {
  const wordTokenizer = new AggressiveTokenizer();
  const stemCache = new Map<string, string>();

  function stemWord(word: string): string {
    const cached = stemCache.get(word);
    if (cached !== undefined) return cached;
    // Contractions stay whole ("can't" and "cant" both matter); the stemmer only sees letters.
    const stem = /^[a-z]+$/.test(word) ? PorterStemmer.stem(word) : word;
    if (stemCache.size < 200_000) stemCache.set(word, stem);
    return stem;
  }

  return {
    tokenize: function tokenizeUtterance(text: string): UtteranceTokens {
      const normalized = normalizeUtterance(text);
      const hanRuns = normalized.match(HAN_RUN) ?? [];
      const latin = hanRuns.length > 0 ? normalized.replace(HAN_RUN, ' ') : normalized;
      const words = wordTokenizer
        .tokenize(latin)
        .map((word) => word.replace(/^'+|'+$/g, ''))
        .filter((word) => word.length > 0);
      return { words, stems: words.map(stemWord), hanRuns };
    },
  };
}
