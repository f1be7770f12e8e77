import { createServer, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger, type Logger } from '../core/ports/logger.js';
import { hasToken } from './bearer-token.js';
import type { CandorMetrics } from './candor-metrics.js';

/** Builds the `/metrics` request listener; with a token, a request without `Authorization: Bearer <token>` gets 401. */
export function createMetricsListener(options: { metrics: CandorMetrics; token?: string | undefined; logger?: Logger }): RequestListener {
  const logger = options.logger ?? silentLogger;
  return function serveMetrics(request, response) {
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendPlain(response, 405, 'Method Not Allowed', { Allow: 'GET, HEAD' });
    if (options.token !== undefined && !hasToken(request, options.token, { allowQuery: false })) {
      return sendPlain(response, 401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer realm="metrics"' });
    }
    options.metrics.render().then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'metrics could not be rendered');
        sendPlain(response, 500, 'Internal Server Error');
      },
    );
  };
}

/** A metrics-only HTTP server on a port of its own. */
export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `/metrics` (and nothing else) on its own host and port, for a scraper on a private network. */
export async function startMetricsServer(options: {
  metrics: CandorMetrics;
  host: string;
  port: number;
  token?: string | undefined;
  logger?: Logger;
}): Promise<MetricsServer> {
  const listener = createMetricsListener(options);
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/metrics') return listener(request, response);
    sendPlain(response, 404, 'Not Found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sendPlain(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  response.end(text);
}
