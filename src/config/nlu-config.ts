import { z } from 'zod';

/** Environment settings of the NLU: where trained models are cached and the calibration file (intents come from CONTENT_INTENTS_DIR). */
export const nluConfigSchema = z.object({
  /** Folder for cached trained models (keyed by content hash); `off` disables the cache. */
  NLU_CACHE_DIR: z.string().min(1).default('.cache/nlu'),
  /** JSON-lines file used to calibrate confidence and the out-of-scope threshold; empty = hold out training lines. */
  NLU_VAL_FILE: z.string().default('fixtures/nlu/candor-val.jsonl'),
});

/** Parsed NLU settings. */
export type NluConfig = z.infer<typeof nluConfigSchema>;
