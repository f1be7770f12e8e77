import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDING_TOP_WORDS, runEvalNlu } from '../../src/nlu/eval-nlu-cli.js';
import { buildTinyDataset, writeTinyIntents } from './tiny-dataset.js';

const run = promisify(execFile);
const REQUIRED_KEYS = ['n', 'inScopeAccuracy', 'oosRecall', 'macroF1', 'trainMs', 'classifyP50Us', 'classifyP99Us'];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'candor-eval-'));
  const { train, val, test } = buildTinyDataset();
  const toLines = (rows: unknown[]): string => rows.map((row) => JSON.stringify(row)).join('\n');
  await writeFile(join(dir, 'train.jsonl'), toLines(train));
  await writeFile(join(dir, 'val.jsonl'), toLines(val));
  await writeFile(join(dir, 'test.jsonl'), toLines(test));
  await writeTinyIntents(join(dir, 'intents'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('eval:nlu', () => {
  it('prints a summary and, with --json, one JSON object with the contract fields as its last line', async () => {
    const { output, summary } = await runEvalNlu(
      ['--train', 'train.jsonl', '--val', 'val.jsonl', '--test', 'test.jsonl', '--json'],
      dir,
    );
    const lines = output.trim().split('\n');
    const last = JSON.parse(lines.at(-1)!) as Record<string, unknown>;
    for (const key of REQUIRED_KEYS) expect(typeof last[key], key).toBe('number');
    expect(last.n).toBe(8);
    expect(last).toMatchObject({ calibration: 'calibration-set' });
    expect(summary.inScopeAccuracy).toBeGreaterThanOrEqual(0);
    expect(summary.inScopeAccuracy).toBeLessThanOrEqual(1);
    expect(Object.keys(summary.byLocale).sort()).toEqual(['en', 'zh-CN']);
    expect(output).toContain('worst intents');
    expect(output).toContain('reliability');
    // A JSON-lines dataset gets word embeddings from the installed package: the training words plus the most frequent ones.
    expect(summary.embeddingWords).toBeGreaterThan(EMBEDDING_TOP_WORDS);
    expect(summary.embeddingLoadMs).toBeGreaterThan(0);
    expect(summary.trainMs).toBeGreaterThanOrEqual(summary.embeddingLoadMs);
  }, 60_000);

  it('leaves the embeddings out with --embeddings off and rejects other values', async () => {
    const args = ['--train', 'train.jsonl', '--val', 'val.jsonl', '--test', 'test.jsonl'];
    const { summary } = await runEvalNlu([...args, '--embeddings', 'off'], dir);
    expect(summary.embeddingWords).toBe(0);
    expect(summary.embeddingLoadMs).toBe(0);
    await expect(runEvalNlu([...args, '--embeddings', 'maybe'], dir)).rejects.toThrow(/usage/);
  });

  it('trains on the project intents with --train intents', async () => {
    const { summary } = await runEvalNlu(['--train', 'intents', '--test', 'test.jsonl', '--json'], dir);
    expect(summary.trainLines).toBeGreaterThan(100);
    expect(summary.calibration).toBe('held-out-training');
    expect(summary.embeddingWords).toBe(0);
  });

  it('rejects a call without --test', async () => {
    await expect(runEvalNlu(['--train', 'train.jsonl'], dir)).rejects.toThrow(/usage/);
  });

  it('runs as a real process and ends its output with the JSON line', async () => {
    const cli = resolve('src/nlu/eval-nlu-cli.ts');
    const tsx = resolve('node_modules/.bin/tsx');
    const { stdout } = await run(tsx, [cli, '--train', 'train.jsonl', '--test', 'test.jsonl', '--embeddings', 'off', '--json'], { cwd: dir });
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    for (const key of REQUIRED_KEYS) expect(last).toHaveProperty(key);
  });

  it('exits non-zero with a message on a bad data file', async () => {
    await writeFile(join(dir, 'bad.jsonl'), 'nope\n');
    const cli = resolve('src/nlu/eval-nlu-cli.ts');
    const tsx = resolve('node_modules/.bin/tsx');
    await expect(run(tsx, [cli, '--train', 'bad.jsonl', '--test', 'test.jsonl'], { cwd: dir })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('bad.jsonl:1'),
    });
  });
});
