import type { DailyCounts } from './build-operations-report.js';
import { escapeHtml } from './escape-html.js';

/** One line of the daily chart: which count it draws and the name in its legend. */
export interface DailySeries {
  key: Exclude<keyof DailyCounts, 'day'>;
  name: string;
}

const WIDTH = 560;
const HEIGHT = 200;
const LEFT = 36;
const RIGHT = 12;
const TOP = 10;
const BOTTOM = 28;
/** Up to this many days each day also gets a dot, so a lone day is visible. */
const MAX_DOTTED_DAYS = 62;

/**
 * Draws per-day counts as an inline SVG line chart, one line per series, with the first and last day
 * and the highest count marked; the legend is HTML so it wraps on a narrow screen, and the figures are
 * in a table under a disclosure for screen readers and exact values.
 */
export function renderDailyChart(id: string, title: string, days: readonly DailyCounts[], series: readonly DailySeries[]): string {
  const top = Math.max(1, ...days.flatMap((day) => series.map((line) => day[line.key])));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const x = (index: number) => LEFT + (days.length <= 1 ? plotWidth / 2 : (index / (days.length - 1)) * plotWidth);
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  const point = (index: number, value: number) => `${x(index).toFixed(1)},${y(value).toFixed(1)}`;
  const lines = series.map((line, n) => {
    const values = days.map((day) => day[line.key]);
    const dots = days.length <= MAX_DOTTED_DAYS ? values.map((value, index) => `<circle cx="${x(index).toFixed(1)}" cy="${y(value).toFixed(1)}" r="2.5"></circle>`).join('') : '';
    return [
      `<g class="series s${n}" data-series="${escapeHtml(line.key)}" data-values="${values.join(',')}">`,
      `<title>${escapeHtml(line.name)}</title>`,
      `<polyline points="${values.map((value, index) => point(index, value)).join(' ')}"></polyline>`,
      dots,
      '</g>',
    ].join('');
  });
  const first = days[0]?.day ?? '';
  const last = days.at(-1)?.day ?? '';
  const axis = [
    `<line class="axis" x1="${LEFT}" y1="${TOP + plotHeight}" x2="${WIDTH - RIGHT}" y2="${TOP + plotHeight}"></line>`,
    `<text x="${LEFT - 6}" y="${TOP + 4}" text-anchor="end">${top}</text>`,
    `<text x="${LEFT - 6}" y="${TOP + plotHeight + 4}" text-anchor="end">0</text>`,
    `<text x="${LEFT}" y="${HEIGHT - 8}">${escapeHtml(first)}</text>`,
    days.length > 1 ? `<text x="${WIDTH - RIGHT}" y="${HEIGHT - 8}" text-anchor="end">${escapeHtml(last)}</text>` : '',
  ];
  const legend = series.map((line, n) => `<li class="s${n}"><span class="swatch"></span>${escapeHtml(line.name)}</li>`).join('');
  const header = series.map((line) => `<th scope="col">${escapeHtml(line.name)}</th>`).join('');
  const rows = days.map((day) => `<tr><th scope="row">${escapeHtml(day.day)}</th>${series.map((line) => `<td>${day[line.key]}</td>`).join('')}</tr>`).join('\n');
  return [
    `<figure class="chart wide" data-chart="${escapeHtml(id)}">`,
    `<figcaption>${escapeHtml(title)}</figcaption>`,
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(`${title}, ${first} to ${last}`)}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">`,
    ...axis,
    ...lines,
    '</svg>',
    `<ul class="legend">${legend}</ul>`,
    `<details><summary>Figures per day</summary><table><thead><tr><th scope="col">day (UTC)</th>${header}</tr></thead><tbody>`,
    rows,
    '</tbody></table></details>',
    '</figure>',
  ].join('\n');
}
