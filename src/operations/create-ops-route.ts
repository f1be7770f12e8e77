import { randomBytes } from 'node:crypto';
import type { RequestListener, ServerResponse } from 'node:http';
import type { Clock } from '../core/ports/clock.js';
import type { AuditStore } from '../core/ports/audit-store.js';
import type { OperationsQueries } from '../core/ports/operations-queries.js';
import { silentLogger, type Logger } from '../core/ports/logger.js';
import { hasToken, presentedToken } from '../observability/bearer-token.js';
import { buildOperationsReport } from './build-operations-report.js';
import type { IntentNamer } from './name-intents.js';
import { parseReportRange } from './parse-report-range.js';
import { renderOpsPage } from './render-ops-page.js';

/** What the `/ops` page needs. */
export interface OpsRouteOptions {
  store: OperationsQueries & AuditStore;
  /** The admin token (`OPS_TOKEN`), presented as `Authorization: Bearer …` or `?token=`. */
  token: string;
  clock: Clock;
  /** Days shown when the request names no period. */
  defaultDays: number;
  /** The names intents are shown by (their content labels); absent → a readable form of the id. */
  nameIntent?: IntentNamer;
  logger?: Logger;
}

/**
 * Builds the `/ops` analytics page: `?from=YYYY-MM-DD&to=YYYY-MM-DD` picks the period, `&format=json`
 * returns the report as JSON. Nothing is stored on the client: no cookie, no storage, no referrer.
 */
export function createOpsRoute(options: OpsRouteOptions): RequestListener {
  const logger = options.logger ?? silentLogger;
  return function serveOps(request, response) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendPlain(response, 405, 'Method Not Allowed');
    if (!hasToken(request, options.token, { allowQuery: true })) {
      return sendPlain(response, 401, 'Unauthorized: send Authorization: Bearer <OPS_TOKEN> or ?token=<OPS_TOKEN>');
    }
    const url = new URL(request.url ?? '/ops', 'http://localhost');
    const parsed = parseReportRange({ from: url.searchParams.get('from'), to: url.searchParams.get('to') }, options.clock.now(), options.defaultDays);
    if (!parsed.ok) return sendPlain(response, 400, parsed.problem.replace(/--/g, ''));
    const isHeaderToken = (request.headers.authorization ?? '').startsWith('Bearer ');
    buildOperationsReport(options.store, parsed.range).then(
      (report) => {
        if (url.searchParams.get('format') === 'json') {
          response.writeHead(200, { ...PRIVATE_HEADERS, 'Content-Type': 'application/json; charset=utf-8' });
          return response.end(request.method === 'HEAD' ? undefined : JSON.stringify(report));
        }
        const nonce = randomBytes(16).toString('base64');
        const queryToken = isHeaderToken ? null : presentedToken(request, { allowQuery: true });
        const html = renderOpsPage(report, { nonce, queryToken, ...(options.nameIntent ? { nameIntent: options.nameIntent } : {}) });
        response.writeHead(200, {
          ...PRIVATE_HEADERS,
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
        });
        response.end(request.method === 'HEAD' ? undefined : html);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'ops report failed');
        sendPlain(response, 500, 'Internal Server Error');
      },
    );
  };
}

const PRIVATE_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Robots-Tag': 'noindex',
};

function sendPlain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { ...PRIVATE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}
