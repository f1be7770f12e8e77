import type { RequestListener, ServerResponse } from 'node:http';
import { silentLogger, type Logger } from '../core/ports/logger.js';

/** One readiness check: resolves when the part is ready, throws (or rejects) when it is not. */
export type ReadinessCheck = () => Promise<void> | void;

/**
 * Builds `/healthz` (the process is up and serving) and `/readyz` (every check passes, e.g. the
 * database answers, content is loaded, the NLU is trained) for the web channel's `extraRoutes`.
 */
export function createHealthRoutes(options: { checks: Record<string, ReadinessCheck>; timeoutMs?: number; logger?: Logger }): Record<string, RequestListener> {
  const logger = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? 2000;

  async function runCheck(name: string, check: ReadinessCheck): Promise<[string, 'ok' | 'failed']> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(check),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${name} check timed out after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return [name, 'ok'];
    } catch (error) {
      logger.warn({ check: name, err: error }, 'readiness check failed');
      return [name, 'failed'];
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    '/healthz': function serveHealth(request, response) {
      sendJson(response, 200, { status: 'ok' }, request.method === 'HEAD');
    },
    '/readyz': function serveReadiness(request, response) {
      Promise.all(Object.entries(options.checks).map(([name, check]) => runCheck(name, check))).then((results) => {
        const checks = Object.fromEntries(results);
        const isReady = results.every(([, status]) => status === 'ok');
        sendJson(response, isReady ? 200 : 503, { status: isReady ? 'ready' : 'not_ready', checks }, request.method === 'HEAD');
      }, (error: unknown) => {
        logger.error({ err: error }, 'readiness failed');
        sendJson(response, 503, { status: 'not_ready' }, false);
      });
    },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown, head: boolean): void {
  const json = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(head ? undefined : json);
}
