import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { CandorError } from '../core/candor-error.js';
import { OUT_OF_SCOPE } from '../core/ports/intent-classifier.js';
import { IntentFileSchema } from '../content/intent-file-schema.js';
import { trainingExampleSchema } from './training-example.js';
import type { TrainingExample } from './training-example.js';

/** The schema of `intents/_oos.yaml`: out-of-scope lines per locale, used to train the `oos` class. */
export const OutOfScopeFileSchema = z
  .object({
    id: z.literal(OUT_OF_SCOPE),
    description: z.string().optional(),
    examples: z.object({ en: z.array(z.string().min(1).max(300)), 'zh-CN': z.array(z.string().min(1).max(300)) }).strict(),
  })
  .strict();

/** Labelled lines read from `intents/`, with the raw file texts (for content hashing). */
export interface IntentExamples {
  examples: TrainingExample[];
  /** Intent ids found, excluding `oos`. */
  intentIds: string[];
  /** File name → raw text, sorted by name. */
  sources: { file: string; text: string }[];
}

/** Parses JSON-lines data (`{"text","intent","locale"?}` per line), reporting every bad line at once. */
export function parseExamplesJsonl(content: string, sourceName: string): TrainingExample[] {
  const examples: TrainingExample[] = [];
  const problems: string[] = [];
  content.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      problems.push(`${sourceName}:${i + 1}: not JSON (${error instanceof Error ? error.message : String(error)})`);
      return;
    }
    const parsed = trainingExampleSchema.safeParse(raw);
    if (parsed.success) {
      const { text, intent, locale } = parsed.data;
      examples.push(locale === undefined ? { text, intent } : { text, intent, locale });
    } else {
      problems.push(`${sourceName}:${i + 1}: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`);
    }
  });
  if (problems.length > 0) throw new CandorError('content_invalid', `invalid examples:\n${problems.join('\n')}`);
  return examples;
}

/** Reads a JSON-lines examples file. */
export async function loadExamplesFile(path: string): Promise<TrainingExample[]> {
  return parseExamplesJsonl(await readFile(path, 'utf8'), path);
}

/** Reads every `*.yaml` in the intents folder, validates it, and returns its examples in both locales. */
export async function loadIntentExamples(intentsDir: string): Promise<IntentExamples> {
  return parseIntentExamples(await readIntentSources(intentsDir), intentsDir);
}

/** Reads the raw text of every `*.yaml` in the intents folder, sorted by file name (what a cached model is keyed by). */
export async function readIntentSources(intentsDir: string): Promise<IntentExamples['sources']> {
  const names = (await readdir(intentsDir)).filter((name) => /\.ya?ml$/.test(name)).sort();
  return Promise.all(names.map(async (file) => ({ file, text: await readFile(join(intentsDir, file), 'utf8') })));
}

/** Parses and validates intent files read by `readIntentSources`, returning their examples in both locales. */
export function parseIntentExamples(sources: IntentExamples['sources'], intentsDir: string): IntentExamples {
  const examples: TrainingExample[] = [];
  const intentIds: string[] = [];
  const problems: string[] = [];
  for (const { file, text } of sources) {
    let raw: unknown;
    try {
      raw = parseYaml(text);
    } catch (error) {
      problems.push(`${file}: YAML error: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const isOos = typeof raw === 'object' && raw !== null && (raw as { id?: unknown }).id === OUT_OF_SCOPE;
    const parsed = isOos ? OutOfScopeFileSchema.safeParse(raw) : IntentFileSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${file} › ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      continue;
    }
    const { id, examples: byLocale } = parsed.data;
    if (!isOos) {
      if (intentIds.includes(id)) problems.push(`${file} › id: intent ${id} is defined twice`);
      intentIds.push(id);
    }
    for (const text of byLocale.en) examples.push({ text, intent: id, locale: 'en' });
    for (const text of byLocale['zh-CN']) examples.push({ text, intent: id, locale: 'zh-CN' });
  }
  if (problems.length > 0) throw new CandorError('content_invalid', `invalid intents in ${intentsDir}:\n${problems.join('\n')}`);
  if (intentIds.length < 2) throw new CandorError('content_invalid', `${intentsDir} holds fewer than two intents`);
  return { examples, intentIds, sources };
}
