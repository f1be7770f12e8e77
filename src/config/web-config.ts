import { z } from 'zod';

const blankAsUndefined = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const booleanFlag = z.preprocess(
  (value) => {
    const text = blankAsUndefined(value);
    if (typeof text !== 'string') return text;
    const lowered = text.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(lowered)) return true;
    if (['0', 'false', 'no', 'off'].includes(lowered)) return false;
    return text;
  },
  z.boolean({ error: 'must be true or false' }).optional(),
);

const intInRange = (fallback: number, min: number, max: number) =>
  z.preprocess(blankAsUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

/**
 * The web chat's settings, by environment-variable name (the server's `NODE_ENV`, `HOST`, `PORT`
 * and `PUBLIC_BASE_URL` come from the app slice).
 */
export const webConfigSchema = z.object({
  /** Demo page and token issuing; defaults to on unless `NODE_ENV=production`. */
  DEMO_MODE: booleanFlag,
  /** HS256 secret for chat tokens (≥ 32 characters); required in production, random per process in demo. */
  CHAT_TOKEN_SECRET: z.preprocess(blankAsUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  /** Lifetime of a token issued by the demo page, in seconds. */
  CHAT_TOKEN_TTL_SECONDS: intInRange(900, 30, 86_400),
  /** The `aud` claim every chat token must carry. */
  CHAT_TOKEN_AUDIENCE: z.preprocess(blankAsUndefined, z.string().min(1).default('candor-web-chat')),
  /** The `iss` claim every chat token must carry. */
  CHAT_TOKEN_ISSUER: z.preprocess(blankAsUndefined, z.string().min(1).default('candor')),
  /** Extra page origins allowed to open the chat socket, comma-separated (the server's own are always allowed). */
  CHAT_ALLOWED_ORIGINS: z.preprocess(
    (value) => {
      const text = blankAsUndefined(value);
      return typeof text === 'string' ? text.split(',').map((part) => part.trim()).filter((part) => part !== '') : text;
    },
    z.array(z.url({ protocol: /^https?$/ })).default([]),
  ),
  /** Largest websocket frame accepted, in bytes; a larger one closes the socket (code 1009). */
  CHAT_MAX_PAYLOAD_BYTES: intInRange(8192, 1024, 65_536),
  /** Frames a connection may send in a burst before it is rate-limited. */
  CHAT_RATE_BURST: intInRange(10, 1, 10_000),
  /** Frames per second a connection earns back after a burst. */
  CHAT_RATE_PER_SECOND: intInRange(2, 1, 10_000),
  /** Take the client address from the last `X-Forwarded-For` entry (only behind a proxy that sets it). */
  CHAT_TRUST_PROXY: booleanFlag,
  /** Cases one anonymous conversation may open per `ANON_ESCALATION_WINDOW_MINUTES`. */
  ANON_ESCALATIONS_PER_SESSION: intInRange(2, 1, 1_000),
  /** Cases anonymous conversations from one client address (IPv6: one /64) may open per window. */
  ANON_ESCALATIONS_PER_IP: intInRange(5, 1, 100_000),
  /** The window of the per-session and per-address caps, in minutes. */
  ANON_ESCALATION_WINDOW_MINUTES: intInRange(60, 1, 7 * 24 * 60),
  /** Cases all anonymous conversations together may open per minute (per instance). */
  ANON_ESCALATIONS_PER_MINUTE: intInRange(20, 1, 100_000),
});

/** The parsed web chat settings. */
export type WebConfig = z.infer<typeof webConfigSchema>;
