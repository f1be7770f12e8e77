import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ChatTokenService } from '../../../src/channels/web/chat-token-service.js';

const secret = new TextEncoder().encode('0123456789abcdef0123456789abcdef');
const service = new ChatTokenService({ secret, audience: 'candor-web-chat', issuer: 'candor', ttlSeconds: 900 });

describe('ChatTokenService', () => {
  it('issues a token that verifies to its customer, expiring after the ttl', async () => {
    const now = new Date();
    const issued = await service.issue('demo-drop', now);
    expect(await service.verify(issued.token)).toEqual({ status: 'valid', customerId: 'demo-drop', expiresAtMs: Date.parse(issued.expiresAt) });
    expect(Date.parse(issued.expiresAt) - Math.floor(now.getTime() / 1000) * 1000).toBe(900_000);
  });

  it('says why a token is refused', async () => {
    const old = await service.issue('demo-drop', new Date(Date.now() - 3600_000));
    expect(await service.verify(old.token)).toEqual({ status: 'invalid', reason: 'expired' });
    const other = new ChatTokenService({ secret, audience: 'other', issuer: 'candor', ttlSeconds: 900 });
    expect(await service.verify((await other.issue('demo-drop')).token)).toEqual({ status: 'invalid', reason: 'claims' });
    const forged = new ChatTokenService({ secret: new TextEncoder().encode('x'.repeat(32)), audience: 'candor-web-chat', issuer: 'candor', ttlSeconds: 900 });
    expect(await service.verify((await forged.issue('demo-drop')).token)).toEqual({ status: 'invalid', reason: 'signature' });
    expect(await service.verify('a.b.c')).toEqual({ status: 'invalid', reason: 'malformed' });
    expect(await service.verify('x'.repeat(5000))).toEqual({ status: 'invalid', reason: 'malformed' });
  });

  it('refuses a token issued more than five minutes ahead of this server, and accepts clock skew below that', async () => {
    const now = Math.floor(Date.now() / 1000);
    const sign = (iat: number) =>
      new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('demo-drop').setAudience('candor-web-chat').setIssuer('candor').setIssuedAt(iat).setExpirationTime(iat + 900).sign(secret);
    expect(await service.verify(await sign(now + 3600))).toEqual({ status: 'invalid', reason: 'issued_in_future' });
    expect(await service.verify(await sign(now + 301))).toEqual({ status: 'invalid', reason: 'issued_in_future' });
    expect((await service.verify(await sign(now + 240))).status).toBe('valid');
    // Checked against the time given, like the expiry.
    expect((await service.verify(await sign(now + 3600), new Date((now + 3500) * 1000))).status).toBe('valid');
  });

  it('refuses other algorithms and subjects that are not customer ids', async () => {
    const hs512 = await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setSubject('demo-drop').setAudience('candor-web-chat').setIssuer('candor').setExpirationTime('5m').sign(new Uint8Array(64).fill(1));
    expect((await service.verify(hs512)).status).toBe('invalid');
    const badSubject = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('a b').setAudience('candor-web-chat').setIssuer('candor').setExpirationTime('5m').sign(secret);
    expect(await service.verify(badSubject)).toEqual({ status: 'invalid', reason: 'subject' });
  });
});
