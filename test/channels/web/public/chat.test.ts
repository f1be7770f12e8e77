import { mkdir } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRealChatApp, type RunningChatApp, type StartChatApp } from '../support/chat-app.js';
import type { WebCustomerChannel } from '../../../../src/channels/web/web-customer-channel.js';
import { WebScriptedTurnHandler } from '../../../fakes/web-scripted-turn-handler.js';
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
    // Every test starts a new conversation: the demo customers' earlier ones are erased (`npm run forget`).
    await app.forget('demo-drop');
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

  async function pickDemoCustomer(customerId: string, options: { on?: Page; locale?: 'en' | 'zh-CN' } = {}): Promise<void> {
    const tab = options.on ?? page;
    await tab.goto(`${app.url}/demo?lang=${options.locale ?? 'en'}`);
    await tab.locator(`button[data-customer="${customerId}"]`).click();
    await tab.waitForURL(/\/chat/);
    await tab.locator('#identity[data-anonymous="false"]').waitFor();
    await tab.locator('#messages[data-history="loaded"]').waitFor();
  }

  /** Does something that makes the bot (or an agent) answer, and returns the new message. */
  async function nextReply(action: () => Promise<void>, on: Page = page) {
    const replies = on.locator('.message-bot, .message-agent');
    const before = await replies.count();
    await action();
    await expect.poll(() => replies.count()).toBeGreaterThan(before);
    return replies.nth(before);
  }

  /** The texts of the messages on the page, in order, as `author: text`. */
  function transcript(on: Page = page): Promise<string[]> {
    return on.locator('.message').evaluateAll((items) => items.map((item) => `${item.getAttribute('data-author')}: ${item.querySelector('.message-text')?.textContent}`));
  }

  /** The open case of demo-drop's conversation, once it is queued. */
  async function openCaseRef(): Promise<string> {
    let ref = '';
    await expect
      .poll(async () => {
        ref = (await app.cases!.listOpen()).find((item) => item.conversationId === 'web:demo-drop')?.ref ?? '';
        return ref;
      })
      .not.toBe('');
    return ref;
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

    // The same tab, so the same (anonymous) conversation: its history first, then the greeting.
    await page.goto(`${app.url}/chat?topic=no-such-topic`);
    await expect.poll(() => botMessages().count()).toBe(2);
    expect(await botMessages().first().textContent()).toContain('Limits are set from your own record');
    expect(await botMessages().last().textContent()).toContain("Hi, I'm Candor");
    expect(await page.locator('#notice').isHidden()).toBe(true);
    // The topic is opened once: a reload shows the history and asks nothing again.
    expect(page.url()).not.toContain('topic=');
    await page.reload();
    await page.locator('#messages[data-history="loaded"]').waitFor();
    await page.waitForTimeout(300);
    expect(await botMessages().count()).toBe(2);
  });

  it('shows typed HTML as text and runs none of it', async () => {
    await page.goto(`${app.url}/chat`);
    await botMessages().first().waitFor();
    const attack = '<img src=x onerror=alert(1)>';
    await ask(attack);
    await expect.poll(() => botMessages().count()).toBe(2);
    expect(await page.locator('.message-customer .message-text').last().textContent()).toBe(attack);
    // What the bot makes of it is the NLU's business; here it only matters that it is text, not markup.
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

  it('announces an agent joining once, in Candor\'s words', async () => {
    await pickDemoCustomer('demo-drop');
    await nextReply(() => ask('talk to a human'));
    const ref = await openCaseRef();
    expect((await app.cases!.claim(ref, { id: 'U-AMY', name: 'Amy' })).status).toBe('ok');
    await page.locator('.event[data-event="agent_joined"]').waitFor();
    await page.waitForTimeout(300);
    const mentions = await page.locator('#messages').evaluate((list) =>
      Array.from(list.querySelectorAll('.event, .message-text'))
        .map((item) => item.textContent ?? '')
        .filter((text) => text.includes('Amy')),
    );
    expect(mentions).toEqual(['Amy from our team has joined the chat.']);
    await expect.poll(() => page.locator('#status').textContent()).toBe('Chatting with Amy');
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
      await ask('written while offline');
      const offline = page.locator('.message-customer', { hasText: 'written while offline' });
      expect(await offline.getAttribute('data-status')).toBe('sending');
      expect(await offline.locator('.message-status').textContent()).toBe('Sending…');
      second = await startTestWebChannel({ port });
      await page.locator('#chat[data-connection="online"]').waitFor({ timeout: 15_000 });
      await page.locator('.message-customer[data-status="delivered"]', { hasText: 'written while offline' }).waitFor();
      await page.locator('.message-bot .message-text', { hasText: 'You said: written while offline' }).waitFor();
      await ask('are you back');
      await page.locator('.message-bot .message-text', { hasText: 'You said: are you back' }).waitFor();
      // No greeting on the new server: the chat had started, so only the history is asked for.
      expect(await page.locator('.message-bot .message-text', { hasText: "Hi, I'm Candor" }).count()).toBe(1);
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

  it('remembers the conversation on reload and in a second tab: from the store, with times, once, and greets only once', async () => {
    await pickDemoCustomer('demo-drop');
    await expect.poll(() => botMessages().count()).toBe(1);
    const answer = await nextReply(() => ask('why did my limit drop'));
    expect(await answer.textContent()).toContain(app.demoDropReasons.en[0]);
    const question = page.locator('.message-customer', { hasText: 'why did my limit drop' });
    await expect.poll(() => question.getAttribute('data-status')).toBe('delivered');
    expect(await question.locator('.message-status').textContent()).toBe('Delivered');
    const before = await transcript();
    expect(before).toHaveLength(3);

    await page.reload();
    await page.locator('#messages[data-history="loaded"]').waitFor();
    await page.waitForTimeout(400);
    expect(await transcript()).toEqual(before);
    expect(await page.locator('.message time[datetime]').count()).toBe(3);
    const shown = await page.locator('.message-customer time').getAttribute('datetime');
    expect(Math.abs(Date.parse(shown ?? '') - Date.now())).toBeLessThan(60_000);
    expect(await page.locator('.message-customer time').textContent()).toMatch(/^\d{1,2}:\d{2}\b/);
    expect(await page.locator('.message-customer').getAttribute('data-status')).toBe('delivered');
    // This tab remembers the answer's help links.
    expect(await page.locator('.message-bot .message-links a').count()).toBeGreaterThan(0);

    const second = await context.newPage();
    second.on('pageerror', (error) => pageErrors.push(error.message));
    await pickDemoCustomer('demo-drop', { on: second });
    await second.waitForTimeout(400);
    expect(await transcript(second)).toEqual(before);
    // Replies reach every tab; the other tab's history is not repeated.
    const followUp = await nextReply(() => ask('what can I do to raise it'));
    const followUpText = (await followUp.locator('.message-text').textContent()) ?? '';
    await expect.poll(() => second.locator('.message-text').last().textContent()).toBe(followUpText);
    expect(await transcript(second)).toHaveLength(4);
    await page.screenshot({ path: new URL('web-chat-history.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('remembers in Chinese on a phone: the history as stored (personal data redacted), times and delivered marks, no overflow', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await pickDemoCustomer('demo-drop', { locale: 'zh-CN' });
    await expect.poll(() => botMessages().count()).toBe(1);
    await nextReply(() => ask('为什么我的额度降低了'));
    await nextReply(() => ask('我的电话是 13812345678'));
    expect(await page.locator('.message-customer .message-text').last().textContent()).toBe('我的电话是 13812345678');
    await page.reload();
    await page.locator('#messages[data-history="loaded"]').waitFor();
    await expect.poll(() => page.locator('.message-customer').count()).toBe(2);
    const phone = await page.locator('.message-customer .message-text').last().textContent();
    expect(phone).not.toContain('13812345678');
    expect(phone).toContain('[PHONE]');
    expect(await page.locator('.message-customer .message-status').allTextContents()).toEqual(['已送达', '已送达']);
    expect(await botMessages().nth(1).textContent()).toContain(app.demoDropReasons['zh-CN'][0]);
    expect(await page.locator('.message-bot').count()).toBe(3);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: new URL('web-chat-history-zh-CN-phone.png', ARTIFACTS).pathname });
  });

  it.each([
    { locale: 'en' as const, viewport: { width: 1024, height: 800 }, askForPerson: 'talk to a human', thanks: 'Thank you for rating us 4 out of 5.' },
    { locale: 'zh-CN' as const, viewport: { width: 375, height: 740 }, askForPerson: '转人工', thanks: '4' },
  ])('$locale: an agent reply kept while the page was closed shows once; on resolve the rating is five tappable stars', async ({ locale, viewport, askForPerson, thanks }) => {
    await page.setViewportSize(viewport);
    const agent = { id: 'U-MEI', name: 'Mei' };
    await pickDemoCustomer('demo-drop', { locale });
    await nextReply(() => ask(askForPerson));
    const ref = await openCaseRef();
    expect((await app.cases!.claim(ref, agent)).status).toBe('ok');
    await page.locator('.event[data-event="agent_joined"]').waitFor();

    const chatUrl = page.url();
    await page.goto('about:blank');
    const text = `Back in a second (${locale})`;
    expect((await app.cases!.agentReply(ref, agent, text)).status).toBe('ok');
    await page.goto(chatUrl);
    await page.locator('.message-agent .message-text', { hasText: text }).waitFor();
    await page.waitForTimeout(300);
    expect(await page.locator('.message-agent .message-text', { hasText: text }).count()).toBe(1);
    await page.reload();
    await page.locator('#messages[data-history="loaded"]').waitFor();
    await page.waitForTimeout(300);
    expect(await page.locator('.message-agent .message-text', { hasText: text }).count()).toBe(1);

    expect((await app.cases!.resolve(ref, agent)).status).toBe('ok');
    const stars = page.locator('#suggestions[data-kind="rating"] .rating-star');
    await expect.poll(() => stars.count()).toBe(5);
    expect(await page.locator('#suggestions').getAttribute('aria-label')).toBe(locale === 'en' ? 'Rate this conversation from 1 (poor) to 5 (excellent)' : '请为本次对话评分：1（差）到 5（很好）');
    expect(await stars.nth(3).getAttribute('aria-label')).toBe(locale === 'en' ? '4 out of 5' : '4 分（满分 5 分）');
    for (const box of await Promise.all([0, 4].map((index) => stars.nth(index).boundingBox()))) {
      expect(box!.height).toBeGreaterThanOrEqual(44);
      expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
    }
    await stars.nth(3).hover();
    expect(await page.locator('.rating-star[data-lit]').count()).toBe(4);
    await page.screenshot({ path: new URL(`web-chat-rating-${locale}.png`, ARTIFACTS).pathname });
    const thanksReply = await nextReply(() => stars.nth(3).click());
    expect(await thanksReply.textContent()).toContain(thanks);
    expect(await page.locator('.message-customer .message-text').last().textContent()).toBe('4');
    expect(await page.locator('.rating-star').count()).toBe(0);
    expect((await app.cases!.find(ref))?.rating).toBe(4);
  });

  it.each([
    { locale: 'en' as const, viewport: { width: 1024, height: 800 }, choices: ['Why my limit dropped', 'How to raise my limit'], choose: 'Why my limit dropped' },
    { locale: 'zh-CN' as const, viewport: { width: 375, height: 740 }, choices: ['额度为什么降了', '怎样提高额度'], choose: '额度为什么降了' },
  ])('$locale: shows clarifying choices as buttons that send the choice', async ({ locale, viewport, choices, choose }) => {
    await page.setViewportSize(viewport);
    await pickDemoCustomer('demo-drop', { locale });
    await expect.poll(() => botMessages().count()).toBe(1);
    const clarify = await nextReply(() =>
      app.customerChannel.deliver({
        id: `clarify-${locale}-${Date.now()}`,
        conversationId: 'web:demo-drop',
        from: 'bot',
        text: locale === 'en' ? 'I want to make sure I answer the right question. Did you mean:' : '我想确认一下您的问题，您是想问：',
        suggestions: [
          { label: choices[0]!, topic: 'limit-drop' },
          { label: choices[1]!, text: locale === 'en' ? 'how can I raise my limit' : '怎样提高额度' },
        ],
        links: [],
        act: 'clarify',
        state: 'bot',
        createdAt: new Date().toISOString(),
      }),
    );
    expect(await clarify.textContent()).toContain(locale === 'en' ? 'Did you mean' : '您是想问');
    const group = page.locator('#suggestions[data-kind="clarify"]');
    expect(await group.getAttribute('aria-label')).toBe(locale === 'en' ? 'Choose one' : '请选择一项');
    expect(await group.locator('button.choice').allTextContents()).toEqual(choices);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: new URL(`web-chat-clarify-${locale}.png`, ARTIFACTS).pathname });

    const answer = await nextReply(() => group.locator('button.choice', { hasText: choose }).click());
    expect(await page.locator('.message-customer .message-text').last().textContent()).toBe(choose);
    for (const reason of app.demoDropReasons[locale]) expect(await answer.textContent()).toContain(reason);
    expect(await page.locator('button.choice').count()).toBe(0);
  });

  it.each([
    { locale: 'en' as const, viewport: { width: 1024, height: 800 }, followUp: 'what about the second reason?', choose: 'Why my limit dropped' },
    { locale: 'zh-CN' as const, viewport: { width: 375, height: 740 }, followUp: '第二个原因呢', choose: '额度为什么降了' },
  ])('$locale: the real bot asks which decision a follow-up means when none was explained, with choices as buttons', async ({ locale, viewport, followUp, choose }) => {
    await page.setViewportSize(viewport);
    await pickDemoCustomer('demo-drop', { locale });
    await expect.poll(() => botMessages().count()).toBe(1);
    await nextReply(() => ask(followUp));
    const choices = page.locator('#suggestions[data-kind="clarify"] button.choice');
    await expect.poll(() => choices.count()).toBeGreaterThanOrEqual(2);
    const answer = await nextReply(() => choices.filter({ hasText: choose }).click());
    for (const reason of app.demoDropReasons[locale]) expect(await answer.textContent()).toContain(reason);
    expect(await page.locator('.message-customer .message-text').last().textContent()).toBe(choose);
  });

  it('marks messages the server refused as not sent: a retry for a flood, none for a text too long after normalisation', async () => {
    await pickDemoCustomer('demo-drop');
    await expect.poll(() => botMessages().count()).toBe(1);
    // Fifteen at once: the default burst is 10, so some are refused as rate-limited.
    await page.evaluate(() => {
      const input = document.getElementById('input') as HTMLTextAreaElement;
      const form = document.getElementById('composer') as HTMLFormElement;
      for (let index = 1; index <= 15; index += 1) {
        input.value = `hello number ${index}`;
        form.requestSubmit();
      }
    });
    const failed = page.locator('.message-customer[data-status="failed"]');
    await expect.poll(() => failed.count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('.message-customer[data-status="sending"]').count()).toBe(0);
    const refused = await failed.count();
    expect(await page.locator('.message-customer[data-status="delivered"]').count()).toBe(15 - refused);
    expect(await failed.first().locator('.message-status').textContent()).toBe('Not sent');
    expect(await failed.first().getAttribute('data-refused')).toBe('rate_limited');
    expect(await page.locator('#notice-text').textContent()).toContain('sending messages faster');

    const retried = page.locator(`.message-customer[data-client-id="${await failed.first().getAttribute('data-client-id')}"]`);
    const retriedText = (await retried.locator('.message-text').textContent()) ?? '';
    await page.waitForTimeout(1_100);
    await retried.locator('.message-retry').click();
    await page.locator('.message-customer[data-status="delivered"]', { has: page.getByText(retriedText, { exact: true }) }).waitFor();
    expect(await retried.getAttribute('data-status')).toBe('delivered');
    expect(await page.getByText(retriedText, { exact: true }).count()).toBe(1);

    // 1,001 '㍻' pass the widget's 2,000-character check but are 2,002 characters after NFKC: no retry helps.
    await ask('㍻'.repeat(1001));
    const tooLong = page.locator('.message-customer[data-refused="text_too_long"]');
    await tooLong.waitFor();
    expect(await tooLong.getAttribute('data-status')).toBe('failed');
    expect(await tooLong.locator('.message-retry').count()).toBe(0);
    await page.screenshot({ path: new URL('web-chat-refused.png', ARTIFACTS).pathname, fullPage: true });
  });

  it('shows who is typing: the bot while a slow turn runs, an agent by name', async () => {
    const turns = new WebScriptedTurnHandler();
    const scripted = await startTestWebChannel({ turns });
    try {
      turns.delayMs = 1_000;
      await page.goto(`${scripted.channel.url}/chat`);
      await botMessages().first().waitFor();
      await ask('take your time');
      await page.locator('#typing:not([hidden])').waitFor();
      expect(await page.locator('#typing').textContent()).toBe('Candor is typing…');
      await page.locator('.message-bot .message-text', { hasText: 'You said: take your time' }).waitFor();
      expect(await page.locator('#typing').isHidden()).toBe(true);

      const conversationId = await page.evaluate(() => `anon:${sessionStorage.getItem('candor.resume')}`);
      (scripted.channel.customerChannel as WebCustomerChannel).broadcast(conversationId, JSON.stringify({ type: 'typing', from: 'agent', agentName: 'Mei' }));
      await page.locator('#typing[data-from="agent"]:not([hidden])').waitFor();
      expect(await page.locator('#typing').textContent()).toBe('Mei is typing…');
    } finally {
      await scripted.close();
    }
  });

  it('follows a dark system theme, and stays light under a light one', async () => {
    const colours = async (scheme: 'dark' | 'light') => {
      const themed = await browser.newContext({ viewport: { width: 1024, height: 800 }, colorScheme: scheme });
      const tab = await themed.newPage();
      await tab.goto(`${app.url}/chat`);
      await tab.locator('.message-bot').first().waitFor();
      const read = await tab.evaluate(() => {
        const style = (selector: string) => getComputedStyle(document.querySelector(selector)!);
        return { page: style('body').backgroundColor, chat: style('#chat').backgroundColor, text: style('.message-bot .message-text').color, bubble: style('.message-bot').backgroundColor };
      });
      await tab.screenshot({ path: new URL(`web-chat-${scheme}.png`, ARTIFACTS).pathname });
      await themed.close();
      return read;
    };
    const dark = await colours('dark');
    const light = await colours('light');
    expect(luminance(dark.chat)).toBeLessThan(0.05);
    expect(luminance(light.chat)).toBeGreaterThan(0.9);
    for (const scheme of [dark, light]) expect(contrast(scheme.text, scheme.bubble)).toBeGreaterThanOrEqual(4.5);
  });
});

/** Relative luminance (WCAG) of an `rgb(r, g, b)` colour. */
function luminance(colour: string): number {
  const [r, g, b] = (colour.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((value) => {
    const channel = Number(value) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

/** WCAG contrast ratio of two colours. */
function contrast(first: string, second: string): number {
  const [light, dark] = [luminance(first), luminance(second)].sort((a, b) => b - a);
  return (light! + 0.05) / (dark! + 0.05);
}
