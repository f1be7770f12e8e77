import { z } from 'zod';
import type { TimeRange } from '../core/ports/conversation-store.js';

const DAY_MS = 86_400_000;
const dateOnly = /^\d{4}-\d{2}-\d{2}$/;
const dateText = z.union([
  z.string().regex(dateOnly).refine((value) => {
    const parsed = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
  }, 'not a real date'),
  z.iso.datetime({ offset: true }),
]);

/** The outcome of reading a `--from`/`--to` pair. */
export type RangeResult = { ok: true; range: TimeRange } | { ok: false; problem: string };

/**
 * Reads a report period: `YYYY-MM-DD` days in UTC (`to` inclusive, so `--from 2026-03-01 --to
 * 2026-03-31` is all of March) or ISO timestamps (`to` exclusive); missing ends default to the last
 * `defaultDays` days up to now.
 */
export function parseReportRange(input: { from?: string | null | undefined; to?: string | null | undefined }, now: Date, defaultDays: number): RangeResult {
  const from = blankToUndefined(input.from);
  const to = blankToUndefined(input.to);
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (value !== undefined && !dateText.safeParse(value).success) return { ok: false, problem: `--${name} must be YYYY-MM-DD or an ISO 8601 timestamp, got "${value}"` };
  }
  const end = to === undefined ? now : dateOnly.test(to) ? new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS) : new Date(to);
  const start = from === undefined ? new Date(end.getTime() - defaultDays * DAY_MS) : dateOnly.test(from) ? new Date(`${from}T00:00:00Z`) : new Date(from);
  if (start.getTime() >= end.getTime()) return { ok: false, problem: '--from must be before --to' };
  return { ok: true, range: { from: start.toISOString(), to: end.toISOString() } };
}

function blankToUndefined(value: string | null | undefined): string | undefined {
  return value === null || value === undefined || value.trim() === '' ? undefined : value.trim();
}
