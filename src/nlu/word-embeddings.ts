import { z } from 'zod';

/** The serialisable state of a word-embedding table: words in row order and their vectors as base64 Float32 rows. */
export const wordEmbeddingsStateSchema = z.object({
  dimensions: z.number().int().positive(),
  words: z.array(z.string()),
  /** `words.length * dimensions` little-endian Float32 values, base64-encoded. */
  vectors: z.string(),
});

/** The serialisable state of a word-embedding table (see `wordEmbeddingsStateSchema`). */
export type WordEmbeddingsState = z.infer<typeof wordEmbeddingsStateSchema>;

/**
 * A compact table of unit-length word vectors (one Float32Array, a row per word), looked up by
 * lower-cased, unstemmed word; 50,000 words of 100 dimensions take 20 MB.
 */
export class WordEmbeddings {
  readonly dimensions: number;
  private readonly rows: Map<string, number>;
  private readonly vectors: Float32Array;

  /** Builds a table from words and their vectors (row-major); every row is scaled to unit length. */
  constructor(words: readonly string[], vectors: Float32Array, dimensions: number) {
    if (!Number.isInteger(dimensions) || dimensions <= 0 || vectors.length !== words.length * dimensions) {
      throw new RangeError('word embeddings have inconsistent sizes');
    }
    this.dimensions = dimensions;
    this.rows = new Map(words.map((word, i) => [word, i]));
    if (this.rows.size !== words.length) throw new RangeError('word embeddings list a word twice');
    this.vectors = vectors;
    for (let row = 0; row < words.length; row += 1) {
      const start = row * dimensions;
      let squared = 0;
      for (let d = 0; d < dimensions; d += 1) squared += vectors[start + d]! * vectors[start + d]!;
      if (squared === 0) continue;
      const unit = 1 / Math.sqrt(squared);
      for (let d = 0; d < dimensions; d += 1) vectors[start + d]! *= unit;
    }
  }

  /** Number of words in the table. */
  get size(): number {
    return this.rows.size;
  }

  /** True when the table has a vector for the word. */
  has(word: string): boolean {
    return this.rows.has(word);
  }

  /** The row of a word in the table, or -1 for an unknown word. */
  rowOf(word: string): number {
    return this.rows.get(word) ?? -1;
  }

  /** Adds the unit vector in `row` to `out` (length `dimensions`). */
  addRow(row: number, out: Float64Array): void {
    const start = row * this.dimensions;
    for (let d = 0; d < this.dimensions; d += 1) out[d]! += this.vectors[start + d]!;
  }

  /**
   * Multiplies every word vector by a block of a feature-major weight matrix (rows `firstFeature`
   * to `firstFeature + dimensions - 1`, `classCount` columns) and returns the word-major products, so
   * a linear model's scores for a mean vector are sums of precomputed rows.
   */
  projectRows(weights: Float32Array, firstFeature: number, classCount: number): Float32Array {
    const { dimensions } = this;
    if (weights.length < (firstFeature + dimensions) * classCount) throw new RangeError('weights are too small to project onto');
    const projected = new Float32Array(this.rows.size * classCount);
    const sums = new Float64Array(classCount);
    for (let row = 0; row < this.rows.size; row += 1) {
      sums.fill(0);
      for (let d = 0; d < dimensions; d += 1) {
        const value = this.vectors[row * dimensions + d]!;
        const weightRow = (firstFeature + d) * classCount;
        for (let c = 0; c < classCount; c += 1) sums[c]! += value * weights[weightRow + c]!;
      }
      projected.set(sums, row * classCount);
    }
    return projected;
  }

  /** The unit vector of a word (a view into the table; do not mutate), or undefined for an unknown word. */
  vectorOf(word: string): Float32Array | undefined {
    const row = this.rows.get(word);
    if (row === undefined) return undefined;
    return this.vectors.subarray(row * this.dimensions, (row + 1) * this.dimensions);
  }

  /**
   * Writes the L2-normalised mean of the unit vectors of the known words into `out` (length
   * `dimensions`) and returns how many words were known; with none, `out` is all zeros.
   */
  meanVector(words: readonly string[], out: Float64Array): number {
    out.fill(0);
    let known = 0;
    for (const word of words) {
      const vector = this.vectorOf(word);
      if (vector === undefined) continue;
      known += 1;
      for (let d = 0; d < this.dimensions; d += 1) out[d]! += vector[d]!;
    }
    let squared = 0;
    for (let d = 0; d < this.dimensions; d += 1) squared += out[d]! * out[d]!;
    if (squared > 0) {
      const unit = 1 / Math.sqrt(squared);
      for (let d = 0; d < this.dimensions; d += 1) out[d]! *= unit;
    }
    return known;
  }

  /** Returns the serialisable state (words in row order, vectors as base64 Float32). */
  toState(): WordEmbeddingsState {
    const words = new Array<string>(this.rows.size);
    for (const [word, row] of this.rows) words[row] = word;
    return {
      dimensions: this.dimensions,
      words,
      vectors: Buffer.from(this.vectors.buffer, this.vectors.byteOffset, this.vectors.byteLength).toString('base64'),
    };
  }

  /** Restores a table from its serialised state. */
  static fromState(state: WordEmbeddingsState): WordEmbeddings {
    const bytes = Buffer.from(state.vectors, 'base64');
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes);
    if (copy.byteLength % 4 !== 0) throw new RangeError('word embedding vectors are not Float32 values');
    return new WordEmbeddings(state.words, new Float32Array(copy.buffer), state.dimensions);
  }
}
