import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRealChatApp, type RunningChatApp, type StartChatApp } from '../support/chat-app.js';
import { startTestWebChannel } from '../support/start-test-web-channel.js';

/** The app under test: the real Candor, from the composition root. */
const startChatApp: StartChatApp = startRealChatApp;

const ARTIFACTS = new URL('../../../../test-artifacts/', import.meta.url);

// Debian's chromium; if it is missing the launch throws and the suite fails (it never skips).
const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('chat widget in a real browser', () => {
  let browser: Browser;
  let app: RunningChatApp;
  let context: BrowserContext;
  let page: Page;
  let dialogs: string[];
  let pageErrors: string[];

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    app = await startChatApp();
  });

  afterAll(async () => {
    await app?.close();
    await browser?.close();
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1024, height: 800 }, locale: 'en-US' });
    page = await context.newPage();
    dialogs = [];
    pageErrors = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterEach(async () => {
    await context.close();
    expect(pageErrors).toEqual([]);
  });

  async function pickDemoCustomer(customerId: string): Promise<void> {
    await page.goto(`${app.url}/demo`);
    await page.locator(`button[data-customer="${customerId}"]`).click();
    await page.waitForURL(/\/chat/);
    await page.locator('#identity[data-anonymous="false"]').waitFor();
  }

  async function ask(text: string): Promise<void> {
    await page.locator('#input').fill(text);
    await page.locator('#input').press('Enter');
  }

  function botMessages() {
    return page.locator('.message-bot .message-text');
  }

  it('opens the demo, picks demo-drop, asks why the limit dropped and sees the four reasons', async () => {
    await pickDemoCustomer('demo-drop');
    expect(page.url()).not.toContain('token=');
    await expect.poll(() => botMessages().count()).toBeGreaterThanOrEqual(1);

    await ask('why did my limit drop');
    const answer = botMessages().nth(1);
    await answer.waitFor();
    const text = await answer.textContent();
    expect(app.demoDropReasons.en).toHaveLength(4);
    for (const reason of app.demoDropReasons.en) expect(text).toContain(reason);
    await expect.poll(() => page.locator('.message-customer .message-text').first().textContent()).toBe('why did my limit drop');
    expect(await page.locator('.message-bot .message-links a').first().getAttribute('rel')).toBe('noopener noreferrer');
    await page.screenshot({ path: new URL('web-chat-demo-drop.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('works in Chinese: the demo in zh-CN, a Chinese question, Chinese reasons and UI', async () => {
    await page.goto(`${app.url}/demo`);
    await page.locator('#lang-toggle').click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('以演示客户身份体验 Candor');
    await page.locator('button[data-customer="demo-drop"]').click();
    await page.waitForURL(/\/chat\?lang=zh-CN/);
    await expect.poll(() => page.locator('#send').textContent()).toBe('发送');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await expect.poll(() => botMessages().count()).toBeGreaterThanOrEqual(1);

    await ask('为什么我的额度降低了');
    const answer = botMessages().nth(1);
    await answer.waitFor();
    const text = await answer.textContent();
    for (const reason of app.demoDropReasons['zh-CN']) expect(text).toContain(reason);
    await page.screenshot({ path: new URL('web-chat-zh-CN.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('opens the right topic from a deep link, and greets on an unknown one without an error', async () => {
    await page.goto(`${app.url}/chat?topic=how-to-increase`);
    await botMessages().first().waitFor();
    expect(await botMessages().first().textContent()).toContain('Limits are set from your own record');

    await page.goto(`${app.url}/chat?topic=no-such-topic`);
    await botMessages().first().waitFor();
    expect(await botMessages().first().textContent()).toContain("Hi, I'm Candor");
    expect(await page.locator('#notice').isHidden()).toBe(true);
  });

  it('shows typed HTML as text and runs none of it', async () => {
    await page.goto(`${app.url}/chat`);
    await botMessages().first().waitFor();
    const attack = '<img src=x onerror=alert(1)>';
    await ask(attack);
    await expect.poll(() => botMessages().count()).toBe(2);
    expect(await page.locator('.message-customer .message-text').last().textContent()).toBe(attack);
    expect(await botMessages().nth(1).textContent()).toContain("that's not something I can help with");
    expect(await page.locator('#messages img').count()).toBe(0);
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
  });

  it('is keyboard-usable: a quick-reply button works from the keyboard and focus returns to the input', async () => {
    await pickDemoCustomer('demo-drop');
    const suggestion = page.locator('.suggestion', { hasText: 'Why my limit dropped' });
    await suggestion.waitFor();
    await suggestion.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => botMessages().count()).toBe(2);
    expect(await botMessages().nth(1).textContent()).toContain(app.demoDropReasons.en[0]);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('input');
    expect(await page.getAttribute('#messages', 'aria-live')).toBe('polite');
    expect(await page.locator('label[for="input"]').textContent()).toBe('Your message');
  });

  it('shows when an agent has joined and when the bot is back', async () => {
    await pickDemoCustomer('demo-drop');
    await botMessages().first().waitFor();
    const now = new Date().toISOString();
    const base = { conversationId: 'web:demo-drop', suggestions: [], links: [], createdAt: now };
    await app.customerChannel.deliver({ ...base, id: `joined-${Date.now()}`, from: 'agent', agentName: 'Mei', text: 'Hi, I am Mei from the credit team.', event: 'agent_joined', act: 'handover', state: 'claimed' });
    await page.locator('.event[data-event="agent_joined"]').waitFor();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Chatting with Mei');
    expect(await page.locator('.message-agent .message-author').last().textContent()).toBe('Mei');

    await app.customerChannel.deliver({ ...base, id: `back-${Date.now()}`, from: 'bot', text: 'Candor here again.', event: 'bot_back', act: 'handover', state: 'bot' });
    await page.locator('.event[data-event="bot_back"]').waitFor();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Chatting with the Candor bot');
  });

  it('shows a reply an agent sent while the page was closed, once, when the customer comes back', async () => {
    await pickDemoCustomer('demo-drop');
    await botMessages().first().waitFor();
    const chatUrl = page.url();
    await page.goto('about:blank');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const text = `While you were away: ${Date.now()}`;
    await app.customerChannel.deliver({
      id: `away-${Date.now()}`,
      conversationId: 'web:demo-drop',
      from: 'agent',
      agentName: 'Mei',
      text,
      act: 'relay',
      suggestions: [],
      links: [],
      state: 'claimed',
      createdAt: new Date().toISOString(),
    });
    await page.goto(chatUrl);
    await page.locator('.message-agent .message-text', { hasText: text }).waitFor();
    await page.waitForTimeout(300);
    expect(await page.locator('.message-agent .message-text', { hasText: text }).count()).toBe(1);
    await page.reload();
    await botMessages().first().waitFor();
    await page.waitForTimeout(300);
    expect(await page.locator('.message-agent .message-text', { hasText: text }).count()).toBe(0);
  });

  it('reconnects with backoff after the server goes away and comes back', async () => {
    const first = await startTestWebChannel();
    const port = Number(new URL(first.channel.url).port);
    let second: Awaited<ReturnType<typeof startTestWebChannel>> | undefined;
    try {
      await page.goto(`${first.channel.url}/chat`);
      await botMessages().first().waitFor();
      await first.close();
      await page.locator('#chat[data-connection="reconnecting"]').waitFor();
      expect(await page.locator('#status').textContent()).toBe('Connection lost. Reconnecting…');
      second = await startTestWebChannel({ port });
      await page.locator('#chat[data-connection="online"]').waitFor({ timeout: 15_000 });
      await ask('are you back');
      await page.locator('.message-bot .message-text', { hasText: 'You said: are you back' }).waitFor();
    } finally {
      await second?.close();
    }
  });

  it('fits a phone screen', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await pickDemoCustomer('demo-drop');
    await ask('why did my limit drop');
    await expect.poll(() => botMessages().count()).toBe(2);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const send = await page.locator('#send').boundingBox();
    expect(send && send.x + send.width).toBeLessThanOrEqual(375);
    await page.screenshot({ path: new URL('web-chat-phone.png', ARTIFACTS).pathname });
  });

  it('asks for a new session when the token is no longer valid', async () => {
    await page.goto(`${app.url}/chat#token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vLWRyb3AifQ.invalid`);
    await page.locator('#notice:not([hidden])').waitFor();
    expect(await page.locator('#notice-text').textContent()).toContain('Your session has expired.');
    await page.locator('#notice-actions button').click();
    await page.locator('#identity[data-anonymous="true"]').waitFor();
    await botMessages().first().waitFor();
  });
});
