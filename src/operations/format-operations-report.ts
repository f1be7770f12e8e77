import type { DurationStats, OperationsReport, RatingStats } from './build-operations-report.js';

/** Formats a rate in [0, 1] as a percentage with one decimal, or an em dash. */
export function formatPercent(rate: number | null): string {
  return rate === null ? '—' : `${(rate * 100).toFixed(1)}%`;
}

/** Formats seconds as `42s`, `7.5m` or `3.2h`, or an em dash. */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)}m`;
  return `${(seconds / 3600).toFixed(1)}h`;
}

function durationLine(stats: DurationStats): string {
  return `n=${stats.n}  median ${formatSeconds(stats.p50Seconds)}  p90 ${formatSeconds(stats.p90Seconds)}  mean ${formatSeconds(stats.meanSeconds)}  max ${formatSeconds(stats.maxSeconds)}`;
}

function ratingLine(stats: RatingStats): string {
  return `n=${stats.n}  mean ${stats.mean === null ? '—' : stats.mean.toFixed(2)}  [${stats.distribution.map((d) => `${d.rating}:${d.count}`).join(' ')}]`;
}

/** Renders the report as plain text for the terminal. */
export function formatOperationsReport(report: OperationsReport): string {
  const lines: string[] = [];
  const c = report.conversations;
  lines.push(`Candor operations report ${report.range.from} → ${report.range.to}`);
  lines.push('');
  lines.push(`Conversations: ${c.engaged} engaged, ${c.contained} contained by the bot, ${c.escalated} reached a person`);
  lines.push(`Containment: ${formatPercent(c.containmentRate)}`);
  lines.push('');
  lines.push(`Escalations: ${report.escalations.total}`);
  for (const row of report.escalations.byTrigger) lines.push(`  ${row.trigger.padEnd(22)} ${String(row.count).padStart(6)}  ${formatPercent(row.rate)} of conversations`);
  for (const row of report.escalations.byOutcome) lines.push(`  status ${row.status.padEnd(15)} ${String(row.count).padStart(6)}`);
  lines.push('');
  lines.push('Top intents:');
  for (const row of report.topIntents) lines.push(`  ${row.value.padEnd(28)} ${String(row.count).padStart(6)}`);
  lines.push('Top unrecognised messages (redacted):');
  for (const row of report.topUnrecognised) lines.push(`  ${String(row.count).padStart(6)}  ${JSON.stringify(row.value)}`);
  lines.push('');
  lines.push(`Time to claim:   ${durationLine(report.timeToClaim)}`);
  lines.push(`Resolution time: ${durationLine(report.resolutionTime)}`);
  lines.push('');
  lines.push(`CSAT agent-handled: ${ratingLine(report.csat.agentHandled)}`);
  lines.push(`CSAT bot-only:      ${ratingLine(report.csat.botOnly)}`);
  lines.push(`  (${report.csat.note})`);
  lines.push('');
  const e = report.explanations;
  lines.push(`Explanations: ${e.total} given, ${e.reviewRequested} with a review request, ${e.suppressed} codes suppressed`);
  for (const row of e.byReasonShown) lines.push(`  ${row.value.padEnd(22)} ${String(row.count).padStart(6)}`);
  lines.push('');
  lines.push('Per day (UTC):    engaged  contained  cases  explanations');
  for (const row of report.daily) {
    lines.push(`  ${row.day}  ${String(row.engaged).padStart(9)}  ${String(row.contained).padStart(9)}  ${String(row.cases).padStart(5)}  ${String(row.explanations).padStart(12)}`);
  }
  return `${lines.join('\n')}\n`;
}
