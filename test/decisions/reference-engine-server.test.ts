import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CustomerDecisionsSchema } from '../../src/core/decision.js';
import { loadDemoCustomers } from '../../src/decisions/demo-customers.js';
import { startReferenceEngineServer } from '../../src/decisions/reference-engine-server.js';
import type { ReferenceEngineServer } from '../../src/decisions/reference-engine-server.js';

const demo = loadDemoCustomers();

describe('reference engine server', () => {
  let server: ReferenceEngineServer;
  const get = (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init);

  beforeEach(async () => {
    server = await startReferenceEngineServer({ customers: demo, port: 0 });
  });

  afterEach(async () => {
    await server.close();
  });

  it('serves a demo customer as a valid contract body', async () => {
    const response = await get('/v1/customers/demo-drop/limit-decisions');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(CustomerDecisionsSchema.parse(await response.json())).toEqual(demo.responseFor('demo-drop'));
  });

  it('answers 404 for an unknown customer or path and 405 for other methods', async () => {
    expect((await get('/v1/customers/demo-nobody/limit-decisions')).status).toBe(404);
    expect((await get('/v2/whatever')).status).toBe(404);
    const post = await get('/v1/customers/demo-drop/limit-decisions', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('fails only the first N lookups, with the chosen status and Retry-After, and restarts the count on setFaults', async () => {
    server.setFaults({ errorStatus: 503, retryAfter: '2', failFirst: 2 });
    const first = await get('/v1/customers/demo-drop/limit-decisions');
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('2');
    expect((await get('/v1/customers/demo-drop/limit-decisions')).status).toBe(503);
    expect((await get('/v1/customers/demo-drop/limit-decisions')).status).toBe(200);
    server.setFaults({ failFirst: 1 });
    expect((await get('/v1/customers/demo-drop/limit-decisions')).status).toBe(500);
    expect((await get('/v1/customers/demo-drop/limit-decisions')).status).toBe(200);
  });

  it('sends the malformed, mismatched and wrong-customer bodies it promises', async () => {
    const path = '/v1/customers/demo-drop/limit-decisions';
    server.setFaults({ malformedJson: true });
    await expect((await get(path)).json()).rejects.toThrow();
    server.setFaults({ schemaMismatch: true });
    const mismatched: unknown = await (await get(path)).json();
    expect(CustomerDecisionsSchema.safeParse(mismatched).success).toBe(false);
    server.setFaults({ wrongCustomerId: true });
    const other = CustomerDecisionsSchema.parse(await (await get(path)).json());
    expect(other.customerId).not.toBe('demo-drop');
  });

  it('streams exactly the huge body size asked for', async () => {
    server.setFaults({ hugeBodyBytes: 3 * 1024 * 1024 + 5 });
    const body = await (await get('/v1/customers/demo-drop/limit-decisions')).arrayBuffer();
    expect(body.byteLength).toBe(3 * 1024 * 1024 + 5);
  });

  it('drips the real body a byte at a time', async () => {
    server.setFaults({ slowDripMs: 1 });
    const started = Date.now();
    const response = await get('/v1/customers/demo-none/limit-decisions');
    expect(CustomerDecisionsSchema.parse(await response.json())).toEqual(demo.responseFor('demo-none'));
    const length = JSON.stringify(demo.responseFor('demo-none')).length;
    expect(Date.now() - started).toBeGreaterThanOrEqual(length);
  });

  it('requires the bearer token when one is set', async () => {
    await server.close();
    server = await startReferenceEngineServer({ customers: demo, port: 0, token: 'abc' });
    const path = '/v1/customers/demo-drop/limit-decisions';
    const denied = await get(path);
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toBe('Bearer');
    expect((await get(path, { headers: { authorization: 'Bearer abd' } })).status).toBe(401);
    expect((await get(path, { headers: { authorization: 'Bearer abc' } })).status).toBe(200);
  });
});
