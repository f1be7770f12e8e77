import type { AuditStore } from '../core/ports/audit-store.js';
import type { CountedValue, OperationsQueries, TimeRange } from '../core/ports/operations-queries.js';
import type { CaseStatus, EscalationTrigger } from '../core/escalation-case.js';
import { OUT_OF_SCOPE } from '../core/ports/intent-classifier.js';

/** Count, mean and percentiles of a set of durations, in seconds. */
export interface DurationStats {
  n: number;
  meanSeconds: number | null;
  p50Seconds: number | null;
  p90Seconds: number | null;
  maxSeconds: number | null;
  /** How many durations fall at or under each bucket's upper bound (the last bucket is open). */
  buckets: { label: string; count: number }[];
}

/** Count, mean and 1–5 distribution of ratings. */
export interface RatingStats {
  n: number;
  mean: number | null;
  distribution: { rating: number; count: number }[];
}

/** The main counts of one UTC day of the period. */
export interface DailyCounts {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  /** Conversations started that day in which the customer wrote or a case was opened. */
  engaged: number;
  /** Of those, the ones that never reached a person. */
  contained: number;
  /** Cases opened that day. */
  cases: number;
  /** Explanations given that day. */
  explanations: number;
}

/** Everything support leads see for one period; the CLI prints it, `/ops` draws it. */
export interface OperationsReport {
  range: TimeRange;
  conversations: {
    /** Conversations started in the period in which the customer wrote or a case was opened. */
    engaged: number;
    /** Engaged conversations that never reached a person. */
    contained: number;
    escalated: number;
    /** contained / engaged, or null with no engaged conversation. */
    containmentRate: number | null;
    byChannel: CountedValue[];
  };
  escalations: {
    total: number;
    /** Cases per engaged conversation, by trigger. */
    byTrigger: { trigger: EscalationTrigger; count: number; rate: number | null }[];
    byOutcome: { status: CaseStatus; count: number }[];
  };
  topIntents: CountedValue[];
  /** The most frequent out-of-scope messages, as stored (already redacted). */
  topUnrecognised: CountedValue[];
  timeToClaim: DurationStats;
  resolutionTime: DurationStats;
  csat: {
    botOnly: RatingStats;
    agentHandled: RatingStats;
    /** Why a side may be empty. */
    note: string;
  };
  explanations: {
    total: number;
    reviewRequested: number;
    byReasonShown: CountedValue[];
    suppressed: number;
  };
  /** Every UTC day the period touches, oldest first, zeros included: the trend of the main counts. */
  daily: DailyCounts[];
}

const DURATION_BUCKETS: [string, number][] = [
  ['≤1m', 60],
  ['≤5m', 300],
  ['≤15m', 900],
  ['≤1h', 3600],
  ['≤4h', 14_400],
  ['≤1d', 86_400],
  ['>1d', Number.POSITIVE_INFINITY],
];

const CSAT_NOTE = 'Agent-handled: rated when an agent resolves a case. Bot-only: rated when a customer who never reached a person says goodbye.';

/** Reads one period's conversations, cases, intents and explanations from the store and computes the report. */
export async function buildOperationsReport(store: OperationsQueries & AuditStore, range: TimeRange, options: { top?: number } = {}): Promise<OperationsReport> {
  const top = options.top ?? 10;
  const [conversations, cases, intents, unrecognised, explanations] = await Promise.all([
    store.summarizeConversations(range),
    store.listCasesCreated(range),
    store.countCustomerIntents(range),
    store.topCustomerTexts(range, OUT_OF_SCOPE, top),
    store.listExplanations({ from: range.from, to: range.to }),
  ]);

  const engaged = conversations.filter((c) => c.customerMessages > 0 || c.caseCount > 0);
  const escalated = engaged.filter((c) => c.caseCount > 0).length;
  const contained = engaged.length - escalated;

  const byTrigger = countBy(cases.map((c) => c.trigger)).map(({ value, count }) => ({
    trigger: value as EscalationTrigger,
    count,
    rate: engaged.length === 0 ? null : count / engaged.length,
  }));
  const byOutcome = countBy(cases.map((c) => c.status)).map(({ value, count }) => ({ status: value as CaseStatus, count }));

  const claimSeconds = cases.flatMap((c) => (c.claimedAt === null ? [] : [secondsBetween(c.createdAt, c.claimedAt)]));
  const resolveSeconds = cases.flatMap((c) => (c.resolvedAt === null ? [] : [secondsBetween(c.createdAt, c.resolvedAt)]));
  const agentRatings = cases.flatMap((c) => (c.rating === null ? [] : [c.rating]));
  const botRatings = conversations.flatMap((c) => (c.caseCount === 0 && c.botRating !== null ? [c.botRating] : []));

  return {
    range,
    conversations: {
      engaged: engaged.length,
      contained,
      escalated,
      containmentRate: engaged.length === 0 ? null : contained / engaged.length,
      byChannel: countBy(engaged.map((c) => c.channel)),
    },
    escalations: { total: cases.length, byTrigger, byOutcome },
    topIntents: intents.filter((row) => row.value !== OUT_OF_SCOPE).slice(0, top),
    topUnrecognised: unrecognised,
    timeToClaim: durationStats(claimSeconds),
    resolutionTime: durationStats(resolveSeconds),
    csat: { botOnly: ratingStats(botRatings), agentHandled: ratingStats(agentRatings), note: CSAT_NOTE },
    explanations: {
      total: explanations.length,
      reviewRequested: explanations.filter((record) => record.reviewRequested).length,
      byReasonShown: countBy(explanations.flatMap((record) => record.codesShown)),
      suppressed: explanations.reduce((sum, record) => sum + record.codesSuppressed.length, 0),
    },
    daily: countDaily(range, {
      engaged: engaged.map((c) => c.createdAt),
      contained: engaged.filter((c) => c.caseCount === 0).map((c) => c.createdAt),
      cases: cases.map((c) => c.createdAt),
      explanations: explanations.map((record) => record.createdAt),
    }),
  };
}

const DAY_MS = 86_400_000;

/** Counts instants per UTC day, for every day from the range's first to its last (zeros included). */
export function countDaily(range: TimeRange, instants: Record<Exclude<keyof DailyCounts, 'day'>, readonly string[]>): DailyCounts[] {
  const first = Math.floor(Date.parse(range.from) / DAY_MS);
  const last = Math.floor((Date.parse(range.to) - 1) / DAY_MS);
  const days: DailyCounts[] = [];
  for (let day = first; day <= last; day += 1) {
    days.push({ day: new Date(day * DAY_MS).toISOString().slice(0, 10), engaged: 0, contained: 0, cases: 0, explanations: 0 });
  }
  for (const [series, times] of Object.entries(instants) as [Exclude<keyof DailyCounts, 'day'>, readonly string[]][]) {
    for (const time of times) {
      const entry = days[Math.floor(Date.parse(time) / DAY_MS) - first];
      if (entry) entry[series] += 1;
    }
  }
  return days;
}

/** Counts equal values, most frequent first, ties in code-point order. */
export function countBy(values: readonly string[]): CountedValue[] {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/** Nearest-rank percentiles, mean and buckets of durations in seconds. */
export function durationStats(seconds: readonly number[]): DurationStats {
  const sorted = [...seconds].sort((a, b) => a - b);
  const n = sorted.length;
  const rank = (p: number): number | null => (n === 0 ? null : sorted[Math.max(0, Math.ceil((p / 100) * n) - 1)]!);
  const buckets = DURATION_BUCKETS.map(([label], index) => {
    const low = index === 0 ? Number.NEGATIVE_INFINITY : DURATION_BUCKETS[index - 1]![1];
    const high = DURATION_BUCKETS[index]![1];
    return { label, count: sorted.filter((value) => value > low && value <= high).length };
  });
  return {
    n,
    meanSeconds: n === 0 ? null : sorted.reduce((sum, value) => sum + value, 0) / n,
    p50Seconds: rank(50),
    p90Seconds: rank(90),
    maxSeconds: n === 0 ? null : sorted[n - 1]!,
    buckets,
  };
}

function ratingStats(ratings: readonly number[]): RatingStats {
  return {
    n: ratings.length,
    mean: ratings.length === 0 ? null : ratings.reduce((sum, value) => sum + value, 0) / ratings.length,
    distribution: [1, 2, 3, 4, 5].map((rating) => ({ rating, count: ratings.filter((value) => value === rating).length })),
  };
}

function secondsBetween(fromIso: string, toIso: string): number {
  return Math.max(0, (Date.parse(toIso) - Date.parse(fromIso)) / 1000);
}
