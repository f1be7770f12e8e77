import { describe, expect, it } from 'vitest';
import type { OutboxItem } from '../../src/core/outbox.js';
import { OutboxWorker } from '../../src/escalation/outbox-worker.js';
import { SqliteConversationStore } from '../../src/storage/sqlite/sqlite-conversation-store.js';
import { ScriptedDesk } from '../fakes/escalation-scripted-desk.js';
import { createEscalationKit, customerSays, openTestCase, waitFor } from './escalation-test-kit.js';

function setup(options: { maxAttempts?: number } = {}) {
  const store = SqliteConversationStore.open({ path: ':memory:' });
  const kit = createEscalationKit({ store });
  const desk = new ScriptedDesk();
  const dead: Array<{ item: OutboxItem; error: string }> = [];
  const worker = new OutboxWorker({
    store,
    desk,
    clock: kit.clock,
    backoffBaseMs: 1_000,
    backoffMaxMs: 60_000,
    jitterRatio: 0,
    maxAttempts: options.maxAttempts ?? 5,
    pollMs: 10,
    onDeadLetter: (item, error) => dead.push({ item, error }),
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

  it('dead-letters after the maximum attempts and raises the alert', async () => {
    const { store, kit, desk, worker, dead } = setup({ maxAttempts: 3 });
    const opened = await openTestCase(kit);
    for (let i = 0; i < 3; i += 1) {
      desk.failNext('throw');
      await worker.runOnce();
      kit.clock.advance(120_000);
    }
    expect(await store.outboxStats(kit.clock.now().toISOString())).toMatchObject({ pending: 0, dead: 1 });
    expect(dead).toHaveLength(1);
    expect(dead[0]?.error).toBe('desk exploded');
    expect(dead[0]?.item.caseId).toBe(opened.id);
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
