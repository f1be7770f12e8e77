import { z } from 'zod';

/** Environment settings of the NLU: where intents live, where trained models are cached, the calibration file. */
export const nluConfigSchema = z.object({
  NLU_INTENTS_DIR: z.string().min(1).default('intents'),
  /** Folder for cached trained models (keyed by content hash); `off` disables the cache. */
  NLU_CACHE_DIR: z.string().min(1).default('.cache/nlu'),
  /** JSON-lines file used to calibrate confidence and the out-of-scope threshold; empty = hold out training lines. */
  NLU_VAL_FILE: z.string().default('fixtures/nlu/candor-val.jsonl'),
});

/** Parsed NLU settings. */
export type NluConfig = z.infer<typeof nluConfigSchema>;
