import { SignJWT, jwtVerify } from 'jose';

/** Customer ids a token may name: the engine's ids, never anything that could break a conversation id. */
const CUSTOMER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** How far ahead of this server's clock a token's `iat` may be (clock skew between the issuer and us), in seconds. */
export const MAX_ISSUED_AHEAD_SECONDS = 300;

/** The outcome of checking a chat token; failures are values, not exceptions. */
export type TokenCheck =
  | { status: 'valid'; customerId: string; /** When the token expires (ms since the epoch): the socket is closed then. */ expiresAtMs: number }
  | { status: 'invalid'; reason: 'malformed' | 'expired' | 'claims' | 'signature' | 'subject' | 'issued_in_future' };

/** What a token service needs: the HS256 secret, the claims to require and the lifetime of issued tokens. */
export interface ChatTokenSettings {
  secret: Uint8Array;
  audience: string;
  issuer: string;
  ttlSeconds: number;
}

/** Issues and verifies the short-lived HS256 tokens that carry a web chat customer's identity. */
export class ChatTokenService {
  private readonly settings: ChatTokenSettings;

  constructor(settings: ChatTokenSettings) {
    this.settings = settings;
  }

  /** Signs a token whose subject is the customer id. */
  async issue(customerId: string, now: Date = new Date()): Promise<{ token: string; expiresAt: string }> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = issuedAt + this.settings.ttlSeconds;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(customerId)
      .setAudience(this.settings.audience)
      .setIssuer(this.settings.issuer)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.settings.secret);
    return { token, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }

  /**
   * Checks signature, algorithm, audience, issuer, expiry and that it was not issued more than five
   * minutes in the future, and returns the customer id and the expiry.
   */
  async verify(token: string, now: Date = new Date()): Promise<TokenCheck> {
    if (token.length > 4096) return { status: 'invalid', reason: 'malformed' };
    try {
      const { payload } = await jwtVerify(token, this.settings.secret, {
        algorithms: ['HS256'],
        audience: this.settings.audience,
        issuer: this.settings.issuer,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: 5,
        currentDate: now,
      });
      const subject = payload.sub;
      if (typeof subject !== 'string' || !CUSTOMER_ID_PATTERN.test(subject)) return { status: 'invalid', reason: 'subject' };
      // jose checks `iat` only against a maximum age; a token "issued" an hour from now would otherwise pass.
      if (payload.iat !== undefined && payload.iat > now.getTime() / 1000 + MAX_ISSUED_AHEAD_SECONDS) return { status: 'invalid', reason: 'issued_in_future' };
      return { status: 'valid', customerId: subject, expiresAtMs: (payload.exp as number) * 1000 };
    } catch (error) {
      return { status: 'invalid', reason: classifyJoseError(error) };
    }
  }
}

/** Maps jose's error codes to our reasons without matching on messages. */
function classifyJoseError(error: unknown): 'malformed' | 'expired' | 'claims' | 'signature' {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'ERR_JWT_EXPIRED') return 'expired';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') return 'claims';
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JOSE_ALG_NOT_ALLOWED') return 'signature';
  return 'malformed';
}
