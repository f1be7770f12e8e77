import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  circuitBreaker,
  handleWhenResult,
} from 'cockatiel';
import type { CircuitBreakerPolicy } from 'cockatiel';
import { CustomerDecisionsSchema } from '../core/decision.js';
import type { DecisionEngine, DecisionLookup, EngineFailure } from '../core/ports/decision-engine.js';
import { silentLogger, type Logger } from '../core/ports/logger.js';

/** How one lookup ended, for metrics: a lookup status, or the failure of an unavailable one. */
export type LookupOutcome = 'found' | 'not_found' | EngineFailure;

/** The circuit breaker's state, for metrics. */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** Metrics-ready events; they carry no customer id and no response data. */
export type DecisionEngineEvent =
  | { type: 'lookup'; outcome: LookupOutcome; latencyMs: number; attempts: number; cached: boolean }
  | { type: 'breaker'; state: BreakerState };

/** Receives decision-engine events; must not throw (a throwing listener is ignored). */
export type DecisionEngineEventListener = (event: DecisionEngineEvent) => void;

/** Settings of the HTTP client; everything but `baseUrl` has a production default. */
export interface HttpDecisionEngineOptions {
  /** Base URL; the lookup path `v1/customers/{id}/limit-decisions` is appended to it. */
  baseUrl: string;
  /** One deadline per lookup covering connect, headers, body and retries (default 2500). */
  timeoutMs?: number;
  /** Largest accepted response body in bytes (default 256 KiB). */
  maxBytes?: number;
  /** Retries after the first attempt, for network errors, 5xx, 408 and 429 (default 2). */
  maxRetries?: number;
  /** First backoff step; attempt n waits between half and all of base·2^(n-1) ms (default 100). */
  retryBaseDelayMs?: number;
  /** How long found / not-found answers are reused per customer; 0 disables (default 30000). */
  cacheTtlMs?: number;
  /** Most customers held in the cache; the oldest entry goes first (default 10000). */
  cacheMaxEntries?: number;
  /** Consecutive failed lookups that open the breaker (default 5). */
  breakerThreshold?: number;
  /** Time the breaker stays open before one half-open probe (default 10000). */
  breakerHalfOpenMs?: number;
  /** Bearer token for the `Authorization` header. */
  token?: string;
  /** PEM material for https: a private CA, and a client certificate and key for mutual TLS. */
  tls?: { ca?: string | Buffer; cert?: string | Buffer; key?: string | Buffer };
  onEvent?: DecisionEngineEventListener;
  /** Wall-clock milliseconds, for cache expiry and `Retry-After` dates (default `Date.now`). */
  now?: () => number;
  /** Source of jitter in [0, 1) (default `Math.random`). */
  random?: () => number;
  /** Where a misconfigured or misbehaving engine (401/403, answers outside the contract) is reported. */
  logger?: Logger;
  /** Each such problem is logged at most once per this many ms, with a count of those not logged (default 60000). */
  problemLogIntervalMs?: number;
}

/** A lookup that failed because of our credentials or the engine's answer, with a reason safe to log (no customer data). */
type ReportedProblem = { failure: 'unauthorized' | 'invalid_response'; reason: string };

/** What a single HTTP attempt produced, before it is judged. */
type AttemptOutcome =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: Buffer | null }
  | { kind: 'network_error' }
  | { kind: 'too_large' }
  | { kind: 'aborted' };

/** A lookup's result plus what the breaker and metrics need to know about it. */
interface FetchResult {
  lookup: DecisionLookup;
  attempts: number;
  /** True when the engine misbehaved (counts toward opening the breaker). */
  isEngineFault: boolean;
}

/** The failures that say the engine itself is unwell, as opposed to our credentials or the caller. */
const ENGINE_FAULTS: ReadonlySet<EngineFailure> = new Set(['timeout', 'unreachable', 'server_error', 'invalid_response']);

const BREAKER_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'open',
};

/** Parses a `Retry-After` header (delta seconds or an HTTP date) into a wait in milliseconds. */
export function parseRetryAfterMs(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP dates start with a day name; this keeps Date.parse from reading "-5" as a year.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Returns true for statuses worth retrying on an idempotent read. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** The production client for the decision engine's HTTP contract: deadline, size cap, retries, breaker, cache. */
export class HttpDecisionEngine implements DecisionEngine {
  private readonly base: URL;
  private readonly transport: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly maxRetries: number;
  private readonly retryBaseDelayMs: number;
  private readonly cacheTtlMs: number;
  private readonly cacheMaxEntries: number;
  private readonly cache = new Map<string, { expiresAt: number; lookup: DecisionLookup }>();
  private readonly breaker: CircuitBreakerPolicy;
  private readonly breakerSubscription: { dispose(): void };
  private readonly onEvent: DecisionEngineEventListener | undefined;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly problemLogIntervalMs: number;
  /** Per failure: when it was last logged and how many occurred since. */
  private readonly problemLog = new Map<ReportedProblem['failure'], { loggedAt: number; unlogged: number }>();

  constructor(options: HttpDecisionEngineOptions) {
    // A trailing slash keeps any path prefix of the base URL when the lookup path is resolved against it.
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    const isHttps = this.base.protocol === 'https:';
    this.transport = isHttps ? https : http;
    this.agent = isHttps
      ? new https.Agent({ keepAlive: true, maxSockets: 64, ...options.tls })
      : new http.Agent({ keepAlive: true, maxSockets: 64 });
    this.headers = { accept: 'application/json', 'user-agent': 'candor-decision-client' };
    if (options.token !== undefined) this.headers.authorization = `Bearer ${options.token}`;
    this.timeoutMs = options.timeoutMs ?? 2500;
    this.maxBytes = options.maxBytes ?? 256 * 1024;
    this.maxRetries = Math.min(2, Math.max(0, options.maxRetries ?? 2));
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 100;
    this.cacheTtlMs = options.cacheTtlMs ?? 30_000;
    this.cacheMaxEntries = options.cacheMaxEntries ?? 10_000;
    this.onEvent = options.onEvent;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.logger = options.logger ?? silentLogger;
    this.problemLogIntervalMs = options.problemLogIntervalMs ?? 60_000;
    this.breaker = circuitBreaker(
      handleWhenResult((result) => (result as FetchResult).isEngineFault),
      { halfOpenAfter: options.breakerHalfOpenMs ?? 10_000, breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5) },
    );
    this.breakerSubscription = this.breaker.onStateChange((state) => this.emit({ type: 'breaker', state: BREAKER_STATES[state] }));
  }

  /** The breaker's current state. */
  get breakerState(): BreakerState {
    return BREAKER_STATES[this.breaker.state];
  }

  async lookup(customerId: string, signal?: AbortSignal): Promise<DecisionLookup> {
    const started = performance.now();
    const cached = this.readCache(customerId);
    if (cached !== undefined) {
      this.emitLookup(cached, started, 0, true);
      return cached;
    }
    // The contract caps ids at 128 characters; anything else cannot be on file.
    if (customerId.length === 0 || customerId.length > 128) {
      const lookup: DecisionLookup = { status: 'not_found' };
      this.emitLookup(lookup, started, 0, false);
      return lookup;
    }
    let result: FetchResult;
    try {
      result = await this.breaker.execute(() => this.fetchWithRetries(customerId, signal));
    } catch (error) {
      if (!(error instanceof BrokenCircuitError) && !(error instanceof IsolatedCircuitError)) throw error;
      result = { lookup: { status: 'unavailable', failure: 'circuit_open' }, attempts: 0, isEngineFault: false };
    }
    if (result.lookup.status !== 'unavailable') this.writeCache(customerId, result.lookup);
    this.emitLookup(result.lookup, started, result.attempts, false);
    return result.lookup;
  }

  /** Drops cached answers, e.g. after the customer asked for a review. */
  forget(customerId?: string): void {
    if (customerId === undefined) this.cache.clear();
    else this.cache.delete(customerId);
  }

  /** Closes pooled connections and stops emitting events. */
  async close(): Promise<void> {
    this.breakerSubscription.dispose();
    this.agent.destroy();
    this.cache.clear();
  }

  private async fetchWithRetries(customerId: string, callerSignal: AbortSignal | undefined): Promise<FetchResult> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
    const deadlineAt = performance.now() + this.timeoutMs;
    const signal = callerSignal === undefined ? deadline.signal : AbortSignal.any([deadline.signal, callerSignal]);
    const url = new URL(`v1/customers/${encodeURIComponent(customerId)}/limit-decisions`, this.base);
    try {
      let attempts = 0;
      for (;;) {
        attempts += 1;
        const outcome = await this.attempt(url, signal);
        const judged = this.judge(outcome, customerId);
        if (judged.lookup.status !== 'unavailable') return { lookup: judged.lookup, attempts, isEngineFault: false };
        const failure = judged.lookup.failure;
        // A lookup the caller gave up on says nothing about the engine's health.
        const isEngineFault = ENGINE_FAULTS.has(failure) && !(callerSignal?.aborted ?? false);
        const result: FetchResult = { lookup: judged.lookup, attempts, isEngineFault };
        if (!judged.isRetryable || attempts > this.maxRetries) return result;
        const waitMs = judged.retryAfterMs ?? this.backoffMs(attempts);
        if (performance.now() + waitMs >= deadlineAt) return result;
        const slept = await sleep(waitMs, signal);
        if (!slept) {
          return { lookup: { status: 'unavailable', failure: 'timeout' }, attempts, isEngineFault: !(callerSignal?.aborted ?? false) };
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Turns one attempt into a lookup, saying whether it may be retried and after how long. */
  private judge(
    outcome: AttemptOutcome,
    customerId: string,
  ): { lookup: DecisionLookup; isRetryable: boolean; retryAfterMs?: number } {
    const unavailable = (failure: EngineFailure): DecisionLookup => ({ status: 'unavailable', failure });
    switch (outcome.kind) {
      case 'aborted':
        return { lookup: unavailable('timeout'), isRetryable: false };
      case 'network_error':
        return { lookup: unavailable('unreachable'), isRetryable: true };
      case 'too_large':
        this.reportProblem({ failure: 'invalid_response', reason: `the body is larger than ${this.maxBytes} bytes` });
        return { lookup: unavailable('invalid_response'), isRetryable: false };
      case 'response':
        break;
    }
    const { status } = outcome;
    if (status === 200) return { lookup: this.parseBody(outcome.body, customerId), isRetryable: false };
    if (status === 404) return { lookup: { status: 'not_found' }, isRetryable: false };
    if (status === 401 || status === 403) {
      this.reportProblem({ failure: 'unauthorized', reason: `the engine answered ${status}; check DECISION_ENGINE_TOKEN (and the client certificate)` });
      return { lookup: unavailable('unauthorized'), isRetryable: false };
    }
    if (isRetryableStatus(status)) {
      const header = outcome.headers['retry-after'];
      const retryAfterMs = parseRetryAfterMs(Array.isArray(header) ? header[0] : header, this.now());
      const lookup = unavailable(status === 408 ? 'timeout' : 'server_error');
      return retryAfterMs === undefined ? { lookup, isRetryable: true } : { lookup, isRetryable: true, retryAfterMs };
    }
    // Anything else (other 4xx, 3xx, 2xx other than 200) is outside the contract.
    this.reportProblem({ failure: 'invalid_response', reason: `status ${status} is outside the contract` });
    return { lookup: unavailable('invalid_response'), isRetryable: false };
  }

  private parseBody(body: Buffer | null, customerId: string): DecisionLookup {
    const invalid = (reason: string): DecisionLookup => {
      this.reportProblem({ failure: 'invalid_response', reason });
      return { status: 'unavailable', failure: 'invalid_response' };
    };
    if (body === null) return invalid('a 200 without a body');
    let json: unknown;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return invalid('the body is not JSON');
    }
    const parsed = CustomerDecisionsSchema.safeParse(json);
    if (!parsed.success) {
      // Paths and zod's messages only: they name fields and expectations, never the values received.
      const issues = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
      return invalid(`the body does not match the contract (${issues.join('; ')})`);
    }
    // Another customer's data must never reach this customer's explanation.
    if (parsed.data.customerId !== customerId) return invalid("the body is another customer's");
    return { status: 'found', data: parsed.data };
  }

  /** One GET, bounded by the lookup's signal and the size cap; never rejects. */
  private attempt(url: URL, signal: AbortSignal): Promise<AttemptOutcome> {
    return new Promise<AttemptOutcome>((resolve) => {
      if (signal.aborted) {
        resolve({ kind: 'aborted' });
        return;
      }
      let isSettled = false;
      const settle = (outcome: AttemptOutcome): void => {
        if (isSettled) return;
        isSettled = true;
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const request = this.transport.request(url, { method: 'GET', headers: this.headers, agent: this.agent }, (response) => {
        const status = response.statusCode ?? 0;
        const declared = Number(response.headers['content-length']);
        const hasDeclaredLength = response.headers['content-length'] !== undefined && Number.isFinite(declared);
        if (status !== 200) {
          // Only the status matters; drain a small body to keep the connection, drop a large or unknown one.
          if (hasDeclaredLength && declared <= this.maxBytes) response.resume();
          else request.destroy();
          settle({ kind: 'response', status, headers: response.headers, body: null });
          return;
        }
        if (hasDeclaredLength && declared > this.maxBytes) {
          request.destroy();
          settle({ kind: 'too_large' });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBytes) {
            request.destroy();
            settle({ kind: 'too_large' });
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => {
          if (!response.complete) settle({ kind: 'network_error' });
          else settle({ kind: 'response', status, headers: response.headers, body: Buffer.concat(chunks) });
        });
        response.on('error', () => settle(signal.aborted ? { kind: 'aborted' } : { kind: 'network_error' }));
        response.on('close', () => settle(signal.aborted ? { kind: 'aborted' } : { kind: 'network_error' }));
      });
      const onAbort = (): void => {
        request.destroy();
        settle({ kind: 'aborted' });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('error', () => settle(signal.aborted ? { kind: 'aborted' } : { kind: 'network_error' }));
      request.end();
    });
  }

  /** Logs a credentials or contract problem at error level, at most once per interval per kind, counting the rest. */
  private reportProblem(problem: ReportedProblem): void {
    const now = this.now();
    const entry = this.problemLog.get(problem.failure);
    if (entry !== undefined && now - entry.loggedAt < this.problemLogIntervalMs) {
      entry.unlogged += 1;
      return;
    }
    const notLoggedSince = entry?.unlogged ?? 0;
    this.problemLog.set(problem.failure, { loggedAt: now, unlogged: 0 });
    this.logger.error(
      { failure: problem.failure, reason: problem.reason, notLoggedSince, intervalMs: this.problemLogIntervalMs },
      problem.failure === 'unauthorized' ? 'decision engine refused our credentials' : 'decision engine answered outside the contract',
    );
  }

  private backoffMs(attempt: number): number {
    const step = this.retryBaseDelayMs * 2 ** (attempt - 1);
    return step / 2 + this.random() * (step / 2);
  }

  private readCache(customerId: string): DecisionLookup | undefined {
    const entry = this.cache.get(customerId);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.cache.delete(customerId);
      return undefined;
    }
    // A copy, so no caller can change what the next hit returns.
    return structuredClone(entry.lookup);
  }

  private writeCache(customerId: string, lookup: DecisionLookup): void {
    if (this.cacheTtlMs <= 0) return;
    this.cache.delete(customerId);
    if (this.cache.size >= this.cacheMaxEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    this.cache.set(customerId, { expiresAt: this.now() + this.cacheTtlMs, lookup: structuredClone(lookup) });
  }

  private emitLookup(lookup: DecisionLookup, started: number, attempts: number, cached: boolean): void {
    const outcome: LookupOutcome = lookup.status === 'unavailable' ? lookup.failure : lookup.status;
    this.emit({ type: 'lookup', outcome, latencyMs: performance.now() - started, attempts, cached });
  }

  private emit(event: DecisionEngineEvent): void {
    if (this.onEvent === undefined) return;
    try {
      this.onEvent(event);
    } catch {
      // Metrics must never change a lookup's outcome; a broken listener is the listener's bug.
      return;
    }
  }
}

/** Waits, unless the signal fires first; resolves false when it was cut short. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
