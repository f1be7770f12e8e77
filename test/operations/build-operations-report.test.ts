import { afterEach, describe, expect, it } from 'vitest';
import { SqliteConversationStore } from '../../src/storage/sqlite/sqlite-conversation-store.js';
import { buildOperationsReport, countDaily, durationStats } from '../../src/operations/build-operations-report.js';
import { formatOperationsReport } from '../../src/operations/format-operations-report.js';
import { parseReportRange } from '../../src/operations/parse-report-range.js';
import { ManualClock, startOperationsTestApp } from './support/operations-test-app.js';
import { seedOperationsData } from './support/seed-operations-data.js';

describe('buildOperationsReport on a seeded month', () => {
  const store = SqliteConversationStore.open({ path: ':memory:' });
  afterEach(() => undefined);

  it('computes containment, escalation rates, intents, unrecognised texts, claim and resolution times, CSAT and reasons', async () => {
    await seedOperationsData(store);
    const range = parseReportRange({ from: '2026-03-01', to: '2026-03-31' }, new Date('2026-05-01T00:00:00Z'), 30);
    expect(range).toEqual({ ok: true, range: { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' } });
    if (!range.ok) return;
    const report = await buildOperationsReport(store, range.range);

    expect(report.conversations).toEqual({ engaged: 10, contained: 6, escalated: 4, containmentRate: 0.6, byChannel: [{ value: 'web', count: 10 }] });
    expect(report.escalations.total).toBe(4);
    expect(report.escalations.byTrigger).toEqual([
      { trigger: 'asked_for_person', count: 2, rate: 0.2 },
      { trigger: 'complaint', count: 1, rate: 0.1 },
      { trigger: 'engine_unavailable', count: 1, rate: 0.1 },
    ]);
    expect(report.escalations.byOutcome).toEqual([
      { status: 'resolved', count: 3 },
      { status: 'queued', count: 1 },
    ]);
    expect(report.topIntents).toEqual([
      { value: 'agent.request', count: 4 },
      { value: 'limit.why_dropped', count: 3 },
      { value: 'limit.current', count: 2 },
      { value: 'smalltalk.greeting', count: 1 },
    ]);
    expect(report.topUnrecognised).toEqual([
      { value: 'pizza', count: 2 },
      { value: 'weather', count: 1 },
    ]);
    expect(report.timeToClaim).toMatchObject({ n: 3, meanSeconds: 260, p50Seconds: 120, p90Seconds: 600, maxSeconds: 600 });
    expect(report.timeToClaim.buckets.slice(0, 3)).toEqual([
      { label: '≤1m', count: 1 },
      { label: '≤5m', count: 1 },
      { label: '≤15m', count: 1 },
    ]);
    expect(report.resolutionTime).toMatchObject({ n: 3, meanSeconds: 1600, p50Seconds: 900, p90Seconds: 3600 });
    expect(report.csat.agentHandled).toEqual({
      n: 3,
      mean: 11 / 3,
      distribution: [
        { rating: 1, count: 0 },
        { rating: 2, count: 1 },
        { rating: 3, count: 0 },
        { rating: 4, count: 1 },
        { rating: 5, count: 1 },
      ],
    });
    expect(report.csat.botOnly).toEqual({
      n: 3,
      mean: 4,
      distribution: [
        { rating: 1, count: 0 },
        { rating: 2, count: 0 },
        { rating: 3, count: 1 },
        { rating: 4, count: 1 },
        { rating: 5, count: 1 },
      ],
    });
    expect(report.explanations).toEqual({
      total: 3,
      reviewRequested: 1,
      suppressed: 2,
      byReasonShown: [
        { value: 'UTIL_HIGH', count: 2 },
        { value: 'INQ_RECENT', count: 1 },
        { value: 'PAY_LATE_RECENT', count: 1 },
      ],
    });
    expect(report.daily).toHaveLength(31);
    expect(report.daily[0]).toEqual({ day: '2026-03-01', engaged: 0, contained: 0, cases: 0, explanations: 0 });
    expect(report.daily[9]).toEqual({ day: '2026-03-10', engaged: 10, contained: 6, cases: 4, explanations: 3 });
    expect(report.daily.filter((day) => day.engaged + day.cases + day.explanations > 0).map((day) => day.day)).toEqual(['2026-03-10']);
    const text = formatOperationsReport(report);
    expect(text).toContain('Containment: 60.0%');
    expect(text).toContain('  2026-03-10         10          6      4             3');
    expect(text).toContain('median 2.0m  p90 10.0m');

    const april = await buildOperationsReport(store, { from: '2026-04-01T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z' });
    expect(april.conversations).toMatchObject({ engaged: 1, contained: 1, containmentRate: 1 });
    expect(april.topUnrecognised).toEqual([{ value: 'pizza', count: 1 }]);
  });

  it('counts a rating reply such as "4" as a rating, not as an unrecognised message', async () => {
    const clock = new ManualClock('2026-06-10T09:00:00.000Z');
    const app = await startOperationsTestApp({ clock });
    try {
      await app.say('web:rated', null, 'goodbye');
      const rated = await app.say('web:rated', null, '4');
      expect(rated.action).toBe('record_rating');
      expect(rated.intent).toBeNull();
      await app.say('web:other', null, 'what is the best pizza topping');
      const report = await buildOperationsReport(app.store, { from: '2026-06-10T00:00:00.000Z', to: '2026-06-11T00:00:00.000Z' });
      expect(report.topUnrecognised).toEqual([{ value: 'what is the best pizza topping', count: 1 }]);
      expect(report.topIntents.map((row) => row.value)).toEqual(['smalltalk.goodbye']);
      expect(report.csat.botOnly).toMatchObject({ n: 1, mean: 4 });
    } finally {
      await app.close();
    }
  });

  it('reads periods and rejects bad ones', () => {
    const now = new Date('2026-03-31T12:00:00.000Z');
    expect(parseReportRange({}, now, 7)).toEqual({ ok: true, range: { from: '2026-03-24T12:00:00.000Z', to: '2026-03-31T12:00:00.000Z' } });
    expect(parseReportRange({ from: '2026-03-01T00:00:00+08:00', to: '2026-03-02T00:00:00Z' }, now, 7)).toEqual({
      ok: true,
      range: { from: '2026-02-28T16:00:00.000Z', to: '2026-03-02T00:00:00.000Z' },
    });
    expect(parseReportRange({ from: '2026-02-30' }, now, 7).ok).toBe(false);
    expect(parseReportRange({ from: 'yesterday' }, now, 7).ok).toBe(false);
    expect(parseReportRange({ from: '2026-03-05', to: '2026-03-01' }, now, 7).ok).toBe(false);
  });

  it('counts per UTC day over every day the period touches, zeros included', () => {
    const range = { from: '2026-03-30T12:00:00.000Z', to: '2026-04-02T00:00:00.000Z' };
    expect(
      countDaily(range, {
        engaged: ['2026-03-30T12:00:00.000Z', '2026-03-30T23:59:59.999Z', '2026-04-01T00:00:00.000Z'],
        contained: ['2026-03-30T13:00:00.000Z'],
        cases: ['2026-04-01T23:00:00.000Z'],
        explanations: [],
      }),
    ).toEqual([
      { day: '2026-03-30', engaged: 2, contained: 1, cases: 0, explanations: 0 },
      { day: '2026-03-31', engaged: 0, contained: 0, cases: 0, explanations: 0 },
      { day: '2026-04-01', engaged: 1, contained: 0, cases: 1, explanations: 0 },
    ]);
  });

  it('takes nearest-rank percentiles', () => {
    expect(durationStats([])).toMatchObject({ n: 0, p50Seconds: null, meanSeconds: null });
    expect(durationStats([5, 1, 3, 2, 4])).toMatchObject({ n: 5, p50Seconds: 3, p90Seconds: 5, meanSeconds: 3, maxSeconds: 5 });
  });
});
