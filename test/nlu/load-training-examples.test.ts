import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CandorError } from '../../src/core/candor-error.js';
import { loadExamplesFile, loadIntentExamples, parseExamplesJsonl } from '../../src/nlu/load-training-examples.js';
import { writeTinyIntents } from './tiny-dataset.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'candor-nlu-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('parseExamplesJsonl', () => {
  it('reads lines with and without a locale and skips blank lines', () => {
    const examples = parseExamplesJsonl('{"text":"hi","intent":"smalltalk.greeting","locale":"en"}\n\n{"text":"天气","intent":"oos"}\n', 'x');
    expect(examples).toEqual([
      { text: 'hi', intent: 'smalltalk.greeting', locale: 'en' },
      { text: '天气', intent: 'oos' },
    ]);
  });

  it('reports every bad line at once', () => {
    const content = '{"text":"ok","intent":"a"}\nnot json\n{"text":"","intent":"a"}\n{"text":"x","intent":"a","locale":"fr"}';
    try {
      parseExamplesJsonl(content, 'data.jsonl');
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(CandorError);
      const message = (error as CandorError).message;
      expect((error as CandorError).code).toBe('content_invalid');
      expect(message).toContain('data.jsonl:2');
      expect(message).toContain('data.jsonl:3');
      expect(message).toContain('data.jsonl:4');
      expect(message).not.toContain('data.jsonl:1');
    }
  });

  it('reads a file from disk', async () => {
    await writeFile(join(dir, 'a.jsonl'), '{"text":"hello","intent":"smalltalk.greeting"}\n');
    expect(await loadExamplesFile(join(dir, 'a.jsonl'))).toEqual([{ text: 'hello', intent: 'smalltalk.greeting' }]);
  });
});

describe('loadIntentExamples', () => {
  it('reads every intent in both locales plus the out-of-scope file', async () => {
    await writeTinyIntents(dir);
    const loaded = await loadIntentExamples(dir);
    expect(loaded.intentIds.sort()).toEqual(['agent.request', 'limit.why_dropped', 'smalltalk.greeting']);
    expect(loaded.examples.filter((line) => line.intent === 'agent.request' && line.locale === 'en')).toHaveLength(24);
    expect(loaded.examples.filter((line) => line.intent === 'oos' && line.locale === 'zh-CN')).toHaveLength(4);
    expect(loaded.sources.map((source) => source.file)).toEqual([
      '_oos.yaml',
      'agent.request.yaml',
      'limit.why_dropped.yaml',
      'smalltalk.greeting.yaml',
    ]);
  });

  it('reports all schema problems across files in one error', async () => {
    await writeTinyIntents(dir);
    await writeFile(join(dir, 'bad.one.yaml'), 'id: Bad\ndescription: short\n');
    await writeFile(join(dir, 'broken.yaml'), 'id: [unclosed\n');
    try {
      await loadIntentExamples(dir);
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(CandorError);
      const message = (error as CandorError).message;
      expect(message).toContain('bad.one.yaml › id');
      expect(message).toContain('bad.one.yaml › description');
      expect(message).toContain('broken.yaml: YAML error');
    }
  });
});
