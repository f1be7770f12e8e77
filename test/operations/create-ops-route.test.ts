import { mkdir } from 'node:fs/promises';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebChannel, type WebChannel } from '../../src/channels/web/create-web-channel.js';
import { operationsConfigSchema } from '../../src/config/operations-config.js';
import { createOperationsRoutes } from '../../src/operations/create-operations-routes.js';
import { nameIntents } from '../../src/operations/name-intents.js';
import { startMetricsServer } from '../../src/observability/metrics-endpoint.js';
import { sampleValue, startOperationsTestApp, type OperationsTestApp } from './support/operations-test-app.js';
import { seedOperationsData } from './support/seed-operations-data.js';

const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);
// Debian's chromium; if it is missing the launch throws and the suite fails (it never skips).
const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const OPS_TOKEN = 'ops-token-0123456789abcdef';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

describe('operations routes on the real web channel', () => {
  let app: OperationsTestApp;
  let web: WebChannel;
  let browser: Browser;
  let isStoreClosed = false;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    app = await startOperationsTestApp();
    await seedOperationsData(app.store);
    const config = operationsConfigSchema.parse({ OPS_TOKEN, METRICS_TOKEN });
    web = await createWebChannel({
      config: { ...app.config.web, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: 0, PUBLIC_BASE_URL: undefined },
      turns: app.turns,
      store: app.store,
      composer: app.candor.composer,
      intents: app.candor.intents,
      demoCustomers: [],
      extraRoutes: createOperationsRoutes({
        config,
        metrics: app.metrics,
        store: app.store,
        clock: app.candor.clock,
        nameIntent: nameIntents(Object.fromEntries(app.candor.content.intents.map((intent) => [intent.id, intent.label.en]))),
        checks: {
          database: () => app.store.ping(),
          content: () => {
            if (app.candor.composer.contentVersion === '') throw new Error('no content');
          },
          nlu: () => {
            app.candor.classifier.classify('hello', 'en');
          },
        },
      }),
    });
    app.metrics.watch({ sessions: () => web.sessionCount() });
  });

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    if (!isStoreClosed) await app?.close();
  });

  it('draws every chart of the seeded month as inline SVG in a real browser, with nothing loaded from elsewhere', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1800 } });
    const page = await context.newPage();
    const outside: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(web.url)) outside.push(request.url());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const response = await page.goto(`${web.url}/ops?from=2026-03-01&to=2026-03-31&token=${OPS_TOKEN}`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['referrer-policy']).toBe('no-referrer');
    expect(response?.headers()['set-cookie']).toBeUndefined();

    const charts = await page.locator('figure.chart').evaluateAll((figures) =>
      figures.map((figure) => ({
        id: figure.getAttribute('data-chart'),
        svgWidth: figure.querySelector('svg')?.getBoundingClientRect().width ?? 0,
        bars: [...figure.querySelectorAll('g.bar')].map((bar) => ({
          label: bar.getAttribute('data-label'),
          value: Number(bar.getAttribute('data-value')),
          width: bar.querySelector('rect')?.getBoundingClientRect().width ?? 0,
        })),
      })),
    );
    expect(charts.map((chart) => chart.id)).toEqual([
      'containment',
      'escalation-by-trigger',
      'per-day',
      'top-intents',
      'top-unrecognised',
      'time-to-claim',
      'resolution-time',
      'csat',
      'explanations-by-reason',
    ]);
    for (const chart of charts) expect(chart.svgWidth).toBeGreaterThan(400);
    const byId: Record<string, { label: string | null; value: number; width: number }[]> = Object.fromEntries(charts.map((chart) => [chart.id, chart.bars]));
    expect(byId['containment']![0]!.value).toBe(0.6);
    expect(byId['containment']![0]!.width).toBeGreaterThan(300);
    expect(byId['escalation-by-trigger']!.map((bar) => [bar.label, bar.value])).toEqual([
      ['asked_for_person', 0.2],
      ['complaint', 0.1],
      ['engine_unavailable', 0.1],
    ]);
    // Bars are drawn to scale: twice the rate, twice the width.
    const [widest, half] = [byId['escalation-by-trigger']![0]!.width, byId['escalation-by-trigger']![1]!.width];
    expect(Math.abs(widest - 2 * half)).toBeLessThan(2);
    // Intents by their content labels; the id stays in data-key and the tooltip.
    const intentBars = await page.locator('[data-chart="top-intents"] g.bar').evaluateAll((bars) =>
      bars.map((bar) => [bar.getAttribute('data-label'), bar.getAttribute('data-key'), bar.querySelector('text')?.textContent]),
    );
    expect(intentBars).toEqual([
      ['Talk to a person', 'agent.request', 'Talk to a person'],
      ['Why my limit dropped', 'limit.why_dropped', 'Why my limit dropped'],
      ['My current limit', 'limit.current', 'My current limit'],
      ['Hello', 'smalltalk.greeting', 'Hello'],
    ]);
    // The trend: one point per day of March, everything on the 10th.
    const series = await page.locator('[data-chart="per-day"] g.series').evaluateAll((groups) =>
      groups.map((group) => [group.getAttribute('data-series'), (group.getAttribute('data-values') ?? '').split(',').map(Number)]),
    );
    const march10 = (value: number) => Array.from({ length: 31 }, (_, day) => (day === 9 ? value : 0));
    expect(series).toEqual([
      ['engaged', march10(10)],
      ['contained', march10(6)],
      ['cases', march10(4)],
      ['explanations', march10(3)],
    ]);
    expect(await page.locator('[data-chart="per-day"] circle').count()).toBe(4 * 31);
    expect(await page.locator('[data-chart="per-day"] tbody tr').count()).toBe(31);
    expect(byId['top-unrecognised']!.map((bar) => [bar.label, bar.value])).toEqual([
      ['pizza', 2],
      ['weather', 1],
    ]);
    expect(byId['csat']!.map((bar) => [bar.label, Number(bar.value.toFixed(2))])).toEqual([
      ['bot-only', 4],
      ['agent-handled', 3.67],
    ]);
    expect(byId['explanations-by-reason']!.map((bar) => bar.label)).toEqual(['UTIL_HIGH', 'INQ_RECENT', 'PAY_LATE_RECENT']);
    expect(await page.locator('[data-chart="containment"] text').textContent()).toBe('60.0% — 6 of 10 conversations');
    expect(await page.locator('[data-chart="time-to-claim"] figcaption').textContent()).toContain('median 2.0m, p90 10.0m, n=3');

    // The period form keeps the query token (nothing else remembers it) and shows April.
    await page.fill('input[name="from"]', '2026-04-01');
    await page.fill('input[name="to"]', '2026-04-30');
    await Promise.all([page.waitForURL(/from=2026-04-01/), page.click('button[type="submit"]')]);
    expect(page.url()).toContain(`token=${OPS_TOKEN}`);
    expect(await page.locator('[data-chart="containment"] text').textContent()).toBe('100.0% — 1 of 1 conversations');
    expect(await context.cookies()).toEqual([]);
    expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
    await page.screenshot({ path: new URL('ops-page.png', ARTIFACTS).pathname, fullPage: true });
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits a phone screen: nothing scrolls sideways, every chart and the form stay inside the viewport', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    expect((await page.goto(`${web.url}/ops?from=2026-03-01&to=2026-03-31&token=${OPS_TOKEN}`))?.status()).toBe(200);
    await page.locator('[data-chart="per-day"] summary').click();
    const layout = await page.evaluate(() => ({
      viewport: window.innerWidth,
      scrollWidth: document.documentElement.scrollWidth,
      bodyScrollWidth: document.body.scrollWidth,
      widest: Math.max(...[...document.querySelectorAll('figure.chart, figure.chart svg, form, table')].map((element) => element.getBoundingClientRect().right)),
      charts: document.querySelectorAll('figure.chart').length,
    }));
    expect(layout.viewport).toBe(375);
    expect(layout.charts).toBe(9);
    expect(layout.scrollWidth).toBeLessThanOrEqual(layout.viewport);
    expect(layout.bodyScrollWidth).toBeLessThanOrEqual(layout.viewport);
    expect(layout.widest).toBeLessThanOrEqual(layout.viewport);
    // Scrolling sideways moves nothing.
    await page.evaluate(() => window.scrollTo(500, 0));
    expect(await page.evaluate(() => window.scrollX)).toBe(0);
    await page.screenshot({ path: new URL('ops-page-phone.png', ARTIFACTS).pathname, fullPage: true });
    await context.close();
  });

  it('refuses /ops without the admin token, accepts it as a bearer header, and serves JSON', async () => {
    expect((await fetch(`${web.url}/ops`)).status).toBe(401);
    expect((await fetch(`${web.url}/ops?token=wrong-token-0123456789`)).status).toBe(401);
    const json = await fetch(`${web.url}/ops?from=2026-03-01&to=2026-03-31&format=json`, { headers: { authorization: `Bearer ${OPS_TOKEN}` } });
    expect(json.status).toBe(200);
    expect(((await json.json()) as { conversations: { containmentRate: number } }).conversations.containmentRate).toBe(0.6);
    expect((await fetch(`${web.url}/ops?from=2026-13-01`, { headers: { authorization: `Bearer ${OPS_TOKEN}` } })).status).toBe(400);
  });

  it('serves /metrics only with the bearer token, and on a separate port when configured', async () => {
    expect((await fetch(`${web.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${web.url}/metrics?token=${METRICS_TOKEN}`)).status).toBe(401);
    await app.say('anon:m', null, 'what is the best pizza in naples');
    const scraped = await fetch(`${web.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.headers.get('content-type')).toContain('text/plain');
    const text = await scraped.text();
    expect(sampleValue(text, 'candor_fallbacks_total', { channel: 'web' })).toBe(1);
    expect(sampleValue(text, 'candor_websocket_sessions')).toBe(0);
    expect(sampleValue(text, 'candor_outbox_pending')).toBe(0);

    const routes = createOperationsRoutes({ config: operationsConfigSchema.parse({ METRICS_PORT: '0' }), metrics: app.metrics, store: app.store, clock: app.candor.clock, checks: {} });
    expect(Object.keys(routes).sort()).toEqual(['/healthz', '/readyz']);
    const own = await startMetricsServer({ metrics: app.metrics, host: '127.0.0.1', port: 0 });
    try {
      expect(sampleValue(await (await fetch(`${own.url}/metrics`)).text(), 'candor_fallbacks_total', { channel: 'web' })).toBe(1);
      expect((await fetch(`${own.url}/ops`)).status).toBe(404);
    } finally {
      await own.close();
    }
  });

  it('answers /healthz always and /readyz only while the database answers', async () => {
    const health = await fetch(`${web.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${web.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready', checks: { database: 'ok', content: 'ok', nlu: 'ok' } }]);
    await app.close();
    isStoreClosed = true;
    const notReady = await fetch(`${web.url}/readyz`);
    expect([notReady.status, await notReady.json()]).toEqual([503, { status: 'not_ready', checks: { database: 'failed', content: 'ok', nlu: 'ok' } }]);
    expect((await fetch(`${web.url}/healthz`)).status).toBe(200);
  });
});
