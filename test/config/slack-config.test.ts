import { describe, expect, it } from 'vitest';
import { isSlackEnabled, slackConfigSchema } from '../../src/config/slack-config.js';

const slack = {
  SLACK_BOT_TOKEN: 'xoxb-1',
  SLACK_SIGNING_SECRET: 'secret',
  SLACK_ESCALATION_CHANNEL_ID: 'C0ESC',
  SLACK_RESTRICTED_CHANNEL_ID: 'C0RES',
};

describe('slackConfigSchema', () => {
  it('defaults to console-only escalation with sane timings', () => {
    const config = slackConfigSchema.parse({ ESCALATION_UNCLAIMED_MINUTES: '', SLACK_TIMEOUT_MS: '' });
    expect(isSlackEnabled(config)).toBe(false);
    expect(config).toMatchObject({
      ESCALATION_UNCLAIMED_MINUTES: 5,
      SLACK_TIMEOUT_MS: 5_000,
      SLACK_API_URL: 'https://slack.com/api/',
      ESCALATION_OUTBOX_MAX_AGE_MS: 86_400_000,
      ESCALATION_OUTBOX_PROBE_MS: 5_000,
      SLACK_AGENT_ALIASES: {},
      SLACK_SOCKET_MODE: false,
    });
  });

  it('enables Slack with the token, secret and both channels, and parses aliases', () => {
    const config = slackConfigSchema.parse({ ...slack, SLACK_AGENT_ALIASES: 'U01AMY=Amy, U02LI=Li', SLACK_ONCALL_GROUP_ID: 'S0ONCALL' });
    expect(isSlackEnabled(config)).toBe(true);
    expect(config.SLACK_AGENT_ALIASES).toEqual({ U01AMY: 'Amy', U02LI: 'Li' });
  });

  it('reports every missing or wrong Slack setting at once', () => {
    const result = slackConfigSchema.safeParse({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_ESCALATION_CHANNEL_ID: 'general', SLACK_AGENT_ALIASES: 'amy' });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.')) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['SLACK_ESCALATION_CHANNEL_ID', 'SLACK_AGENT_ALIASES']));
    const second = slackConfigSchema.safeParse({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_ESCALATION_CHANNEL_ID: 'C0ESC' });
    expect(second.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['SLACK_RESTRICTED_CHANNEL_ID', 'SLACK_SIGNING_SECRET']);
    const same = slackConfigSchema.safeParse({ ...slack, SLACK_RESTRICTED_CHANNEL_ID: 'C0ESC' });
    expect(same.success).toBe(false);
    const socket = slackConfigSchema.safeParse({ ...slack, SLACK_SOCKET_MODE: 'true' });
    expect(socket.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['SLACK_APP_TOKEN']);
  });
});
