import { readFile } from 'node:fs/promises';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { z } from 'zod';
import { isLocale, LOCALES, type Locale } from '../../core/locale.js';
import type { Logger } from '../../core/ports/logger.js';
import type { NoticeId, ReplyComposer } from '../../core/ports/reply-composer.js';
import type { ChatTokenService } from './chat-token-service.js';

/** A demo customer the demo page offers; ids are the embedded engine's. */
export interface DemoCustomer {
  id: string;
  displayName: string;
  description: string;
}

/** What the HTTP side of the web channel needs. */
export interface WebRequestListenerDependencies {
  demoMode: boolean;
  demoCustomers: DemoCustomer[];
  tokens: ChatTokenService;
  /** Signs the demo page's session cookie, from which the widget gets a fresh chat token when one expires. */
  demoSessions: ChatTokenService;
  /** True when the server is reached over https: the demo session cookie is then `Secure`. */
  isSecure: boolean;
  composer: Pick<ReplyComposer, 'compose'>;
  logger: Logger;
  isOriginAllowed(origin: string): boolean;
  /** Routes served before the channel's own, by exact path (e.g. the lead's `/healthz`, `/metrics`). */
  extraRoutes?: Record<string, RequestListener>;
}

const NOTICE_IDS: NoticeId[] = ['generic', 'busy', 'invalid_frame', 'text_too_long', 'rate_limited', 'unauthorized', 'binary_refused', 'origin_refused'];

/** Files of the widget (chat.js and the ES modules it imports) and demo page, served from memory under fixed names (no path is ever joined). */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/static/chat.css': { file: 'chat.css', type: 'text/css; charset=utf-8' },
  '/static/chat.js': { file: 'chat.js', type: 'text/javascript; charset=utf-8' },
  '/static/chat-connection.js': { file: 'chat-connection.js', type: 'text/javascript; charset=utf-8' },
  '/static/chat-messages.js': { file: 'chat-messages.js', type: 'text/javascript; charset=utf-8' },
  '/static/chat-remembered-replies.js': { file: 'chat-remembered-replies.js', type: 'text/javascript; charset=utf-8' },
  '/static/chat-sending.js': { file: 'chat-sending.js', type: 'text/javascript; charset=utf-8' },
  '/static/chat-status.js': { file: 'chat-status.js', type: 'text/javascript; charset=utf-8' },
  '/static/chat-suggestions.js': { file: 'chat-suggestions.js', type: 'text/javascript; charset=utf-8' },
  '/static/chat-text.js': { file: 'chat-text.js', type: 'text/javascript; charset=utf-8' },
  '/static/chat-strings.js': { file: 'chat-strings.js', type: 'text/javascript; charset=utf-8' },
  '/static/demo.js': { file: 'demo.js', type: 'text/javascript; charset=utf-8' },
};

const PAGES = { chat: 'chat.html', demo: 'demo.html' } as const;

const MAX_FORM_BYTES = 2048;

/** Where the widget asks for a fresh chat token when its token expires (in production, the host site answers here). */
export const TOKEN_REFRESH_PATH = '/chat/token/refresh';

/** The demo page's session cookie: a signed token naming the demo customer, sent only to the refresh path. */
const DEMO_SESSION_COOKIE = 'candor_demo_session';

const tokenRequestSchema = z.object({ customerId: z.string().min(1).max(128), lang: z.enum(LOCALES).optional() });

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'",
  'X-Content-Type-Options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer the demo form would post `Origin: null`.
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Builds the HTTP listener for the widget, the demo page and token issuing; files are read once, up front. */
export async function createWebRequestListener(deps: WebRequestListenerDependencies): Promise<RequestListener> {
  const publicDir = new URL('./public/', import.meta.url);
  const files = new Map<string, Buffer>();
  for (const name of [...Object.values(ASSETS).map((asset) => asset.file), ...Object.values(PAGES)]) {
    files.set(name, await readFile(new URL(name, publicDir)));
  }
  const noticesByLocale = new Map<Locale, string>();

  function sendFile(response: ServerResponse, name: string, type: string, head: boolean): void {
    const body = files.get(name) as Buffer;
    response.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-cache' });
    response.end(head ? undefined : body);
  }

  function noticesJson(locale: Locale): string {
    const cached = noticesByLocale.get(locale);
    if (cached !== undefined) return cached;
    const notices: Partial<Record<NoticeId, string>> = {};
    for (const id of NOTICE_IDS) {
      try {
        notices[id] = deps.composer.compose({ kind: 'error', error: id }, locale).text;
      } catch (error) {
        deps.logger.error({ notice: id, locale, err: error }, 'error notice could not be composed');
      }
    }
    const json = JSON.stringify({ locale, notices });
    noticesByLocale.set(locale, json);
    return json;
  }

  async function issueDemoToken(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const origin = request.headers.origin;
    if (origin !== undefined && !deps.isOriginAllowed(origin)) return sendText(response, 403, 'Forbidden');
    let fields: unknown;
    if (request.method === 'POST') {
      const body = await readBody(request, MAX_FORM_BYTES);
      if (body === null) return sendText(response, 413, 'Payload Too Large');
      fields = parseForm(body, request.headers['content-type']);
    } else {
      fields = Object.fromEntries(url.searchParams);
    }
    const parsed = tokenRequestSchema.safeParse(fields);
    if (!parsed.success) return sendText(response, 400, 'Bad Request');
    const customer = deps.demoCustomers.find((candidate) => candidate.id === parsed.data.customerId);
    if (!customer) return sendText(response, 404, 'Unknown demo customer');
    const issued = await deps.tokens.issue(customer.id);
    const session = await deps.demoSessions.issue(customer.id);
    const sessionMaxAge = Math.max(0, Math.floor((Date.parse(session.expiresAt) - Date.now()) / 1000));
    const cookie = `${DEMO_SESSION_COOKIE}=${session.token}; Path=${TOKEN_REFRESH_PATH}; Max-Age=${sessionMaxAge}; HttpOnly; SameSite=Strict${deps.isSecure ? '; Secure' : ''}`;
    const chatPath = `/chat${parsed.data.lang ? `?lang=${encodeURIComponent(parsed.data.lang)}` : ''}`;
    const wantsJson = request.method === 'GET' || (request.headers.accept ?? '').includes('application/json');
    if (wantsJson) {
      return sendJson(response, 200, JSON.stringify({ token: issued.token, expiresAt: issued.expiresAt, chatUrl: `${chatPath}#token=${issued.token}` }), { 'Set-Cookie': cookie });
    }
    response.writeHead(303, { ...SECURITY_HEADERS, Location: `${chatPath}#token=${issued.token}`, 'Cache-Control': 'no-store', 'Set-Cookie': cookie });
    response.end();
  }

  /**
   * Gives the widget a fresh chat token when its token has expired. In demo mode the demo session
   * cookie names the customer; otherwise the host site is expected to serve this path from its own
   * sign-in, and Candor answers 401 (the widget then asks the customer to sign in again).
   */
  async function refreshToken(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const origin = request.headers.origin;
    if (origin !== undefined && !deps.isOriginAllowed(origin)) return sendText(response, 403, 'Forbidden');
    if (!deps.demoMode) return sendText(response, 401, 'Unauthorized');
    const session = readCookie(request.headers.cookie, DEMO_SESSION_COOKIE);
    const check = session === undefined ? null : await deps.demoSessions.verify(session);
    if (check?.status !== 'valid' || !deps.demoCustomers.some((customer) => customer.id === check.customerId)) {
      return sendText(response, 401, 'Unauthorized');
    }
    const issued = await deps.tokens.issue(check.customerId);
    return sendJson(response, 200, JSON.stringify({ token: issued.token, expiresAt: issued.expiresAt }));
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const extra = deps.extraRoutes?.[url.pathname];
    if (extra) return extra(request, response);
    const method = request.method ?? 'GET';
    const isRead = method === 'GET' || method === 'HEAD';

    if (isRead && (url.pathname === '/' || url.pathname === '/chat')) return sendFile(response, PAGES.chat, 'text/html; charset=utf-8', method === 'HEAD');
    const asset = ASSETS[url.pathname];
    if (isRead && asset) return sendFile(response, asset.file, asset.type, method === 'HEAD');
    if (isRead && url.pathname === '/favicon.ico') {
      response.writeHead(204, { ...SECURITY_HEADERS, 'Cache-Control': 'max-age=86400' });
      response.end();
      return;
    }
    if (isRead && url.pathname === '/chat/token-check') {
      // Lets the widget tell a refused token from a network failure; the token travels in a header, not the URL.
      const header = request.headers.authorization ?? '';
      const check = header.startsWith('Bearer ') ? await deps.tokens.verify(header.slice('Bearer '.length)) : null;
      return sendText(response, check?.status === 'valid' ? 200 : 401, check?.status === 'valid' ? 'OK' : 'Unauthorized');
    }
    if (method === 'POST' && url.pathname === TOKEN_REFRESH_PATH) return refreshToken(request, response);
    if (isRead && url.pathname === '/chat/notices') {
      const requested = url.searchParams.get('locale');
      return sendJson(response, 200, noticesJson(isLocale(requested) ? requested : 'en'));
    }
    if (deps.demoMode) {
      if (isRead && url.pathname === '/demo') return sendFile(response, PAGES.demo, 'text/html; charset=utf-8', method === 'HEAD');
      if (isRead && url.pathname === '/demo/customers') {
        const customers = deps.demoCustomers.map(({ id, displayName, description }) => ({ id, displayName, description }));
        return sendJson(response, 200, JSON.stringify({ customers }));
      }
      if ((method === 'POST' || method === 'GET') && url.pathname === '/demo/token') return issueDemoToken(request, response, url);
    }
    return sendText(response, 404, 'Not Found');
  }

  return function handleWebRequest(request, response) {
    route(request, response).catch((error: unknown) => {
      deps.logger.error({ path: request.url?.split('?')[0], err: error }, 'web request failed');
      if (!response.headersSent) sendText(response, 500, 'Internal Server Error');
      else response.destroy();
    });
  };
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(text);
}

function sendJson(response: ServerResponse, status: number, json: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  response.end(json);
}

/** One cookie's value from a Cookie header, or undefined. */
function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** Reads a small body; returns null when it is larger than the limit. */
async function readBody(request: IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseForm(body: string, contentType: string | undefined): unknown {
  if ((contentType ?? '').includes('application/json')) {
    try {
      return JSON.parse(body) as unknown;
    } catch {
      return null;
    }
  }
  return Object.fromEntries(new URLSearchParams(body));
}
