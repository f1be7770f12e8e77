import { SignJWT } from 'jose';
import { chromium, type Browser, type Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_EXPIRED_CLOSE_CODE } from '../../../../src/channels/web/chat-socket-gateway.js';
import { TOKEN_REFRESH_PATH } from '../../../../src/channels/web/web-request-listener.js';
import { demoToken, startCandorProcess, stopCandorProcess, type CandorProcess } from '../../../support/candor-process.js';
import { TestChatClient } from '../support/test-chat-client.js';

// The real process (its own `CHAT_TOKEN_SECRET`, see candor-process.ts), real websockets and real Chromium:
// a token that lives a few seconds, as a host site might issue it.
const SECRET = new TextEncoder().encode('several-instances-test-secret-0123456789');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Signs a chat token as a host site would, expiring `seconds` from now. */
async function shortToken(customerId: string, seconds: number, issuedAheadSeconds = 0): Promise<{ token: string; expiresAtMs: number }> {
  const now = Math.floor(Date.now() / 1000);
  const expiresAt = now + seconds;
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(customerId)
    .setAudience('candor-web-chat')
    .setIssuer('candor')
    .setIssuedAt(now + issuedAheadSeconds)
    .setExpirationTime(expiresAt)
    .sign(SECRET);
  return { token, expiresAtMs: expiresAt * 1000 };
}

let candor: CandorProcess;
let browser: Browser;

beforeAll(async () => {
  [candor, browser] = await Promise.all([
    startCandorProcess('expiry', { SQLITE_PATH: ':memory:' }, 45_000),
    chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  if (candor) await stopCandorProcess(candor);
});

describe('token expiry after the upgrade, through the real process', () => {
  it('answers while the token is valid, closes the socket with 4001 at its expiry, and refuses a token issued an hour ahead', async () => {
    // Another customer than the browser's, so the widget's conversation (and its history) starts empty.
    const { token, expiresAtMs } = await shortToken('demo-denied', 3);
    const client = await TestChatClient.open(candor.socketUrl, { token });
    client.send({ type: 'message', id: 'x1', text: 'why was my increase denied' });
    expect((await client.reply(5000))['state']).toBe('bot');
    const { code } = await client.closed;
    expect(code).toBe(TOKEN_EXPIRED_CLOSE_CODE);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAtMs);
    expect(Date.now()).toBeLessThan(expiresAtMs + 1500);

    const ahead = await shortToken('demo-denied', 4500, 3600);
    expect(await TestChatClient.upgradeStatus(candor.socketUrl, { token: ahead.token })).toBe(401);
    const skewed = await shortToken('demo-denied', 600, 120);
    expect(await TestChatClient.upgradeStatus(candor.socketUrl, { token: skewed.token })).toBe(101);
  });

  it('in Chromium, the widget gets a fresh token at expiry and loses nothing: the reply kept meanwhile and the message typed meanwhile both arrive', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 }, locale: 'en-US' });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      // The demo page signs the customer in (its session cookie is what the widget renews the token from).
      await page.goto(`${candor.url}/demo`);
      await page.locator('button[data-customer="demo-drop"]').click();
      await page.waitForURL(/\/chat/);
      await page.locator('#identity[data-anonymous="false"]').waitFor();

      // Hold the renewal until the test has made a reply that can only arrive as a kept one.
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let refreshRequested: () => void = () => undefined;
      const requested = new Promise<void>((resolve) => {
        refreshRequested = resolve;
      });
      let refreshes = 0;
      await page.route(`**${TOKEN_REFRESH_PATH}`, async (route: Route) => {
        refreshes += 1;
        refreshRequested();
        await released;
        await route.continue();
      });

      const { token: short, expiresAtMs } = await shortToken('demo-drop', 4);
      // A new document (not just a new fragment), as a host page opening the chat with its own token.
      await page.goto(`${candor.url}/chat?from=host#token=${short}`);
      await page.locator('#chat[data-connection="online"]').waitFor();
      await page.locator('.message-bot .message-text').first().waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem('candor.token'))).toBe(short);

      await requested;
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAtMs);
      expect(await page.getAttribute('#chat', 'data-connection')).toBe('reconnecting');

      // While the widget renews its token: the customer types, and a reply is made for this conversation
      // (from the customer's other tab, which does not acknowledge it).
      await page.locator('#input').fill('why did my limit drop');
      await page.locator('#input').press('Enter');
      const otherTab = await TestChatClient.open(candor.socketUrl, { token: await demoToken(candor.url, 'demo-drop') });
      otherTab.send({ type: 'message', id: 'tab2-1', text: 'how do I raise my limit' });
      const kept = await otherTab.reply(5000);
      await otherTab.close();

      release();
      await page.locator('.message-bot .message-text', { hasText: String(kept['text']).slice(0, 40) }).waitFor({ timeout: 5000 });
      // The message typed while away was sent on the renewed socket and answered: its answer marks it
      // delivered (the kept reply, which may arrive after it, answers another message).
      await page.locator('.message-customer[data-status="delivered"]', { hasText: 'why did my limit drop' }).waitFor({ timeout: 5000 });
      const answeredAfterTyped = () =>
        page.evaluate(() => {
          const items = [...document.querySelectorAll('#messages .message')];
          const typed = items.findIndex((item) => item.classList.contains('message-customer') && item.textContent?.includes('why did my limit drop'));
          return typed !== -1 && items.slice(typed + 1).some((item) => item.classList.contains('message-bot'));
        });
      await expect.poll(answeredAfterTyped, { timeout: 5000 }).toBe(true);
      await page.locator('#chat[data-connection="online"]').waitFor();
      expect(await page.locator('.message-customer[data-status="delivered"]', { hasText: 'why did my limit drop' }).count()).toBe(1);

      expect(refreshes).toBe(1);
      expect(await page.locator('#notice').isHidden()).toBe(true);
      expect(await page.getAttribute('#identity', 'data-anonymous')).toBe('false');
      const renewed = await page.evaluate(() => sessionStorage.getItem('candor.token'));
      expect(renewed).not.toBe(short);
      expect(await page.locator('.message-customer .message-text', { hasText: 'why did my limit drop' }).count()).toBe(1);
      expect(await page.locator('.message-bot .message-text', { hasText: String(kept['text']).slice(0, 40) }).count()).toBe(1);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
