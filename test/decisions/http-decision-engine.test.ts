import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDemoCustomers } from '../../src/decisions/demo-customers.js';
import { HttpDecisionEngine, parseRetryAfterMs } from '../../src/decisions/http-decision-engine.js';
import type { DecisionEngineEvent, HttpDecisionEngineOptions } from '../../src/decisions/http-decision-engine.js';
import { startReferenceEngineServer } from '../../src/decisions/reference-engine-server.js';
import type { ReferenceEngineServer } from '../../src/decisions/reference-engine-server.js';
import { describeDecisionEngineContract } from './decision-engine-contract.js';

const demo = loadDemoCustomers();

describeDecisionEngineContract('HttpDecisionEngine against the reference engine', async () => {
  const server = await startReferenceEngineServer({ customers: demo, port: 0 });
  const engine = new HttpDecisionEngine({ baseUrl: server.url, timeoutMs: 1000 });
  return {
    engine,
    close: async () => {
      await engine.close();
      await server.close();
    },
  };
});

describe('HttpDecisionEngine against a real reference engine', () => {
  let server: ReferenceEngineServer;
  const engines: HttpDecisionEngine[] = [];

  /** A client with test-sized timings; every test can override any of them. */
  const makeEngine = (overrides: Partial<HttpDecisionEngineOptions> = {}) => {
    const events: DecisionEngineEvent[] = [];
    const engine = new HttpDecisionEngine({
      baseUrl: server.url,
      timeoutMs: 500,
      retryBaseDelayMs: 10,
      cacheTtlMs: 0,
      breakerHalfOpenMs: 200,
      onEvent: (event) => events.push(event),
      ...overrides,
    });
    engines.push(engine);
    const lookups = () => events.filter((event) => event.type === 'lookup');
    const breakerStates = () => events.flatMap((event) => (event.type === 'breaker' ? [event.state] : []));
    return { engine, events, lookups, breakerStates };
  };

  /** Runs a lookup and measures it. */
  const timed = async <T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> => {
    const started = performance.now();
    const result = await work();
    return { result, ms: performance.now() - started };
  };

  beforeEach(async () => {
    server = await startReferenceEngineServer({ customers: demo, port: 0 });
  });

  afterEach(async () => {
    await Promise.all(engines.splice(0).map((engine) => engine.close()));
    await server.close();
  });

  it('finds a customer with one request to the contract path and reports it as a lookup event', async () => {
    const { engine, lookups } = makeEngine();
    expect(await engine.lookup('demo-drop')).toEqual({ status: 'found', data: demo.responseFor('demo-drop') });
    expect(server.requests.map((request) => request.path)).toEqual(['/v1/customers/demo-drop/limit-decisions']);
    expect(lookups()).toEqual([{ type: 'lookup', outcome: 'found', latencyMs: expect.any(Number), attempts: 1, cached: false }]);
  });

  it('keeps a path prefix of the base URL and encodes the customer id', async () => {
    const { engine } = makeEngine({ baseUrl: `${server.url}/engine` });
    await engine.lookup('a/b c');
    expect(server.requests.map((request) => request.path)).toEqual(['/engine/v1/customers/a%2Fb%20c/limit-decisions']);
  });

  it('gives up at the deadline when the engine is slow, without retrying', async () => {
    server.setFaults({ latencyMs: 2000 });
    const { engine } = makeEngine({ timeoutMs: 200 });
    const { result, ms } = await timed(() => engine.lookup('demo-drop'));
    expect(result).toEqual({ status: 'unavailable', failure: 'timeout' });
    expect(ms).toBeGreaterThanOrEqual(190);
    expect(ms).toBeLessThan(450);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a 500 and returns the data of the next attempt', async () => {
    server.setFaults({ errorStatus: 500, failFirst: 1 });
    const { engine, lookups } = makeEngine();
    expect(await engine.lookup('demo-drop')).toEqual({ status: 'found', data: demo.responseFor('demo-drop') });
    expect(server.requests).toHaveLength(2);
    expect(lookups()[0]).toMatchObject({ outcome: 'found', attempts: 2 });
  });

  it('stops after two retries when the engine keeps failing', async () => {
    server.setFaults({ errorStatus: 502 });
    const { engine, lookups } = makeEngine();
    expect(await engine.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'server_error' });
    expect(server.requests).toHaveLength(3);
    expect(lookups()[0]).toMatchObject({ outcome: 'server_error', attempts: 3 });
  });

  it('retries 429 and 408 too', async () => {
    server.setFaults({ errorStatus: 429, failFirst: 1 });
    const { engine } = makeEngine();
    expect((await engine.lookup('demo-drop')).status).toBe('found');
    server.setFaults({ errorStatus: 408, failFirst: 2 });
    expect((await engine.lookup('demo-denied')).status).toBe('found');
    expect(server.requests).toHaveLength(2 + 3);
  });

  it('honours a 503 Retry-After in seconds before retrying', async () => {
    server.setFaults({ errorStatus: 503, retryAfter: '1', failFirst: 1 });
    const { engine } = makeEngine({ timeoutMs: 2500 });
    const { result, ms } = await timed(() => engine.lookup('demo-drop'));
    expect(result.status).toBe('found');
    expect(ms).toBeGreaterThanOrEqual(990);
    expect(ms).toBeLessThan(1600);
    expect(server.requests).toHaveLength(2);
  });

  it('does not wait past the deadline for a Retry-After: it fails at once instead', async () => {
    server.setFaults({ errorStatus: 503, retryAfter: '30' });
    const { engine } = makeEngine({ timeoutMs: 500 });
    const { result, ms } = await timed(() => engine.lookup('demo-drop'));
    expect(result).toEqual({ status: 'unavailable', failure: 'server_error' });
    expect(ms).toBeLessThan(250);
    expect(server.requests).toHaveLength(1);
  });

  it('says not_found on 404, once, without retrying', async () => {
    const { engine } = makeEngine();
    expect(await engine.lookup('demo-nobody')).toEqual({ status: 'not_found' });
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry other 4xx and treats them as outside the contract', async () => {
    server.setFaults({ errorStatus: 400 });
    const { engine } = makeEngine();
    expect(await engine.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'invalid_response' });
    expect(server.requests).toHaveLength(1);
  });

  describe('authentication', () => {
    beforeEach(async () => {
      await server.close();
      server = await startReferenceEngineServer({ customers: demo, port: 0, token: 'engine-secret' });
    });

    it('sends the bearer token and gets the data', async () => {
      const { engine } = makeEngine({ token: 'engine-secret' });
      expect((await engine.lookup('demo-drop')).status).toBe('found');
      expect(server.requests.map((request) => request.authorization)).toEqual(['Bearer engine-secret']);
    });

    it('reports 401 as unauthorized, once, without retrying', async () => {
      const { engine } = makeEngine();
      expect(await engine.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'unauthorized' });
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.authorization).toBeUndefined();
    });

    it('reports a wrong token as unauthorized', async () => {
      const { engine } = makeEngine({ token: 'guess' });
      expect(await engine.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'unauthorized' });
    });

    it('logs a refused token at error level once per interval, with the reason and how many were not logged, never the token', async () => {
      let nowMs = 1_000_000;
      const logged: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
      const record = (level: string) => (fields: Record<string, unknown>, message: string) => void logged.push({ level, fields, message });
      const logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
      const { engine } = makeEngine({ token: 'guess', logger, problemLogIntervalMs: 60_000, now: () => nowMs });
      for (let i = 0; i < 3; i += 1) await engine.lookup('demo-drop');
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ level: 'error', message: 'decision engine refused our credentials', fields: { failure: 'unauthorized', notLoggedSince: 0 } });
      expect(String(logged[0]?.fields['reason'])).toMatch(/answered 401; check DECISION_ENGINE_TOKEN/);
      nowMs += 60_000;
      await engine.lookup('demo-drop');
      expect(logged).toHaveLength(2);
      expect(logged[1]?.fields).toMatchObject({ failure: 'unauthorized', notLoggedSince: 2 });
      expect(JSON.stringify(logged)).not.toContain('guess');
    });
  });

  it('logs each kind of answer outside the contract with its reason and no customer data', async () => {
    const logged: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const error = (fields: Record<string, unknown>, message: string) => void logged.push({ fields, message });
    const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error };
    const reasons: string[] = [];
    for (const faults of [{ malformedJson: true }, { schemaMismatch: true }, { wrongCustomerId: true }, { errorStatus: 302 }]) {
      server.setFaults(faults);
      const { engine } = makeEngine({ logger });
      expect(await engine.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'invalid_response' });
      reasons.push(String(logged.at(-1)?.fields['reason']));
    }
    expect(logged.map((line) => line.message)).toEqual(Array(4).fill('decision engine answered outside the contract'));
    expect(reasons[0]).toBe('the body is not JSON');
    expect(reasons[1]).toMatch(/^the body does not match the contract \(.+\)$/);
    expect(reasons[2]).toBe("the body is another customer's");
    expect(reasons[3]).toBe('status 302 is outside the contract');
    expect(JSON.stringify(logged)).not.toContain('demo-drop');
  });

  it('rejects malformed JSON as an invalid response, without retrying', async () => {
    server.setFaults({ malformedJson: true });
    const { engine } = makeEngine();
    expect(await engine.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'invalid_response' });
    expect(server.requests).toHaveLength(1);
  });

  it('rejects a body that does not match the schema', async () => {
    server.setFaults({ schemaMismatch: true });
    const { engine } = makeEngine();
    expect(await engine.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'invalid_response' });
  });

  it("rejects another customer's data even though it is otherwise valid", async () => {
    server.setFaults({ wrongCustomerId: true });
    const { engine } = makeEngine();
    expect(await engine.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'invalid_response' });
  });

  it('aborts a 50 MB streamed body at the size cap, quickly', async () => {
    server.setFaults({ hugeBodyBytes: 50 * 1024 * 1024 });
    const { engine } = makeEngine({ timeoutMs: 5000 });
    const { result, ms } = await timed(() => engine.lookup('demo-drop'));
    expect(result).toEqual({ status: 'unavailable', failure: 'invalid_response' });
    expect(ms).toBeLessThan(500);
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a body whose Content-Length is over the cap before reading it', async () => {
    server.setFaults({ hugeBodyBytes: 50 * 1024 * 1024, declareHugeLength: true });
    const { engine } = makeEngine({ timeoutMs: 5000, maxBytes: 1024 });
    const { result, ms } = await timed(() => engine.lookup('demo-drop'));
    expect(result).toEqual({ status: 'unavailable', failure: 'invalid_response' });
    expect(ms).toBeLessThan(500);
  });

  it('accepts a body right under the cap and refuses it one byte lower', async () => {
    const size = Buffer.byteLength(JSON.stringify(demo.responseFor('demo-drop')));
    expect((await makeEngine({ maxBytes: size }).engine.lookup('demo-drop')).status).toBe('found');
    expect(await makeEngine({ maxBytes: size - 1 }).engine.lookup('demo-drop')).toEqual({
      status: 'unavailable',
      failure: 'invalid_response',
    });
  });

  it('cuts off a slow-drip body at the deadline', async () => {
    server.setFaults({ slowDripMs: 200 });
    const { engine } = makeEngine({ timeoutMs: 600 });
    const { result, ms } = await timed(() => engine.lookup('demo-drop'));
    expect(result).toEqual({ status: 'unavailable', failure: 'timeout' });
    expect(ms).toBeGreaterThanOrEqual(590);
    expect(ms).toBeLessThan(900);
  });

  it('reports an unreachable engine after retrying', async () => {
    const gone = server.url;
    await server.close();
    server = await startReferenceEngineServer({ customers: demo, port: 0 });
    const { engine, lookups } = makeEngine({ baseUrl: gone });
    expect(await engine.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'unreachable' });
    expect(lookups()[0]).toMatchObject({ outcome: 'unreachable', attempts: 3 });
  });

  describe('circuit breaker', () => {
    it('opens after five failed lookups, fails fast while open, and closes after a good half-open probe', async () => {
      server.setFaults({ errorStatus: 500 });
      const { engine, breakerStates } = makeEngine({ maxRetries: 0, breakerThreshold: 5, breakerHalfOpenMs: 300 });
      for (let i = 0; i < 5; i += 1) {
        expect(await engine.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'server_error' });
      }
      expect(engine.breakerState).toBe('open');
      expect(server.requests).toHaveLength(5);

      const { result, ms } = await timed(() => engine.lookup('demo-drop'));
      expect(result).toEqual({ status: 'unavailable', failure: 'circuit_open' });
      expect(ms).toBeLessThan(50);
      expect(server.requests).toHaveLength(5);

      server.setFaults({});
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect((await engine.lookup('demo-drop')).status).toBe('found');
      expect(server.requests).toHaveLength(6);
      expect(engine.breakerState).toBe('closed');
      expect(breakerStates()).toEqual(['open', 'half_open', 'closed']);
    });

    it('opens again when the half-open probe fails', async () => {
      server.setFaults({ errorStatus: 503 });
      const { engine, breakerStates } = makeEngine({ maxRetries: 0, breakerThreshold: 2, breakerHalfOpenMs: 100 });
      await engine.lookup('demo-drop');
      await engine.lookup('demo-drop');
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await engine.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'server_error' });
      expect(await engine.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'circuit_open' });
      expect(server.requests).toHaveLength(3);
      expect(breakerStates()).toEqual(['open', 'half_open', 'open']);
    });

    it('counts a lookup once, however many attempts it took', async () => {
      server.setFaults({ errorStatus: 500 });
      const { engine } = makeEngine({ breakerThreshold: 2 });
      await engine.lookup('demo-drop');
      expect(server.requests).toHaveLength(3);
      expect(engine.breakerState).toBe('closed');
    });

    it('is not opened by answers that say nothing about the engine being down', async () => {
      const { engine } = makeEngine({ breakerThreshold: 1 });
      expect((await engine.lookup('demo-nobody')).status).toBe('not_found');
      server.setFaults({ errorStatus: 403 });
      expect(await engine.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'unauthorized' });
      server.setFaults({ latencyMs: 1000 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      expect(await engine.lookup('demo-denied', controller.signal)).toEqual({ status: 'unavailable', failure: 'timeout' });
      expect(engine.breakerState).toBe('closed');
    });
  });

  describe('cache', () => {
    it('answers a repeat lookup from the cache until the TTL passes', async () => {
      let now = 1_000_000;
      const { engine, lookups } = makeEngine({ cacheTtlMs: 30_000, now: () => now });
      const first = await engine.lookup('demo-drop');
      const second = await engine.lookup('demo-drop');
      expect(second).toEqual(first);
      expect(server.requests).toHaveLength(1);
      expect(lookups().map((event) => event.cached)).toEqual([false, true]);
      now += 29_999;
      await engine.lookup('demo-drop');
      expect(server.requests).toHaveLength(1);
      now += 1;
      await engine.lookup('demo-drop');
      expect(server.requests).toHaveLength(2);
    });

    it('expires by real time too', async () => {
      const { engine } = makeEngine({ cacheTtlMs: 100 });
      await engine.lookup('demo-drop');
      await engine.lookup('demo-drop');
      expect(server.requests).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 120));
      await engine.lookup('demo-drop');
      expect(server.requests).toHaveLength(2);
    });

    it('caches not_found but never an error', async () => {
      const { engine } = makeEngine({ cacheTtlMs: 30_000, maxRetries: 0 });
      await engine.lookup('demo-nobody');
      await engine.lookup('demo-nobody');
      expect(server.requests).toHaveLength(1);
      server.setFaults({ errorStatus: 500, failFirst: 1 });
      expect((await engine.lookup('demo-drop')).status).toBe('unavailable');
      expect((await engine.lookup('demo-drop')).status).toBe('found');
      expect(server.requests).toHaveLength(3);
    });

    it('keeps customers apart and can forget one', async () => {
      const { engine } = makeEngine({ cacheTtlMs: 30_000 });
      await engine.lookup('demo-drop');
      const other = await engine.lookup('demo-denied');
      expect(other).toEqual({ status: 'found', data: demo.responseFor('demo-denied') });
      engine.forget('demo-drop');
      await engine.lookup('demo-drop');
      await engine.lookup('demo-denied');
      expect(server.requests.map((request) => request.path.split('/')[3])).toEqual(['demo-drop', 'demo-denied', 'demo-drop']);
    });
  });

  it('passes an unknown reason code through as valid data', async () => {
    const { engine } = makeEngine();
    const lookup = await engine.lookup('demo-unknown');
    expect(lookup.status).toBe('found');
    if (lookup.status === 'found') expect(lookup.data.decisions[0]?.reasons).toEqual([{ code: 'ZZ_NEW_POLICY_7', rank: 1 }]);
  });

  it('keeps working when the event listener throws', async () => {
    const engine = new HttpDecisionEngine({
      baseUrl: server.url,
      onEvent: () => {
        throw new Error('broken metrics');
      },
    });
    engines.push(engine);
    expect((await engine.lookup('demo-drop')).status).toBe('found');
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-03-14T09:00:00Z');

  it('reads delta seconds', () => {
    expect(parseRetryAfterMs('3', now)).toBe(3000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date, and a date in the past as no wait', () => {
    expect(parseRetryAfterMs('Sat, 14 Mar 2026 09:00:02 GMT', now)).toBe(2000);
    expect(parseRetryAfterMs('Sat, 14 Mar 2026 08:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs('-5', now)).toBeUndefined();
  });
});
