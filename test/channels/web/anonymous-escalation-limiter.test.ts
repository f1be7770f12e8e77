import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressKey, AnonymousEscalationLimiter, type AnonymousEscalationCaps } from '../../../src/channels/web/anonymous-escalation-limiter.js';
import { silentLogger } from '../../../src/core/ports/logger.js';
import { OffsetClock } from '../../fakes/escalation-clock.js';
import { startSlackApiStub, type SlackApiStub } from '../../fakes/slack-api-stub.js';
import { demoToken, startCandorProcess, stopCandorProcess, type CandorProcess } from '../../support/candor-process.js';
import { TestChatClient, type Frame } from './support/test-chat-client.js';

function limiter(caps: Partial<AnonymousEscalationCaps> = {}) {
  const clock = new OffsetClock();
  const limits = new AnonymousEscalationLimiter({
    caps: { perSession: 100, perAddress: 100, windowMs: 60 * 60_000, perMinute: 100, ...caps },
    clock,
    logger: silentLogger,
  });
  const anonymous = (conversationId: string) => limits.tryOpen({ conversationId, isAnonymous: true });
  return { limits, clock, anonymous };
}

describe('AnonymousEscalationLimiter', () => {
  it('caps one anonymous conversation per window, and forgets after the window', () => {
    const { anonymous, clock } = limiter({ perSession: 2, windowMs: 60 * 60_000 });
    expect([anonymous('anon:a'), anonymous('anon:a'), anonymous('anon:a')]).toEqual([true, true, false]);
    expect(anonymous('anon:b')).toBe(true);
    clock.advance(60 * 60_000 + 1);
    expect(anonymous('anon:a')).toBe(true);
  });

  it('caps one client address across conversations, counting an IPv6 /64 as one address', () => {
    const { limits, anonymous } = limiter({ perAddress: 2 });
    limits.noteAddress('anon:1', '203.0.113.7');
    limits.noteAddress('anon:2', '::ffff:203.0.113.7');
    limits.noteAddress('anon:3', '203.0.113.7');
    limits.noteAddress('anon:4', '198.51.100.1');
    expect([anonymous('anon:1'), anonymous('anon:2'), anonymous('anon:3'), anonymous('anon:4')]).toEqual([true, true, false, true]);

    limits.noteAddress('anon:6a', '2001:db8:1:2::1');
    limits.noteAddress('anon:6b', '2001:0db8:0001:0002:ffff:0:0:9');
    limits.noteAddress('anon:6c', '2001:db8:1:2:aaaa::');
    expect([anonymous('anon:6a'), anonymous('anon:6b'), anonymous('anon:6c')]).toEqual([true, true, false]);
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('caps all anonymous conversations together per minute', () => {
    const { anonymous, clock } = limiter({ perMinute: 3 });
    expect(['a', 'b', 'c', 'd'].map((id) => anonymous(`anon:${id}`))).toEqual([true, true, true, false]);
    clock.advance(60_001);
    expect(anonymous('anon:e')).toBe(true);
  });

  it('never caps a verified customer, nor counts one', () => {
    const { limits, anonymous } = limiter({ perMinute: 1, perSession: 1 });
    for (let i = 0; i < 5; i += 1) expect(limits.tryOpen({ conversationId: 'web:demo-drop', isAnonymous: false })).toBe(true);
    expect(anonymous('anon:first')).toBe(true);
    expect(limits.tryOpen({ conversationId: 'web:demo-drop', isAnonymous: false })).toBe(true);
  });
});

// The flood from the probe, against the real process with a real Slack API stub: anonymous sockets from
// one address, then from many addresses behind a trusted proxy, all asking for a person.
describe('anonymous escalation caps through the real process', () => {
  const CHANNEL = 'CESCALATE';
  let stub: SlackApiStub;
  let candor: CandorProcess;

  beforeAll(async () => {
    stub = await startSlackApiStub();
    candor = await startCandorProcess('caps', {
      SQLITE_PATH: ':memory:',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: 'caps-signing-secret',
      SLACK_ESCALATION_CHANNEL_ID: CHANNEL,
      SLACK_RESTRICTED_CHANNEL_ID: 'CRESTRICT',
      SLACK_API_URL: stub.url,
      SLACK_CHANNEL_MIN_INTERVAL_MS: '0',
      ESCALATION_OUTBOX_POLL_MS: '50',
      CHAT_TRUST_PROXY: 'true',
      ANON_ESCALATIONS_PER_IP: '2',
      ANON_ESCALATIONS_PER_MINUTE: '5',
    }, 45_000);
  });

  afterAll(async () => {
    if (candor) await stopCandorProcess(candor);
    await stub?.close();
  });

  /** Opens an anonymous socket "from" an address (the proxy's header), asks for a person and returns the reply. */
  async function anonymousAsks(address: string, index: number): Promise<Frame> {
    const client = await TestChatClient.open(candor.socketUrl, { headers: { 'x-forwarded-for': `10.0.0.1, ${address}` } });
    try {
      client.send({ type: 'message', id: `flood-${index}`, text: 'I want to talk to a person' });
      return await client.reply(8000);
    } finally {
      await client.close();
    }
  }

  it('lets two cases through from one address and five in the minute from 25 addresses, answers the rest calmly, and never caps a signed-in customer', async () => {
    const sameAddress = [];
    for (let i = 0; i < 3; i += 1) sameAddress.push(await anonymousAsks('203.0.113.7', i));
    expect(sameAddress.map((reply) => reply['state'])).toEqual(['queued', 'queued', 'bot']);
    const calm = sameAddress[2]!;
    expect(calm['text']).toMatch(/^I'm sorry — I can't bring a person into this chat right now/);
    expect(calm['event']).toBeUndefined();

    const flood = await Promise.all(Array.from({ length: 25 }, (_, i) => anonymousAsks(`198.51.100.${i + 1}`, 100 + i)));
    expect(flood.filter((reply) => reply['state'] === 'queued')).toHaveLength(3);
    expect(flood.filter((reply) => reply['state'] === 'bot' && reply['text'] === calm['text'])).toHaveLength(22);

    const customer = await TestChatClient.open(candor.socketUrl, { token: await demoToken(candor.url, 'demo-drop') });
    try {
      customer.send({ type: 'message', id: 'signed-in', text: 'I want to talk to a person' });
      expect((await customer.next((frame) => frame.type === 'message' && frame['state'] === 'queued', 8000))['state']).toBe('queued');
    } finally {
      await customer.close();
    }

    // Exactly one card per case let through: 2 + 3 anonymous, 1 signed in.
    const deadline = Date.now() + 8000;
    while (stub.topLevel(CHANNEL).length < 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stub.topLevel(CHANNEL)).toHaveLength(6);
    expect(candor.logs()).toContain('anonymous escalation refused: over the cap');
    expect(candor.logs()).not.toContain('203.0.113.7');
  });
});
