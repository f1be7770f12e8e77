import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Compares two secrets in constant time (hashing first, so their lengths do not leak either). */
export function isSameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Returns the token a request presents as `Authorization: Bearer …`, or (when allowed) as `?token=`. */
export function presentedToken(request: IncomingMessage, options: { allowQuery: boolean }): string | null {
  const header = request.headers.authorization ?? '';
  if (header.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  if (!options.allowQuery) return null;
  return new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
}

/** Returns true when the request presents the expected token. */
export function hasToken(request: IncomingMessage, expected: string, options: { allowQuery: boolean }): boolean {
  const given = presentedToken(request, options);
  return given !== null && given !== '' && isSameSecret(given, expected);
}
