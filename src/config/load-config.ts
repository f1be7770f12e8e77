import { z } from 'zod';
import { appConfigSchema, type AppConfig } from './app-config.js';
import { contentConfigSchema, type ContentConfig } from './content-config.js';
import { decisionsConfigSchema, type DecisionsConfig } from './decisions-config.js';
import { nluConfigSchema, type NluConfig } from './nlu-config.js';
import { operationsConfigSchema, type OperationsConfig } from './operations-config.js';
import { slackConfigSchema, type SlackConfig } from './slack-config.js';
import { storageConfigSchema, type StorageConfig } from './storage-config.js';
import { webConfigSchema, type WebConfig } from './web-config.js';

/** Every setting of Candor, one slice per part, each parsed from the same environment. */
export interface CandorConfig {
  app: AppConfig;
  content: ContentConfig;
  decisions: DecisionsConfig;
  nlu: NluConfig;
  operations: OperationsConfig;
  storage: StorageConfig;
  web: WebConfig;
  slack: SlackConfig;
}

/** The outcome of reading the environment: the config, or every problem found at once. */
export type ConfigResult = { ok: true; config: CandorConfig } | { ok: false; problems: string };

/** The config slices by name; slice `x` is defined in `src/config/x-config.ts`. */
export const CONFIG_SLICES = {
  app: appConfigSchema,
  content: contentConfigSchema,
  decisions: decisionsConfigSchema,
  nlu: nluConfigSchema,
  operations: operationsConfigSchema,
  storage: storageConfigSchema,
  web: webConfigSchema,
  slack: slackConfigSchema,
} as const;

/** Parses the environment into Candor's config; the only place process.env is read. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ConfigResult {
  const parsed: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, schema] of Object.entries(CONFIG_SLICES)) {
    const result = (schema as z.ZodType).safeParse(env);
    if (result.success) parsed[name] = result.data;
    else problems.push(z.prettifyError(result.error));
  }
  if (problems.length > 0) return { ok: false, problems: problems.join('\n') };
  return { ok: true, config: parsed as unknown as CandorConfig };
}
