import { describe, expect, it } from 'vitest';
import { webConfigSchema } from '../../src/config/web-config.js';

describe('webConfigSchema', () => {
  it('has working defaults with no environment at all', () => {
    expect(webConfigSchema.parse({})).toEqual({
      DEMO_MODE: undefined,
      CHAT_TOKEN_SECRET: undefined,
      CHAT_TOKEN_TTL_SECONDS: 900,
      CHAT_TOKEN_AUDIENCE: 'candor-web-chat',
      CHAT_TOKEN_ISSUER: 'candor',
      CHAT_ALLOWED_ORIGINS: [],
      CHAT_MAX_PAYLOAD_BYTES: 8192,
      CHAT_RATE_BURST: 10,
      CHAT_RATE_PER_SECOND: 2,
      CHAT_TRUST_PROXY: undefined,
      ANON_ESCALATIONS_PER_SESSION: 2,
      ANON_ESCALATIONS_PER_IP: 5,
      ANON_ESCALATION_WINDOW_MINUTES: 60,
      ANON_ESCALATIONS_PER_MINUTE: 20,
    });
  });

  it('reads the anonymous escalation caps and refuses a cap of zero', () => {
    const parsed = webConfigSchema.parse({ ANON_ESCALATIONS_PER_SESSION: '1', ANON_ESCALATIONS_PER_IP: '3', ANON_ESCALATION_WINDOW_MINUTES: '10', ANON_ESCALATIONS_PER_MINUTE: '4', CHAT_TRUST_PROXY: 'yes' });
    expect(parsed).toMatchObject({ ANON_ESCALATIONS_PER_SESSION: 1, ANON_ESCALATIONS_PER_IP: 3, ANON_ESCALATION_WINDOW_MINUTES: 10, ANON_ESCALATIONS_PER_MINUTE: 4, CHAT_TRUST_PROXY: true });
    expect(webConfigSchema.safeParse({ ANON_ESCALATIONS_PER_MINUTE: '0' }).success).toBe(false);
  });

  it('reads flags, lists and numbers from strings, and treats blanks as unset', () => {
    const parsed = webConfigSchema.parse({
      DEMO_MODE: 'off',
      CHAT_TOKEN_SECRET: '',
      CHAT_ALLOWED_ORIGINS: 'https://help.example.com, https://www.example.com',
      CHAT_RATE_BURST: '50',
    });
    expect(parsed.DEMO_MODE).toBe(false);
    expect(parsed.CHAT_TOKEN_SECRET).toBeUndefined();
    expect(parsed.CHAT_ALLOWED_ORIGINS).toEqual(['https://help.example.com', 'https://www.example.com']);
    expect(parsed.CHAT_RATE_BURST).toBe(50);
  });

  it.each([
    ['a short secret', { CHAT_TOKEN_SECRET: 'short' }],
    ['a non-boolean demo flag', { DEMO_MODE: 'maybe' }],
    ['a tiny payload limit', { CHAT_MAX_PAYLOAD_BYTES: '10' }],
    ['an origin that is not a URL', { CHAT_ALLOWED_ORIGINS: 'help.example.com' }],
  ])('refuses %s', (_label, env) => {
    expect(webConfigSchema.safeParse(env).success).toBe(false);
  });
});
