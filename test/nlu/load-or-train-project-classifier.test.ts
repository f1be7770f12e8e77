import { appendFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NLU_CACHE_OFF, loadOrTrainProjectClassifier } from '../../src/nlu/load-or-train-project-classifier.js';
import { calibrateClarifyMargin } from '../../src/nlu/calibrate-clarify-margin.js';
import { loadExamplesFile } from '../../src/nlu/load-training-examples.js';
import { writeTinyIntents } from './tiny-dataset.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'candor-nlu-cache-'));
  await writeTinyIntents(join(dir, 'intents'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadOrTrainProjectClassifier', () => {
  it('trains once, then loads the same model from the cache', async () => {
    const sources = { intentsDir: join(dir, 'intents'), cacheDir: join(dir, 'cache') };
    const first = await loadOrTrainProjectClassifier(sources);
    expect(first.fromCache).toBe(false);
    expect(await readdir(join(dir, 'cache'))).toHaveLength(1);
    const second = await loadOrTrainProjectClassifier(sources);
    expect(second.fromCache).toBe(true);
    expect(second.contentHash).toBe(first.contentHash);
    for (const text of ['why did my limit drop', '转人工', 'what is the weather like']) {
      expect(second.classifier.classify(text, 'en')).toEqual(first.classifier.classify(text, 'en'));
    }
    expect(first.classifier.classify('why did my limit drop', 'en').intent).toBe('limit.why_dropped');
  });

  it('draws the clarify margin on the calibration lines and keeps it with the cached model', async () => {
    const sources = { intentsDir: join(dir, 'intents'), cacheDir: join(dir, 'cache'), valFile: join(import.meta.dirname, '../../fixtures/nlu/candor-val.jsonl') };
    const first = await loadOrTrainProjectClassifier(sources);
    const expected = calibrateClarifyMargin(first.classifier, await loadExamplesFile(sources.valFile)).margin;
    expect(first.clarifyMargin).toBe(expected);
    const second = await loadOrTrainProjectClassifier(sources);
    expect(second).toMatchObject({ fromCache: true, clarifyMargin: expected });
    expect((await loadOrTrainProjectClassifier({ ...sources, valFile: undefined, cacheDir: null })).clarifyMargin).toBe(0);
  });

  it('retrains when the intents change', async () => {
    const sources = { intentsDir: join(dir, 'intents'), cacheDir: join(dir, 'cache') };
    const first = await loadOrTrainProjectClassifier(sources);
    await appendFile(join(dir, 'intents', 'smalltalk.greeting.yaml'), '# edited\n');
    const second = await loadOrTrainProjectClassifier(sources);
    expect(second.fromCache).toBe(false);
    expect(second.contentHash).not.toBe(first.contentHash);
  });

  it('treats a corrupt cache file as a miss and rewrites it', async () => {
    const sources = { intentsDir: join(dir, 'intents'), cacheDir: join(dir, 'cache') };
    await loadOrTrainProjectClassifier(sources);
    const [file] = await readdir(join(dir, 'cache'));
    await writeFile(join(dir, 'cache', file!), '{ not json');
    const again = await loadOrTrainProjectClassifier(sources);
    expect(again.fromCache).toBe(false);
    expect((await loadOrTrainProjectClassifier(sources)).fromCache).toBe(true);
  });

  it('calibrates on a validation file when one is given, and can run without a cache', async () => {
    const valFile = join(dir, 'val.jsonl');
    await writeFile(
      valFile,
      ['{"text":"why is my limit lower","intent":"limit.why_dropped","locale":"en"}', '{"text":"what time is it","intent":"oos","locale":"en"}'].join('\n'),
    );
    const loaded = await loadOrTrainProjectClassifier({ intentsDir: join(dir, 'intents'), cacheDir: null, valFile });
    expect(loaded.classifier.calibration.source).toBe('calibration-set');
    expect(loaded.classifier.calibration.calibrationLines).toBe(2);
  });
});

describe('loadOrTrainProjectClassifier with NLU_CACHE_DIR=off', () => {
  it('treats the value off as no cache: trains every time and writes no folder named off', async () => {
    const previous = process.cwd();
    process.chdir(dir);
    try {
      const sources = { intentsDir: join(dir, 'intents'), cacheDir: NLU_CACHE_OFF };
      const first = await loadOrTrainProjectClassifier(sources);
      const second = await loadOrTrainProjectClassifier(sources);
      expect(first.fromCache).toBe(false);
      expect(second.fromCache).toBe(false);
      expect(await readdir(dir)).not.toContain('off');
    } finally {
      process.chdir(previous);
    }
  });
});
