import { describe, expect, it } from 'vitest';
import type { OutboxItem } from '../../src/core/outbox.js';
import { OutboxWorker } from '../../src/escalation/outbox-worker.js';
import { SqliteConversationStore } from '../../src/storage/sqlite/sqlite-conversation-store.js';
import { ScriptedDesk } from '../fakes/escalation-scripted-desk.js';
import { createEscalationKit, customerSays, openTestCase, waitFor } from './escalation-test-kit.js';

function setup(options: { maxAgeMs?: number; backoffBaseMs?: number; probeMs?: number } = {}) {
  const store = SqliteConversationStore.open({ path: ':memory:' });
  const kit = createEscalationKit({ store });
  const desk = new ScriptedDesk();
  const dead: Array<{ item: OutboxItem; error: string }> = [];
  const worker = new OutboxWorker({
    store,
    desk,
    clock: kit.clock,
    backoffBaseMs: options.backoffBaseMs ?? 1_000,
    backoffMaxMs: 60_000,
    jitterRatio: 0,
    maxAgeMs: options.maxAgeMs ?? 3_600_000,
    probeMs: options.probeMs ?? 5_000,
    pollMs: 10,
    onDeadLetter: (item, error) => dead.push({ item, error }),
    onUndeliverableCase: async (caseId) => {
      await kit.cases.returnUndeliverable(caseId);
    },
  });
  return { store, kit, desk, worker, dead };
}

describe('OutboxWorker', () => {
  it('posts the card, then thread lines in order, then card updates, storing the desk location', async () => {
    const { store, kit, desk, worker } = setup();
    const opened = await openTestCase(kit);
    await customerSays(kit, opened.conversationId, 'hello?');
    await customerSays(kit, opened.conversationId, 'my card is 4111 1111 1111 1111');
    await kit.cases.claim(opened.id, { id: 'U1', name: 'Amy' });
    for (let i = 0; i < 6; i += 1) await worker.runOnce();
    expect(desk.calls.map((c) => c.method)).toEqual(['postCase', 'postThreadMessage', 'postThreadMessage', 'updateCard']);
    expect(desk.calls[1]?.detail).toBe('ts-1:customer:hello?');
    expect(desk.calls[2]?.detail).not.toContain('4111');
    expect(desk.calls[3]?.detail).toBe('ts-1:claimed');
    expect(await store.outboxResults(opened.id, 'case.created')).toEqual([{ channel: 'CDESK', ts: 'ts-1' }]);
  });

  it('never posts an empty customer line (a start frame relayed before the fix), and posts the next line', async () => {
    const { store, kit, desk, worker } = setup();
    const opened = await openTestCase(kit);
    await customerSays(kit, opened.conversationId, '');
    await customerSays(kit, opened.conversationId, '   ');
    await customerSays(kit, opened.conversationId, 'still there?');
    for (let i = 0; i < 5; i += 1) await worker.runOnce();
    expect(desk.calls.map((c) => c.detail)).toEqual([expect.anything(), 'ts-1:customer:still there?']);
    expect(await store.outboxStats(kit.clock.now().toISOString())).toMatchObject({ pending: 0, dead: 0 });
  });

  it('backs off exponentially, honours Retry-After, and keeps later items of the case waiting behind the failed one', async () => {
    const { kit, desk, worker } = setup();
    const opened = await openTestCase(kit);
    await customerSays(kit, opened.conversationId, 'first');
    desk.failNext({ ok: false, error: 'slack http 503' });
    await worker.runOnce();
    expect(desk.calls).toHaveLength(1);
    kit.clock.advance(900);
    await worker.runOnce();
    expect(desk.calls).toHaveLength(1);
    kit.clock.advance(200);
    desk.failNext({ ok: false, error: 'slack http 503' });
    await worker.runOnce();
    expect(desk.calls).toHaveLength(2);
    kit.clock.advance(1_900);
    await worker.runOnce();
    expect(desk.calls).toHaveLength(2);
    kit.clock.advance(200);
    desk.failNext({ ok: false, error: 'slack rate limited', retryAfterMs: 30_000 });
    await worker.runOnce();
    expect(desk.calls).toHaveLength(3);
    kit.clock.advance(29_000);
    await worker.runOnce();
    expect(desk.calls).toHaveLength(3);
    kit.clock.advance(1_100);
    await worker.runOnce();
    await worker.runOnce();
    expect(desk.calls.map((c) => c.method)).toEqual(['postCase', 'postCase', 'postCase', 'postCase', 'postThreadMessage']);
    expect(desk.delivered.map((c) => c.method)).toEqual(['postCase', 'postThreadMessage']);
  });

  it('does not count a 429 as a failed attempt: the backoff after it continues from the last real failure', async () => {
    const { kit, desk, worker } = setup();
    await openTestCase(kit);
    desk.failNext({ ok: false, error: 'slack http 503' }, { ok: false, error: 'slack rate limited', retryAfterMs: 5_000 }, { ok: false, error: 'slack http 503' });
    await worker.runOnce();
    kit.clock.advance(1_000);
    await worker.runOnce();
    // Exactly the Retry-After, not the backoff.
    kit.clock.advance(4_900);
    await worker.runOnce();
    expect(desk.calls).toHaveLength(2);
    kit.clock.advance(100);
    await worker.runOnce();
    expect(desk.calls).toHaveLength(3);
    // Second real failure: 2 s, as if the 429 had not happened (a counted 429 would make it 4 s).
    kit.clock.advance(2_000);
    await worker.runOnce();
    expect(desk.delivered.map((c) => c.method)).toEqual(['postCase']);
  });

  it('measures an outage in time: keeps retrying until the maximum age, then dead-letters the card with its lines, hands the customer back and alerts once', async () => {
    const { store, kit, desk, worker, dead } = setup({ maxAgeMs: 20 * 60_000 });
    const opened = await openTestCase(kit);
    for (const text of ['one', 'two', 'three']) await customerSays(kit, opened.conversationId, text);
    for (let i = 0; i < 40; i += 1) desk.failNext({ ok: false, error: 'slack http 500' });
    let rounds = 0;
    while ((await store.outboxStats(kit.clock.now().toISOString())).dead === 0 && rounds < 40) {
      await worker.runOnce();
      kit.clock.advance(60_000);
      rounds += 1;
    }
    // Twelve attempts (the old limit) came and went; the card died only at twenty minutes.
    expect(desk.calls.length).toBeGreaterThan(12);
    expect(desk.calls.every((call) => call.method === 'postCase')).toBe(true);
    expect(rounds).toBeGreaterThanOrEqual(20);
    expect(await store.outboxStats(kit.clock.now().toISOString())).toMatchObject({ pending: 0, dead: 4 });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ error: 'slack http 500', item: { topic: 'case.created', caseId: opened.id } });
    expect((await store.getCase(opened.id))?.status).toBe('returned');
    expect((await store.getConversation(opened.conversationId))?.state).toBe('bot');
    expect(kit.customers.to(opened.conversationId).at(-1)).toMatchObject({ from: 'bot', text: '[en] desk_unreachable', event: 'bot_back', state: 'bot' });
  });

  it('probes a desk that keeps failing and, once it answers, releases the waiting items at once instead of after their backoff', async () => {
    const { kit, desk, worker } = setup({ backoffBaseMs: 60_000, probeMs: 40 });
    const opened = await openTestCase(kit);
    await customerSays(kit, opened.conversationId, 'hello?');
    desk.setDown(true);
    desk.failNext({ ok: false, error: 'slack unreachable' });
    worker.start();
    try {
      await waitFor(() => desk.probes >= 3, 2_000, 'probes while down');
      expect(desk.delivered).toHaveLength(0);
      const upAt = Date.now();
      desk.setDown(false);
      await waitFor(() => desk.delivered.length === 2, 2_000, 'card and line after recovery');
      expect(Date.now() - upAt).toBeLessThan(1_000);
      expect(desk.delivered.map((c) => c.method)).toEqual(['postCase', 'postThreadMessage']);
    } finally {
      await worker.stop();
    }
  });

  it('keeps the backoff when the first probe answers (one item failed, the desk is not down)', async () => {
    const { kit, desk, worker } = setup({ backoffBaseMs: 60_000, probeMs: 30 });
    await openTestCase(kit);
    desk.failNext({ ok: false, error: 'slack http 500' });
    worker.start();
    try {
      await waitFor(() => desk.probes >= 1, 2_000, 'one probe');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(desk.calls).toHaveLength(1);
      expect(desk.probes).toBe(1);
    } finally {
      await worker.stop();
    }
  });

  it('dead-letters a permanent failure at once', async () => {
    const { store, kit, desk, worker, dead } = setup();
    await openTestCase(kit);
    desk.failNext({ ok: false, error: 'slack error: channel_not_found', permanent: true });
    await worker.runOnce();
    expect(await store.outboxStats(kit.clock.now().toISOString())).toMatchObject({ pending: 0, dead: 1 });
    expect(dead).toHaveLength(1);
  });

  it('runs on its own timer until stopped', async () => {
    const { kit, desk, worker } = setup();
    await openTestCase(kit);
    await openTestCase(kit);
    worker.start();
    await waitFor(() => desk.delivered.length === 2, 2_000, 'two cards');
    await worker.stop();
    await openTestCase(kit);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(desk.delivered).toHaveLength(2);
  });
});
