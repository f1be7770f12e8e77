import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { DemoCustomers } from './demo-customers.js';

/** Misbehaviour the reference engine can be told to show, to exercise a client by hand or in tests. */
export interface ReferenceEngineFaults {
  /** Delay before anything is sent, in ms. */
  latencyMs?: number;
  /** Answer with this status instead of the data (all requests, or only the first `failFirst`). */
  errorStatus?: number;
  /** `Retry-After` value sent with `errorStatus` (seconds or an HTTP date). */
  retryAfter?: string;
  /** Fail only the first N lookups after these faults were set (with `errorStatus`, default 500). */
  failFirst?: number;
  /** Send a truncated JSON body. */
  malformedJson?: boolean;
  /** Send another customer's id in the body. */
  wrongCustomerId?: boolean;
  /** Send a body that breaks the schema (decimal-string amounts, an unknown decision kind). */
  schemaMismatch?: boolean;
  /** Stream a body of this many bytes. */
  hugeBodyBytes?: number;
  /** Declare the huge body's length in `Content-Length` (otherwise it is chunked). */
  declareHugeLength?: boolean;
  /** Send the real body one byte per this many ms. */
  slowDripMs?: number;
}

/** One request as the reference engine saw it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  /** The `Authorization` header as received (test server only; never printed). */
  authorization: string | undefined;
  hasClientCertificate: boolean;
}

/** How to start the reference engine. */
export interface ReferenceEngineOptions {
  customers: DemoCustomers;
  /** Port to listen on; 0 picks a free one (default 8081). */
  port?: number;
  host?: string;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
  /** Serve https; with `ca`, clients must present a certificate signed by it (mutual TLS). */
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer };
  faults?: ReferenceEngineFaults;
}

/** A running reference engine. */
export interface ReferenceEngineServer {
  /** Base URL, e.g. `http://127.0.0.1:8081`. */
  readonly url: string;
  /** Requests received so far, any path (the most recent 1000). */
  readonly requests: readonly ReceivedRequest[];
  /** Replaces the faults and restarts the `failFirst` count. */
  setFaults(faults: ReferenceEngineFaults): void;
  close(): Promise<void>;
}

const LOOKUP_PATH = /^\/v1\/customers\/([^/]+)\/limit-decisions$/;
const MAX_REQUEST_LOG = 1000;

/** Starts a local engine serving the demo customers over the HTTP contract, with optional faults. */
export async function startReferenceEngineServer(options: ReferenceEngineOptions): Promise<ReferenceEngineServer> {
  let faults: ReferenceEngineFaults = { ...options.faults };
  let faultedSoFar = 0;
  const requests: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const expectedAuth = options.token === undefined ? undefined : Buffer.from(`Bearer ${options.token}`);

  const later = (ms: number, work: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      work();
    }, ms);
    timers.add(timer);
  };

  const isAuthorized = (header: string | undefined): boolean => {
    if (expectedAuth === undefined) return true;
    const given = Buffer.from(header ?? '');
    return given.length === expectedAuth.length && timingSafeEqual(given, expectedAuth);
  };

  const sendJson = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    response.end(text);
  };

  const respond = (request: IncomingMessage, response: ServerResponse, path: string): void => {
    const match = LOOKUP_PATH.exec(path);
    if (match === null) {
      sendJson(response, 404, { error: 'no_such_route' });
      return;
    }
    if (request.method !== 'GET') {
      sendJson(response, 405, { error: 'method_not_allowed' }, { allow: 'GET' });
      return;
    }
    if (!isAuthorized(request.headers.authorization)) {
      sendJson(response, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer' });
      return;
    }
    const current = faults;
    const isFailing =
      current.failFirst === undefined ? current.errorStatus !== undefined : faultedSoFar < current.failFirst;
    if (isFailing) {
      faultedSoFar += 1;
      const headers: Record<string, string> = current.retryAfter === undefined ? {} : { 'retry-after': current.retryAfter };
      sendJson(response, current.errorStatus ?? 500, { error: 'injected_failure' }, headers);
      return;
    }
    let customerId: string;
    try {
      customerId = decodeURIComponent(match[1] ?? '');
    } catch {
      sendJson(response, 400, { error: 'bad_customer_id' });
      return;
    }
    if (current.hugeBodyBytes !== undefined) {
      streamHugeBody(response, current.hugeBodyBytes, current.declareHugeLength === true);
      return;
    }
    const data = options.customers.responseFor(customerId);
    if (data === undefined) {
      sendJson(response, 404, { error: 'unknown_customer' });
      return;
    }
    let body: unknown = data;
    if (current.wrongCustomerId === true) body = { ...data, customerId: `${customerId}-other` };
    if (current.schemaMismatch === true) {
      body = {
        ...data,
        currentLimit: { amount: (data.currentLimit.amount / 100).toFixed(2), currency: data.currentLimit.currency },
        decisions: data.decisions.map((decision) => ({ ...decision, kind: 'lowered' })),
      };
    }
    let text = JSON.stringify(body);
    if (current.malformedJson === true) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    if (current.slowDripMs !== undefined) {
      dripBody(response, text, current.slowDripMs);
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
    response.end(text);
  };

  /** Writes `bytes` bytes of a JSON-looking body in chunks, respecting back-pressure, until done or the client leaves. */
  const streamHugeBody = (response: ServerResponse, bytes: number, isDeclared: boolean): void => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (isDeclared) headers['content-length'] = String(bytes);
    response.writeHead(200, headers);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let remaining = bytes;
    const pump = (): void => {
      while (remaining > 0 && !response.destroyed) {
        const size = Math.min(chunk.length, remaining);
        remaining -= size;
        if (!response.write(size === chunk.length ? chunk : chunk.subarray(0, size))) {
          response.once('drain', pump);
          return;
        }
      }
      if (!response.destroyed) response.end();
    };
    pump();
  };

  /** Sends the body one byte at a time, a byte every `intervalMs`. */
  const dripBody = (response: ServerResponse, text: string, intervalMs: number): void => {
    response.writeHead(200, { 'content-type': 'application/json' });
    const bytes = Buffer.from(text);
    let index = 0;
    const drip = (): void => {
      if (response.destroyed) return;
      if (index >= bytes.length) {
        response.end();
        return;
      }
      response.write(bytes.subarray(index, index + 1));
      index += 1;
      later(intervalMs, drip);
    };
    drip();
  };

  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    requests.push({
      method: request.method ?? '',
      path,
      authorization: request.headers.authorization,
      hasClientCertificate:
        request.socket instanceof TLSSocket && Object.keys(request.socket.getPeerCertificate()).length > 0,
    });
    if (requests.length > MAX_REQUEST_LOG) requests.shift();
    const latency = faults.latencyMs ?? 0;
    if (latency > 0) later(latency, () => respond(request, response, path));
    else respond(request, response, path);
  };

  const server =
    options.tls === undefined
      ? http.createServer(handler)
      : https.createServer(
          {
            cert: options.tls.cert,
            key: options.tls.key,
            ...(options.tls.ca === undefined ? {} : { ca: options.tls.ca, requestCert: true, rejectUnauthorized: true }),
          },
          handler,
        );

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8081, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const scheme = options.tls === undefined ? 'http' : 'https';
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `${scheme}://${urlHost}:${port}`,
    requests,
    setFaults(next) {
      faults = { ...next };
      faultedSoFar = 0;
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      });
    },
  };
}
