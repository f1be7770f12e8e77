import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { calibrateClarifyMargin } from './calibrate-clarify-margin.js';
import { loadExamplesFile, parseIntentExamples, readIntentSources } from './load-training-examples.js';
import type { TrainedClassifier } from './build-trained-classifier.js';
import { classifierOptionsSchema } from './classifier-options.js';
import type { ClassifierOptionsInput } from './classifier-options.js';
import { restoreIntentClassifier } from './restore-intent-classifier.js';
import { trainIntentClassifier } from './train-intent-classifier.js';

/** Bumped whenever tokenising, features or the model change, so old cache files are not reused. */
export const NLU_MODEL_VERSION = 'candor-nlu-4';

/** The `NLU_CACHE_DIR` value that turns the model cache off. */
export const NLU_CACHE_OFF = 'off';

/**
 * Default model settings for the project's own intents (small data: more epochs, a looser
 * out-of-scope budget; naive Bayes blending measured no better here, so it is off).
 */
export const PROJECT_CLASSIFIER_OPTIONS: ClassifierOptionsInput = {
  training: { loss: 'softmax', epochs: 30, learningRate: 0.5, l2: 1e-5, seed: 42 },
  naiveBayesWeight: 0,
  maxInScopeAccuracyLoss: 0.02,
};

/** Where the project classifier's content lives and where its cache goes. */
export interface ProjectClassifierSources {
  intentsDir: string;
  /** Folder for cached models, e.g. `.cache/nlu`; `null` or `off` (the `NLU_CACHE_DIR` value) disables caching. */
  cacheDir: string | null;
  /** Calibration lines (JSON lines); without them calibration holds out part of the intents' examples. */
  valFile?: string | undefined;
  options?: ClassifierOptionsInput | undefined;
}

/** A loaded project classifier and whether it came from the cache. */
export interface ProjectClassifier {
  classifier: TrainedClassifier;
  /** The clarify margin drawn on the calibration lines (0 without them), for the dialogue policy. */
  clarifyMargin: number;
  contentHash: string;
  fromCache: boolean;
  trainMs: number;
}

/**
 * Returns the classifier for `intents/`, loading it from a cache file keyed by the SHA-256 of the
 * intents, the calibration file, the options and the model version, or training (and caching) it.
 */
export async function loadOrTrainProjectClassifier(sources: ProjectClassifierSources): Promise<ProjectClassifier> {
  const started = performance.now();
  const intentSources = await readIntentSources(sources.intentsDir);
  const valText = sources.valFile === undefined ? '' : await readFile(sources.valFile, 'utf8');
  const options = classifierOptionsSchema.parse({ ...PROJECT_CLASSIFIER_OPTIONS, ...sources.options });
  const hash = createHash('sha256');
  hash.update(NLU_MODEL_VERSION);
  hash.update(JSON.stringify(options));
  for (const source of intentSources) hash.update(`\u0000${source.file}\u0000${source.text}`);
  hash.update(`\u0000val\u0000${valText}`);
  const contentHash = hash.digest('hex');
  const cacheDir = sources.cacheDir === null || sources.cacheDir === NLU_CACHE_OFF ? null : sources.cacheDir;
  const cacheFile = cacheDir === null ? null : join(cacheDir, `intent-classifier-${contentHash.slice(0, 32)}.json`);

  if (cacheFile !== null) {
    const cached = cachedModelSchema.safeParse(await readCachedSnapshot(cacheFile));
    if (cached.success) {
      const classifier = restoreIntentClassifier(cached.data.model);
      return { classifier, clarifyMargin: cached.data.clarifyMargin, contentHash, fromCache: true, trainMs: performance.now() - started };
    }
  }
  const calibrationExamples = sources.valFile === undefined ? undefined : await loadExamplesFile(sources.valFile);
  // The intents are parsed only to train: a cached model needs nothing but their text for its key.
  const { examples } = parseIntentExamples(intentSources, sources.intentsDir);
  const classifier = trainIntentClassifier(examples, { options, calibrationExamples });
  const clarifyMargin = calibrationExamples === undefined ? 0 : calibrateClarifyMargin(classifier, calibrationExamples).margin;
  if (cacheFile !== null && cacheDir !== null) {
    await mkdir(cacheDir, { recursive: true });
    // Write then rename, so a crash never leaves a half-written cache file behind.
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ model: classifier.toSnapshot(), clarifyMargin }));
    await rename(temporary, cacheFile);
  }
  return { classifier, clarifyMargin, contentHash, fromCache: false, trainMs: performance.now() - started };
}

/** A cache file: the model's snapshot (checked when restored) and the clarify margin drawn for it. */
const cachedModelSchema = z.object({ model: z.unknown(), clarifyMargin: z.number().min(0).max(1) });

async function readCachedSnapshot(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // A corrupt cache file is only a cache miss: the model is retrained and the file rewritten.
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
