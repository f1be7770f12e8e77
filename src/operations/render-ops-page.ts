import type { OperationsReport } from './build-operations-report.js';
import { escapeHtml } from './escape-html.js';
import { formatPercent, formatSeconds } from './format-operations-report.js';
import { readableIntentId, type IntentNamer } from './name-intents.js';
import { renderDailyChart } from './render-daily-chart.js';

/** One bar of a chart: its label, its value, and the text shown at its end. */
export interface Bar {
  label: string;
  value: number;
  display: string;
  /** The id behind a friendly label (an intent id), kept as `data-key` and in the tooltip. */
  key?: string;
}

const WIDTH = 560;
const LABEL_WIDTH = 200;
const VALUE_WIDTH = 90;
const ROW = 24;

/** Draws a horizontal bar chart as inline SVG (no script, no external resource); an empty chart says so. */
export function renderBarChart(id: string, title: string, bars: readonly Bar[], maxValue?: number): string {
  const top = Math.max(maxValue ?? 0, ...bars.map((bar) => bar.value), 0);
  const plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH;
  const height = Math.max(1, bars.length) * ROW + 8;
  const rows = bars.map((bar, i) => {
    const y = i * ROW + 4;
    const width = top === 0 ? 0 : Math.max(bar.value > 0 ? 2 : 0, Math.round((bar.value / top) * plot));
    const label = bar.label.length > 30 ? `${bar.label.slice(0, 29)}…` : bar.label;
    return [
      `<g class="bar" data-label="${escapeHtml(bar.label)}"${bar.key === undefined ? '' : ` data-key="${escapeHtml(bar.key)}"`} data-value="${bar.value}">`,
      `<title>${escapeHtml(`${bar.label}${bar.key === undefined ? '' : ` (${bar.key})`}: ${bar.display}`)}</title>`,
      `<text x="${LABEL_WIDTH - 8}" y="${y + 16}" text-anchor="end">${escapeHtml(label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y + 3}" width="${width}" height="${ROW - 8}" rx="2"></rect>`,
      `<text x="${LABEL_WIDTH + width + 6}" y="${y + 16}" class="value">${escapeHtml(bar.display)}</text>`,
      '</g>',
    ].join('');
  });
  const empty = bars.length === 0 ? `<text x="${LABEL_WIDTH}" y="18" class="empty">No data in this period</text>` : '';
  return [
    `<figure class="chart" data-chart="${escapeHtml(id)}">`,
    `<figcaption>${escapeHtml(title)}</figcaption>`,
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(title)}" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}">`,
    ...rows,
    empty,
    '</svg>',
    '</figure>',
  ].join('\n');
}

/** Draws a single 0–100 % gauge bar, e.g. containment. */
function renderShareChart(id: string, title: string, rate: number | null, caption: string): string {
  const plot = WIDTH - 20;
  const width = rate === null ? 0 : Math.round(rate * plot);
  return [
    `<figure class="chart" data-chart="${escapeHtml(id)}">`,
    `<figcaption>${escapeHtml(title)}</figcaption>`,
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(`${title}: ${formatPercent(rate)}`)}" width="${WIDTH}" height="56" viewBox="0 0 ${WIDTH} 56">`,
    `<rect class="track" x="10" y="8" width="${plot}" height="22" rx="3"></rect>`,
    `<g class="bar" data-label="${escapeHtml(title)}" data-value="${rate ?? ''}"><rect x="10" y="8" width="${width}" height="22" rx="3"></rect></g>`,
    `<text x="10" y="48">${escapeHtml(`${formatPercent(rate)} — ${caption}`)}</text>`,
    '</svg>',
    '</figure>',
  ].join('\n');
}

/**
 * Renders the `/ops` page: every chart as inline SVG, styles under a per-response nonce, no
 * script. When the admin token came in the query string, the period form carries it on (it is not
 * stored anywhere).
 */
export function renderOpsPage(report: OperationsReport, options: { nonce: string; queryToken: string | null; nameIntent?: IntentNamer }): string {
  const nameIntent = options.nameIntent ?? readableIntentId;
  const c = report.conversations;
  const claim = report.timeToClaim;
  const resolve = report.resolutionTime;
  const csat = report.csat;
  const rows = (items: { value: string; count: number }[]): Bar[] => items.map((item) => ({ label: item.value, value: item.count, display: String(item.count) }));
  const charts = [
    renderShareChart('containment', 'Containment (engaged conversations the bot resolved without a person)', c.containmentRate, `${c.contained} of ${c.engaged} conversations`),
    renderBarChart(
      'escalation-by-trigger',
      `Escalation rate by trigger (${report.escalations.total} cases)`,
      report.escalations.byTrigger.map((row) => ({ label: row.trigger, value: row.rate ?? 0, display: `${formatPercent(row.rate)} (${row.count})` })),
    ),
    renderDailyChart('per-day', 'Per day (UTC)', report.daily, [
      { key: 'engaged', name: 'engaged conversations' },
      { key: 'contained', name: 'contained by the bot' },
      { key: 'cases', name: 'cases opened' },
      { key: 'explanations', name: 'explanations' },
    ]),
    renderBarChart(
      'top-intents',
      'Top intents',
      report.topIntents.map((item) => ({ label: nameIntent(item.value), key: item.value, value: item.count, display: String(item.count) })),
    ),
    renderBarChart('top-unrecognised', 'Top unrecognised messages (redacted)', rows(report.topUnrecognised)),
    renderBarChart(
      'time-to-claim',
      `Time to claim — median ${formatSeconds(claim.p50Seconds)}, p90 ${formatSeconds(claim.p90Seconds)}, n=${claim.n}`,
      claim.buckets.map((bucket) => ({ label: bucket.label, value: bucket.count, display: String(bucket.count) })),
    ),
    renderBarChart(
      'resolution-time',
      `Resolution time — median ${formatSeconds(resolve.p50Seconds)}, p90 ${formatSeconds(resolve.p90Seconds)}, n=${resolve.n}`,
      resolve.buckets.map((bucket) => ({ label: bucket.label, value: bucket.count, display: String(bucket.count) })),
    ),
    renderBarChart(
      'csat',
      'CSAT (mean rating, 1–5)',
      [
        { label: 'bot-only', value: csat.botOnly.mean ?? 0, display: csat.botOnly.mean === null ? `no ratings (n=0)` : `${csat.botOnly.mean.toFixed(2)} (n=${csat.botOnly.n})` },
        { label: 'agent-handled', value: csat.agentHandled.mean ?? 0, display: csat.agentHandled.mean === null ? `no ratings (n=0)` : `${csat.agentHandled.mean.toFixed(2)} (n=${csat.agentHandled.n})` },
      ],
      5,
    ),
    renderBarChart('explanations-by-reason', `Explanations by reason code (${report.explanations.total} explanations)`, rows(report.explanations.byReasonShown)),
  ];
  const day = (iso: string) => iso.slice(0, 10);
  const lastDay = new Date(Date.parse(report.range.to) - 1).toISOString();
  const tokenField = options.queryToken === null ? '' : `<input type="hidden" name="token" value="${escapeHtml(options.queryToken)}">`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Candor operations</title>
<style nonce="${escapeHtml(options.nonce)}">
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2430; background: #fafbfc; }
@media (max-width: 640px) { body { margin: 12px; } figure.chart { padding: 8px; } }
h1 { font-size: 20px; margin: 0 0 4px; }
.period { color: #556; margin: 0 0 16px; }
form { margin: 0 0 16px; display: flex; gap: 8px; align-items: end; flex-wrap: wrap; }
label { display: flex; flex-direction: column; font-size: 12px; color: #445; }
/* A column is at most as wide as the screen, and a chart scales down with it: nothing scrolls sideways on a phone. */
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 580px), 1fr)); gap: 16px; }
figure.chart { margin: 0; padding: 12px; background: #fff; border: 1px solid #dde2ea; border-radius: 6px; min-width: 0; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
svg .series polyline { fill: none; stroke-width: 2; }
svg .s0 polyline { stroke: #2f6fdf; } svg .s0 circle { fill: #2f6fdf; }
svg .s1 polyline { stroke: #1f9d6b; } svg .s1 circle { fill: #1f9d6b; }
svg .s2 polyline { stroke: #d9822b; } svg .s2 circle { fill: #d9822b; }
svg .s3 polyline { stroke: #8a4fd1; } svg .s3 circle { fill: #8a4fd1; }
svg line.axis { stroke: #c8cfda; }
ul.legend { list-style: none; margin: 6px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; }
ul.legend .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
ul.legend .s0 .swatch { background: #2f6fdf; } ul.legend .s1 .swatch { background: #1f9d6b; }
ul.legend .s2 .swatch { background: #d9822b; } ul.legend .s3 .swatch { background: #8a4fd1; }
details { margin-top: 6px; font-size: 12px; }
table { border-collapse: collapse; width: 100%; max-width: 560px; table-layout: fixed; }
th, td { padding: 1px 6px 1px 0; text-align: right; overflow-wrap: anywhere; }
th[scope="row"], thead th:first-child { text-align: left; }
thead th:first-child { width: 6.5em; }
figcaption { font-weight: 600; margin-bottom: 6px; overflow-wrap: anywhere; }
svg text { font: 12px system-ui, sans-serif; fill: #1d2430; }
svg .bar rect { fill: #2f6fdf; }
svg rect.track { fill: #e6ebf3; }
svg text.value { fill: #334; }
svg text.empty { fill: #889; }
.note { color: #556; font-size: 12px; }
</style>
</head>
<body>
<h1>Candor operations</h1>
<p class="period">${escapeHtml(day(report.range.from))} to ${escapeHtml(day(lastDay))} (UTC)</p>
<form method="get" action="/ops">
<label>From <input type="date" name="from" value="${escapeHtml(day(report.range.from))}"></label>
<label>To <input type="date" name="to" value="${escapeHtml(day(lastDay))}"></label>
${tokenField}
<button type="submit">Show</button>
</form>
<div class="grid">
${charts.join('\n')}
</div>
<p class="note">${escapeHtml(csat.note)} Transcripts older than the retention period are anonymised, so message-based figures (intents, unrecognised messages) cover only the retained period.</p>
</body>
</html>
`;
}
