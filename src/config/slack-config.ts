import { z } from 'zod';

/** Treats an empty environment variable like an absent one. */
const blankAsUndefined = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .default('false')
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const optionalString = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === undefined || value === '' ? undefined : value));

const slackChannelId = optionalString.pipe(z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'a Slack channel id such as C0123ABCD').optional());

/** Agent aliases as `U123=Amy,U456=Li`: the name customers see for that Slack user. */
const agentAliases = z
  .string()
  .default('')
  .transform((value, context) => {
    const aliases: Record<string, string> = {};
    for (const pair of value.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
      const match = /^(U[A-Z0-9]{2,}|W[A-Z0-9]{2,})=(.{1,40})$/.exec(pair);
      if (match === null || match[1] === undefined || match[2] === undefined) {
        context.addIssue({ code: 'custom', message: `expected USERID=Alias pairs, got "${pair}"` });
        return z.NEVER;
      }
      aliases[match[1]] = match[2].trim();
    }
    return aliases;
  });

/** Environment settings of the escalation slice: the Slack app (optional) and the outbox worker and re-ping timings. */
export const slackConfigSchema = z
  .object({
    /** Bot token (`xoxb-…`); Slack is enabled only when this, the signing secret and the channel are set. */
    SLACK_BOT_TOKEN: optionalString,
    /** Signing secret that verifies Slack's requests to the HTTP endpoints (not needed in Socket Mode). */
    SLACK_SIGNING_SECRET: optionalString,
    /** App-level token (`xapp-…`) for Socket Mode. */
    SLACK_APP_TOKEN: optionalString,
    /** `true` connects to Slack over Socket Mode (needs SLACK_APP_TOKEN) instead of receiving HTTP requests. */
    SLACK_SOCKET_MODE: booleanFromEnv,
    /** Channel the case cards are posted to, e.g. `C0123ABCD`; required when Slack is enabled. */
    SLACK_ESCALATION_CHANNEL_ID: slackChannelId,
    /** Channel for cases with an N-class reason; required when Slack is enabled. */
    SLACK_RESTRICTED_CHANNEL_ID: slackChannelId,
    /** User group mentioned when an unclaimed case is re-posted, e.g. `S0123ONCALL`. */
    SLACK_ONCALL_GROUP_ID: optionalString.pipe(z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group id such as S0123ABCD').optional()),
    /** User group whose members may use `/candor queue` and `/candor case` outside the escalation channels. */
    SLACK_AGENT_GROUP_ID: optionalString.pipe(z.string().regex(/^S[A-Z0-9]{2,}$/, 'a Slack user group id such as S0123ABCD').optional()),
    /** Web API base URL; tests point it at a local stub. */
    SLACK_API_URL: z.preprocess(blankAsUndefined, z.url().default('https://slack.com/api/')),
    /** Deadline of one Slack Web API call; the outbox retries a call that fails. */
    SLACK_TIMEOUT_MS: z.preprocess(blankAsUndefined, z.coerce.number().int().min(100).max(60_000).default(5_000)),
    /** Names customers see for agents, as `U123=Amy,U456=Li` (default: the agent's first name). */
    SLACK_AGENT_ALIASES: agentAliases,
    /** Minimum spacing of Candor's writes to one channel (Slack allows about one message a second). */
    SLACK_CHANNEL_MIN_INTERVAL_MS: z.preprocess(blankAsUndefined, z.coerce.number().int().min(0).max(60_000).default(1_100)),
    /** Minutes a case may wait unclaimed before the card is re-posted and the customer offered a callback. */
    ESCALATION_UNCLAIMED_MINUTES: z.preprocess(blankAsUndefined, z.coerce.number().min(0.05).max(24 * 60).default(5)),
    /** How often the server looks for cases waiting unclaimed too long. */
    ESCALATION_UNCLAIMED_CHECK_MS: z.preprocess(blankAsUndefined, z.coerce.number().int().min(100).max(3_600_000).default(30_000)),
    /** Pause of the outbox worker between polls when the last batch was not full. */
    ESCALATION_OUTBOX_POLL_MS: z.preprocess(blankAsUndefined, z.coerce.number().int().min(10).max(60_000).default(500)),
    /** Outbox items the worker leases per poll (at most one per case, so each case stays in order). */
    ESCALATION_OUTBOX_BATCH: z.preprocess(blankAsUndefined, z.coerce.number().int().min(1).max(500).default(20)),
    /** How long a leased outbox item is reserved for one worker before another may take it. */
    ESCALATION_OUTBOX_LEASE_MS: z.preprocess(blankAsUndefined, z.coerce.number().int().min(1_000).max(3_600_000).default(60_000)),
    /** How long an outbox item may keep failing before it is dead-lettered (and, for a card, the customer handed back to the bot). */
    ESCALATION_OUTBOX_MAX_AGE_MS: z.preprocess(blankAsUndefined, z.coerce.number().int().min(1_000).max(30 * 86_400_000).default(86_400_000)),
    /** While Slack is down, how often it is probed; when it answers, the items waiting to retry go at once. */
    ESCALATION_OUTBOX_PROBE_MS: z.preprocess(blankAsUndefined, z.coerce.number().int().min(100).max(600_000).default(5_000)),
    /** First retry delay of a failed outbox item; it doubles per attempt, with jitter (a 429 waits its Retry-After instead, uncounted). */
    ESCALATION_OUTBOX_BACKOFF_BASE_MS: z.preprocess(blankAsUndefined, z.coerce.number().int().min(1).max(600_000).default(1_000)),
    /** Longest retry delay of a failed outbox item. */
    ESCALATION_OUTBOX_BACKOFF_MAX_MS: z.preprocess(blankAsUndefined, z.coerce.number().int().min(1).max(3_600_000).default(300_000)),
  })
  .superRefine((config, context) => {
    const anySet = config.SLACK_BOT_TOKEN !== undefined || config.SLACK_SIGNING_SECRET !== undefined;
    if (!anySet) return;
    const required = ['SLACK_BOT_TOKEN', 'SLACK_ESCALATION_CHANNEL_ID', 'SLACK_RESTRICTED_CHANNEL_ID'] as const;
    for (const key of required) {
      if (config[key] === undefined) context.addIssue({ code: 'custom', path: [key], message: 'required when Slack is configured' });
    }
    if (config.SLACK_SOCKET_MODE) {
      if (config.SLACK_APP_TOKEN === undefined) context.addIssue({ code: 'custom', path: ['SLACK_APP_TOKEN'], message: 'required for Socket Mode' });
    } else if (config.SLACK_SIGNING_SECRET === undefined) {
      context.addIssue({ code: 'custom', path: ['SLACK_SIGNING_SECRET'], message: 'required for the HTTP receiver' });
    }
    if (config.SLACK_ESCALATION_CHANNEL_ID !== undefined && config.SLACK_ESCALATION_CHANNEL_ID === config.SLACK_RESTRICTED_CHANNEL_ID) {
      context.addIssue({ code: 'custom', path: ['SLACK_RESTRICTED_CHANNEL_ID'], message: 'must differ from the escalation channel' });
    }
  });

/** Parsed escalation settings. */
export type SlackConfig = z.infer<typeof slackConfigSchema>;

/** Returns true when the parsed settings enable the Slack app (otherwise cases are only in the local console). */
export function isSlackEnabled(config: SlackConfig): boolean {
  return config.SLACK_BOT_TOKEN !== undefined && config.SLACK_ESCALATION_CHANNEL_ID !== undefined;
}
