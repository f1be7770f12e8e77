import { z } from 'zod';

const blankAsUndefined = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** Settings of the process as a whole, by environment-variable name. */
export const appConfigSchema = z.object({
  /** `production` turns demo mode off and makes secrets mandatory. */
  NODE_ENV: z.preprocess(blankAsUndefined, z.enum(['development', 'production', 'test']).default('development')),
  /** Port of the HTTP server (web chat, Slack endpoints, health). */
  PORT: z.preprocess(blankAsUndefined, z.coerce.number().int().min(0).max(65_535).default(3000)),
  /** Interface to listen on; the default keeps a demo off the network. */
  HOST: z.preprocess(blankAsUndefined, z.string().min(1).default('127.0.0.1')),
  /** The address customers and agents reach Candor at, used in deep links. */
  PUBLIC_BASE_URL: z.preprocess(blankAsUndefined, z.url().optional()),
  /** pino level; customer text is only ever logged at `debug`, and redacted. */
  LOG_LEVEL: z.preprocess(blankAsUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  /** Secret for the masked customer reference shown to agents; required in production. */
  CUSTOMER_REF_SECRET: z.preprocess(blankAsUndefined, z.string().min(16).optional()),
});

/** The parsed process settings. */
export type AppConfig = z.infer<typeof appConfigSchema>;
