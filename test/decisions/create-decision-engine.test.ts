import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decisionsConfigSchema } from '../../src/config/decisions-config.js';
import { CandorError } from '../../src/core/candor-error.js';
import { createDecisionEngine } from '../../src/decisions/create-decision-engine.js';
import { loadDemoCustomers } from '../../src/decisions/demo-customers.js';
import type { DecisionEngineEvent } from '../../src/decisions/http-decision-engine.js';
import { startReferenceEngineServer } from '../../src/decisions/reference-engine-server.js';

const demo = loadDemoCustomers();

describe('decisionsConfigSchema', () => {
  it('defaults to the embedded engine and production timings', () => {
    expect(decisionsConfigSchema.parse({})).toEqual({
      DECISION_ENGINE_URL: undefined,
      DECISION_ENGINE_TIMEOUT_MS: 2500,
      DECISION_ENGINE_TOKEN: undefined,
      DECISION_ENGINE_CA_FILE: undefined,
      DECISION_ENGINE_CERT_FILE: undefined,
      DECISION_ENGINE_KEY_FILE: undefined,
      DECISION_ENGINE_CACHE_TTL_MS: 30_000,
      DECISION_ENGINE_MAX_BYTES: 262_144,
      DECISION_ENGINE_MAX_RETRIES: 2,
      DECISION_ENGINE_BREAKER_THRESHOLD: 5,
      DECISION_ENGINE_BREAKER_HALF_OPEN_MS: 10_000,
    });
  });

  it('treats empty variables as unset and coerces numbers', () => {
    const config = decisionsConfigSchema.parse({ DECISION_ENGINE_URL: '', DECISION_ENGINE_TIMEOUT_MS: '800', DECISION_ENGINE_CACHE_TTL_MS: '0' });
    expect(config.DECISION_ENGINE_URL).toBeUndefined();
    expect(config.DECISION_ENGINE_TIMEOUT_MS).toBe(800);
    expect(config.DECISION_ENGINE_CACHE_TTL_MS).toBe(0);
  });

  it('reports every bad value at once', () => {
    const result = decisionsConfigSchema.safeParse({
      DECISION_ENGINE_URL: 'ftp://engine',
      DECISION_ENGINE_TIMEOUT_MS: 'soon',
      DECISION_ENGINE_MAX_RETRIES: '5',
    });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.')) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['DECISION_ENGINE_URL', 'DECISION_ENGINE_TIMEOUT_MS', 'DECISION_ENGINE_MAX_RETRIES']));
  });

  it('needs both halves of a client certificate, and https when TLS files are set', () => {
    const result = decisionsConfigSchema.safeParse({ DECISION_ENGINE_URL: 'http://engine:8081', DECISION_ENGINE_CERT_FILE: '/x/cert.pem' });
    expect(result.success).toBe(false);
    const message = result.success ? '' : z.prettifyError(result.error);
    expect(message).toContain('DECISION_ENGINE_KEY_FILE');
    expect(message).toContain('must be https://');
  });
});

describe('createDecisionEngine', () => {
  it('builds the embedded engine when no URL is set', async () => {
    const engine = createDecisionEngine(decisionsConfigSchema.parse({}));
    expect(engine.kind).toBe('embedded');
    expect(await engine.lookup('demo-drop')).toEqual({ status: 'found', data: demo.responseFor('demo-drop') });
    expect(await engine.lookup('demo-nobody')).toEqual({ status: 'not_found' });
    await engine.close();
  });

  it('builds the HTTP client from the config slice, with the token and the event listener', async () => {
    const server = await startReferenceEngineServer({ customers: demo, port: 0, token: 't0ken' });
    const events: DecisionEngineEvent[] = [];
    const engine = createDecisionEngine(
      decisionsConfigSchema.parse({ DECISION_ENGINE_URL: server.url, DECISION_ENGINE_TOKEN: 't0ken', DECISION_ENGINE_TIMEOUT_MS: '1000' }),
      { onEvent: (event) => events.push(event) },
    );
    try {
      expect(engine.kind).toBe('http');
      expect(await engine.lookup('demo-drop')).toEqual({ status: 'found', data: demo.responseFor('demo-drop') });
      expect(await engine.lookup('demo-drop')).toEqual({ status: 'found', data: demo.responseFor('demo-drop') });
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.authorization).toBe('Bearer t0ken');
      expect(events.map((event) => event.type === 'lookup' && event.cached)).toEqual([false, true]);
    } finally {
      await engine.close();
      await server.close();
    }
  });

  it('names the variable when a TLS file cannot be read', () => {
    const config = decisionsConfigSchema.parse({ DECISION_ENGINE_URL: 'https://engine', DECISION_ENGINE_CA_FILE: '/nonexistent/ca.pem' });
    expect(() => createDecisionEngine(config)).toThrowError(CandorError);
    expect(() => createDecisionEngine(config)).toThrowError(/DECISION_ENGINE_CA_FILE/);
  });

  describe('mutual TLS against a reference engine that requires client certificates', () => {
    let dir: string;
    const file = (name: string) => join(dir, name);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'candor-mtls-'));
      openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Candor Test CA');
      writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
      for (const [name, extra] of [
        ['server', ['-extfile', 'server.ext']],
        ['client', []],
      ] as const) {
        openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=candor-${name}`);
        openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', ...extra);
      }
    });

    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it('presents the client certificate and trusts the private CA', async () => {
      const server = await startReferenceEngineServer({
        customers: demo,
        port: 0,
        tls: { cert: readFileSync(file('server.pem')), key: readFileSync(file('server.key')), ca: readFileSync(file('ca.pem')) },
      });
      const withCert = createDecisionEngine(
        decisionsConfigSchema.parse({
          DECISION_ENGINE_URL: server.url,
          DECISION_ENGINE_CA_FILE: file('ca.pem'),
          DECISION_ENGINE_CERT_FILE: file('client.pem'),
          DECISION_ENGINE_KEY_FILE: file('client.key'),
          DECISION_ENGINE_MAX_RETRIES: '0',
        }),
      );
      const withoutCert = createDecisionEngine(
        decisionsConfigSchema.parse({ DECISION_ENGINE_URL: server.url, DECISION_ENGINE_CA_FILE: file('ca.pem'), DECISION_ENGINE_MAX_RETRIES: '0' }),
      );
      const withoutCa = createDecisionEngine(
        decisionsConfigSchema.parse({
          DECISION_ENGINE_URL: server.url,
          DECISION_ENGINE_CERT_FILE: file('client.pem'),
          DECISION_ENGINE_KEY_FILE: file('client.key'),
          DECISION_ENGINE_MAX_RETRIES: '0',
        }),
      );
      try {
        expect(server.url.startsWith('https://')).toBe(true);
        expect(await withCert.lookup('demo-drop')).toEqual({ status: 'found', data: demo.responseFor('demo-drop') });
        expect(server.requests.map((request) => request.hasClientCertificate)).toEqual([true]);
        expect(await withoutCert.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'unreachable' });
        expect(await withoutCa.lookup('demo-drop')).toEqual({ status: 'unavailable', failure: 'unreachable' });
        expect(server.requests).toHaveLength(1);
      } finally {
        await Promise.all([withCert.close(), withoutCert.close(), withoutCa.close()]);
        await server.close();
      }
    });
  });
});
