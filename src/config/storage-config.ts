import { z } from 'zod';

/** Treats an empty environment variable like an absent one. */
const blankAsUndefined = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/**
 * The storage settings, by environment-variable name. With a `postgres://` `DATABASE_URL` Candor
 * stores everything in Postgres (several instances may share it); otherwise in one SQLite file.
 */
export const storageConfigSchema = z.object({
  /** `postgres://user@host:5432/db` (or `postgresql://`) selects Postgres; absent → SQLite. */
  DATABASE_URL: z.preprocess(
    blankAsUndefined,
    z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  ),
  /** Postgres schema (search_path) for Candor's tables; created by the migrations if missing. */
  DATABASE_SCHEMA: z.preprocess(
    blankAsUndefined,
    z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
      .default('public'),
  ),
  /** Most connections each instance opens to Postgres (the conversation lock uses a pool of its own, as large). */
  DATABASE_POOL_MAX: z.preprocess(blankAsUndefined, z.coerce.number().int().positive().max(200).default(10)),
  /** How long a turn waits for another instance to release a conversation before failing as busy. */
  CONVERSATION_LOCK_TIMEOUT_MS: z.preprocess(blankAsUndefined, z.coerce.number().int().positive().max(600_000).default(15_000)),
  /** The SQLite file used without DATABASE_URL; its folder is created; `:memory:` keeps nothing. */
  SQLITE_PATH: z.preprocess(blankAsUndefined, z.string().min(1).default('data/candor.sqlite')),
});

/** The parsed storage settings. */
export type StorageConfig = z.infer<typeof storageConfigSchema>;
