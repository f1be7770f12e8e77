import { z } from 'zod';

/** Treats an empty environment variable like an absent one. */
const blankAsUndefined = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const optionalText = z.preprocess(blankAsUndefined, z.string().min(1).optional());

const positiveInt = (fallback: number, max: number) =>
  z.preprocess(blankAsUndefined, z.coerce.number().int().positive().max(max).default(fallback));

/**
 * The decision-engine settings, by environment-variable name. Without `DECISION_ENGINE_URL` the
 * embedded demo engine is used and the other settings are ignored.
 */
export const decisionsConfigSchema = z
  .object({
    /** Base URL of the engine, e.g. `https://engine.internal:8443`; absent → embedded demo engine. */
    DECISION_ENGINE_URL: z.preprocess(
      blankAsUndefined,
      z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
    ),
    /** One deadline per lookup covering connect, headers, body and retries. */
    DECISION_ENGINE_TIMEOUT_MS: positiveInt(2500, 60_000),
    /** Bearer token sent as `Authorization: Bearer …`; never logged. */
    DECISION_ENGINE_TOKEN: optionalText,
    /** PEM file of the CA that signed the engine's certificate (private PKI). */
    DECISION_ENGINE_CA_FILE: optionalText,
    /** PEM client certificate for mutual TLS (needs the key too). */
    DECISION_ENGINE_CERT_FILE: optionalText,
    /** PEM client private key for mutual TLS (needs the certificate too). */
    DECISION_ENGINE_KEY_FILE: optionalText,
    /** How long a found / not-found answer is reused per customer; 0 disables the cache. */
    DECISION_ENGINE_CACHE_TTL_MS: z.preprocess(blankAsUndefined, z.coerce.number().int().min(0).max(600_000).default(30_000)),
    /** Largest response body accepted, in bytes. */
    DECISION_ENGINE_MAX_BYTES: positiveInt(256 * 1024, 16 * 1024 * 1024),
    /** Retries after the first attempt for network errors, 5xx, 408 and 429 (0–2). */
    DECISION_ENGINE_MAX_RETRIES: z.preprocess(blankAsUndefined, z.coerce.number().int().min(0).max(2).default(2)),
    /** Consecutive failed lookups that open the circuit breaker. */
    DECISION_ENGINE_BREAKER_THRESHOLD: positiveInt(5, 1000),
    /** How long the breaker stays open before letting one probe through (half-open). */
    DECISION_ENGINE_BREAKER_HALF_OPEN_MS: positiveInt(10_000, 3_600_000),
  })
  .superRefine((config, ctx) => {
    const hasCert = config.DECISION_ENGINE_CERT_FILE !== undefined;
    const hasKey = config.DECISION_ENGINE_KEY_FILE !== undefined;
    if (hasCert !== hasKey) {
      ctx.addIssue({
        code: 'custom',
        path: [hasCert ? 'DECISION_ENGINE_KEY_FILE' : 'DECISION_ENGINE_CERT_FILE'],
        message: 'mutual TLS needs both DECISION_ENGINE_CERT_FILE and DECISION_ENGINE_KEY_FILE',
      });
    }
    const usesTls = hasCert || config.DECISION_ENGINE_CA_FILE !== undefined;
    if (usesTls && config.DECISION_ENGINE_URL !== undefined && !config.DECISION_ENGINE_URL.startsWith('https:')) {
      ctx.addIssue({ code: 'custom', path: ['DECISION_ENGINE_URL'], message: 'TLS files are set, so the URL must be https://' });
    }
  });

/** The parsed decision-engine settings. */
export type DecisionsConfig = z.infer<typeof decisionsConfigSchema>;
