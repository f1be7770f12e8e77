import { register as globalRegistry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createTurnHandler } from '../../src/core/handle-turn.js';
import { InProcessConversationLock } from '../../src/core/in-process-conversation-lock.js';
import type { IntentClassifier } from '../../src/core/ports/intent-classifier.js';
import { LexiconSentimentScorer } from '../../src/nlu/lexicon-sentiment-scorer.js';
import { instrumentTurnHandler } from '../../src/observability/instrument-turn-handler.js';
import { RecordingCustomerChannel } from '../fakes/escalation-customer-channel.js';
import { ManualClock, countingIds, sampleValue, startOperationsTestApp, type OperationsTestApp } from '../operations/support/operations-test-app.js';

describe('instrumentTurnHandler and the case/engine decorators on the real Candor', () => {
  let app: OperationsTestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('counts real turns by channel, intent and action, with fallbacks, escalations, engine latency, outbox depth, claims, outcomes and CSAT', async () => {
    const clock = new ManualClock('2026-03-01T08:00:00.000Z');
    app = await startOperationsTestApp({ clock, ids: countingIds() });
    const before = (await app.metrics.render()).body;
    expect(sampleValue(before, 'candor_turns_total', { channel: 'web', intent: 'limit.why_dropped', action: 'answer' })).toBeUndefined();
    expect(sampleValue(before, 'candor_outbox_pending')).toBe(0);

    const answered = await app.say('web:demo-drop', 'demo-drop', 'Why did my credit limit drop?');
    expect(answered).toMatchObject({ intent: 'limit.why_dropped', action: 'answer' });
    await app.say('web:demo-drop', 'demo-drop', 'Why did my credit limit drop?');
    const fallback = await app.say('anon:1', null, 'what is the best pizza topping in naples');
    expect(fallback.action).toBe('out_of_scope');
    const escalated = await app.say('web:demo-denied', 'demo-denied', 'I want to talk to a human agent please');
    expect(escalated.escalation).toBe('asked_for_person');

    let text = (await app.metrics.render()).body;
    expect(sampleValue(text, 'candor_turns_total', { channel: 'web', intent: 'limit.why_dropped', action: 'answer' })).toBe(2);
    expect(sampleValue(text, 'candor_turns_total', { channel: 'web', intent: 'oos', action: 'out_of_scope' })).toBe(1);
    expect(sampleValue(text, 'candor_fallbacks_total', { channel: 'web' })).toBe(1);
    expect(sampleValue(text, 'candor_escalations_total', { trigger: 'asked_for_person' })).toBe(1);
    expect(sampleValue(text, 'candor_turn_duration_seconds_count', { channel: 'web' })).toBe(4);
    expect(sampleValue(text, 'candor_decision_engine_lookup_seconds_count', { outcome: 'found' })).toBe(2);
    expect(sampleValue(text, 'candor_decision_engine_breaker_state', { state: 'closed' })).toBe(1);
    expect(sampleValue(text, 'candor_outbox_pending')).toBe(1);
    clock.advance(90_000);
    text = (await app.metrics.render()).body;
    expect(sampleValue(text, 'candor_outbox_oldest_pending_age_seconds')).toBe(90);
    expect(sampleValue(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(text, 'candor_websocket_sessions')).toBe(0);
    app.metrics.watch({ sessions: () => 3 });
    expect(sampleValue((await app.metrics.render()).body, 'candor_websocket_sessions')).toBe(3);

    // An agent claims after 90 s and resolves; the customer rates 4.
    const cases = app.candor.createCaseService(new RecordingCustomerChannel());
    const [open] = await cases.listOpen();
    expect((await cases.claim(open!.ref, { id: 'U1', name: 'Mei' })).status).toBe('ok');
    clock.advance(600_000);
    expect((await cases.resolve(open!.ref, { id: 'U1', name: 'Mei' })).status).toBe('ok');
    const rated = await app.say('web:demo-denied', 'demo-denied', '4');
    expect(rated.action).toBe('record_rating');
    text = (await app.metrics.render()).body;
    expect(sampleValue(text, 'candor_case_time_to_claim_seconds_count')).toBe(1);
    expect(sampleValue(text, 'candor_case_time_to_claim_seconds_sum')).toBe(90);
    expect(sampleValue(text, 'candor_case_outcomes_total', { outcome: 'resolved' })).toBe(1);
    expect(sampleValue(text, 'candor_case_resolution_seconds_sum')).toBe(690);
    expect(sampleValue(text, 'candor_csat_ratings_total', { rating: '4', handled: 'agent' })).toBe(1);
    const ratingTurns = text.split('\n').filter((line) => line.startsWith('candor_turns_total{') && line.includes('action="record_rating"'));
    expect(ratingTurns.map((line) => Number(line.split(' ').at(-1)))).toEqual([1]);
  });

  it('counts clarifications, failures and duplicates, and keeps two apps\' registries apart (nothing in the global one)', async () => {
    app = await startOperationsTestApp();
    const other = await startOperationsTestApp();
    try {
      await app.say('web:demo-raised', 'demo-raised', 'hello', { clientMessageId: 'c-1' });
      const resent = await app.say('web:demo-raised', 'demo-raised', 'hello', { clientMessageId: 'c-1' });
      expect(resent.duplicate).toBe(true);
      const text = (await app.metrics.render()).body;
      expect(sampleValue(text, 'candor_turns_total', { channel: 'web', intent: 'none', action: 'duplicate' })).toBe(1);
      expect(sampleValue((await other.metrics.render()).body, 'candor_turns_total', { channel: 'web', intent: 'none', action: 'duplicate' })).toBeUndefined();
      expect(await globalRegistry.metrics()).not.toContain('candor_');

      // A store outage makes the turn throw: counted as a failure, rethrown to the channel's error boundary.
      await app.store.close();
      await expect(app.say('web:demo-raised', 'demo-raised', 'why was my increase denied')).rejects.toMatchObject({ name: 'CandorError' });
      expect(sampleValue((await app.metrics.render()).body, 'candor_turn_failures_total', { channel: 'web' })).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('counts a clarifying question', async () => {
    app = await startOperationsTestApp();
    // The real turn, but with a classifier torn between two intents, so the policy asks which was meant.
    const torn: IntentClassifier = {
      classify: () => ({ intent: 'limit.why_dropped', confidence: 0.3, runnersUp: [{ intent: 'limit.increase_denied', confidence: 0.28 }] }),
    };
    const candor = app.candor;
    const handler = createTurnHandler({
      store: candor.store,
      classifier: torn,
      references: candor.references,
      sentiment: new LexiconSentimentScorer(),
      intents: candor.intents,
      engine: candor.engine,
      composer: candor.composer,
      lock: new InProcessConversationLock(),
      clock: candor.clock,
      ids: candor.ids,
      maskCustomerId: (id) => `masked-${id.length}`,
      logger: candor.logger,
    });
    const result = await instrumentTurnHandler(handler, app.metrics).handle({ conversationId: 'anon:torn', channel: 'cli', customerId: null, locale: 'en', text: 'limit thing' });
    expect(result.action).toBe('clarify');
    const text = (await app.metrics.render()).body;
    expect(sampleValue(text, 'candor_clarifications_total', { channel: 'cli' })).toBe(1);
    expect(sampleValue(text, 'candor_turns_total', { channel: 'cli', intent: 'limit.why_dropped', action: 'clarify' })).toBe(1);
    expect(sampleValue(text, 'candor_fallbacks_total', { channel: 'cli' })).toBeUndefined();
  });
});
