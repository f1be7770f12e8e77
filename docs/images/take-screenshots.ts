/**
 * `npm run docs:screenshots`: draws docs/images/widget.png and docs/images/slack-card.png from the real
 * application. It starts Candor on embedded defaults (a throwaway SQLite file), drives Debian's Chromium
 * through the demo page as demo-drop, asks why the limit dropped and then for a person, and photographs
 * the widget; then it builds that case's Slack card with `buildCaseCard` (the Block Kit JSON Candor
 * posts) and photographs a faithful HTML rendering of those blocks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { loadConfig } from '../../src/config/load-config.js';
import { buildCaseCard } from '../../src/escalation/slack/case-card.js';
import { buildCandor, startCandor } from '../../src/main.js';
import { renderBlockKitPage } from './render-block-kit.js';

const USAGE = `usage: npm run docs:screenshots [-- --out docs/images]
  starts Candor on embedded defaults, drives /usr/bin/chromium through the demo (demo-drop) and writes
  widget.png and slack-card.png (the case's Block Kit card rendered as HTML)
`;

const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/images' }, help: { type: 'boolean', default: false } }, strict: true });
if (values.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), 'candor-screenshots-'));
const loaded = loadConfig({ PORT: '0', LOG_LEVEL: 'silent', SQLITE_PATH: join(work, 'candor.sqlite'), CUSTOMER_REF_SECRET: 'screenshot-customer-ref-secret' });
if (!loaded.ok) throw new Error(loaded.problems);
const running = await startCandor(await buildCandor(loaded.config));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'], headless: true });
try {
  const page = await browser.newPage({ viewport: { width: 420, height: 760 }, deviceScaleFactor: 2, locale: 'en-US' });
  await page.goto(`${running.url}/demo`);
  await page.locator('button[data-customer="demo-drop"]').click();
  await page.locator('#identity[data-anonymous="false"]').waitFor();
  const bot = page.locator('.message-bot');
  const ask = async (text: string): Promise<void> => {
    const before = await bot.count();
    await page.locator('#input').fill(text);
    await page.locator('#input').press('Enter');
    await page.waitForFunction((count) => document.querySelectorAll('.message-bot').length > count, before);
  };
  await ask('why did my limit drop');
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(values.out, 'widget.png') });

  await ask('I want a person to review this decision');
  const [item] = await running.candor.store.listCases(['queued']);
  if (item === undefined) throw new Error('asking for a person made no case');
  const transcript = (await running.candor.store.listMessages(item.conversationId)).filter((message) => message.author !== 'system');
  const card = buildCaseCard({ case: item, transcript, waitedMinutes: 2 });
  const slack = await browser.newPage({ viewport: { width: 760, height: 400 }, deviceScaleFactor: 2 });
  await slack.setContent(renderBlockKitPage(card.blocks, { botName: 'Candor', time: '10:42' }));
  await slack.locator('.message').screenshot({ path: join(values.out, 'slack-card.png') });
  process.stdout.write(`wrote ${join(values.out, 'widget.png')} and ${join(values.out, 'slack-card.png')}\n`);
} finally {
  await browser.close();
  await running.stop();
  rmSync(work, { recursive: true, force: true });
}
