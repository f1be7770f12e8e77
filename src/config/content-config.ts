import { z } from 'zod';
import { DEFAULT_TIME_ZONE, isValidTimeZone } from '../explain/locale-formatter.js';

/** Treats an empty environment variable like an absent one. */
const blankAsUndefined = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** Where content lives and how it is shown, by environment-variable name. */
export const contentConfigSchema = z.object({
  /** Directory of `intents/*.yaml`, relative to the working directory. */
  CONTENT_INTENTS_DIR: z.preprocess(blankAsUndefined, z.string().min(1).default('intents')),
  /** Directory of `templates/` (reasons.yaml and one folder per locale). */
  CONTENT_TEMPLATES_DIR: z.preprocess(blankAsUndefined, z.string().min(1).default('templates')),
  /** Folder for content that passed the content check, reused while content and code are unchanged; `off` disables it. */
  CONTENT_CACHE_DIR: z.preprocess(blankAsUndefined, z.string().min(1).default('.cache/content')),
  /** IANA time zone dates are shown to customers in. */
  DISPLAY_TIME_ZONE: z.preprocess(
    blankAsUndefined,
    z.string().refine(isValidTimeZone, 'not an IANA time zone').default(DEFAULT_TIME_ZONE),
  ),
});

/** The parsed content settings. */
export type ContentConfig = z.infer<typeof contentConfigSchema>;

/** Parses the content settings from an environment (the process's by default). */
export function readContentConfig(env: Record<string, string | undefined> = process.env): ContentConfig {
  return contentConfigSchema.parse(env);
}
