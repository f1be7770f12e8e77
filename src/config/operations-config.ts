import { z } from 'zod';

/** Treats an empty environment variable like an absent one. */
const blankAsUndefined = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const secretToken = z.preprocess(blankAsUndefined, z.string().min(16, 'must be at least 16 characters').optional());

/**
 * Settings of metrics, health, the ops page and data retention, by environment-variable name.
 * `/metrics` is served on its own port when `METRICS_PORT` is set, otherwise on the main port
 * behind `METRICS_TOKEN`; with neither it is not served at all.
 */
export const operationsConfigSchema = z
  .object({
    /** Bearer token required for `/metrics` (on either port). */
    METRICS_TOKEN: secretToken,
    /** A separate port for `/metrics` only (0 picks a free one); absent → the main server, token required. */
    METRICS_PORT: z.preprocess(blankAsUndefined, z.coerce.number().int().min(0).max(65_535).optional()),
    /** Interface of the metrics port; loopback by default so only the local scraper reaches it. */
    METRICS_HOST: z.preprocess(blankAsUndefined, z.string().min(1).default('127.0.0.1')),
    /** Admin token for the `/ops` analytics page (`Authorization: Bearer …` or `?token=`); absent → page off. */
    OPS_TOKEN: secretToken,
    /** Days the `/ops` page covers when no range is given. */
    OPS_DEFAULT_DAYS: z.preprocess(blankAsUndefined, z.coerce.number().int().min(1).max(3660).default(30)),
    /** Message bodies and transcripts older than this are deleted or anonymised. */
    TRANSCRIPT_RETENTION_DAYS: z.preprocess(blankAsUndefined, z.coerce.number().int().min(1).max(36_500).default(90)),
    /** Explanation (audit) records are kept this long; about 25 months by default. */
    AUDIT_RETENTION_DAYS: z.preprocess(blankAsUndefined, z.coerce.number().int().min(1).max(36_500).default(760)),
    /** Hours between retention runs inside the server; 0 turns the timer off. */
    RETENTION_INTERVAL_HOURS: z.preprocess(blankAsUndefined, z.coerce.number().min(0).max(24 * 365).default(24)),
  })
  .superRefine((config, context) => {
    if (config.AUDIT_RETENTION_DAYS < config.TRANSCRIPT_RETENTION_DAYS) {
      context.addIssue({ code: 'custom', path: ['AUDIT_RETENTION_DAYS'], message: 'must be at least TRANSCRIPT_RETENTION_DAYS' });
    }
  });

/** The parsed operations settings. */
export type OperationsConfig = z.infer<typeof operationsConfigSchema>;
