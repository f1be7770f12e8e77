import { z } from 'zod';
import { LOCALES } from '../core/locale.js';
import type { Locale } from '../core/locale.js';

/** One labelled utterance as stored in `.jsonl` data files: `intent` is an intent id or `oos`. */
export const trainingExampleSchema = z.object({
  text: z.string().min(1),
  intent: z.string().min(1),
  locale: z.enum(LOCALES).optional(),
});

/** One labelled utterance used to train, calibrate or evaluate the intent classifier. */
export interface TrainingExample {
  text: string;
  intent: string;
  locale?: Locale;
}
