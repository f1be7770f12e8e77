import { pino, type Logger as PinoLogger } from 'pino';
import type { Logger, LogFields } from '../core/ports/logger.js';
import { redactPii } from '../core/redact-pii.js';
import { rememberResults } from '../runtime/remember-results.js';

/** Field paths pino blanks out wherever they appear: credentials and raw identifiers (a second net behind {@link sanitizeLogFields}). */
export const REDACTED_LOG_PATHS = [
  'token',
  'authorization',
  'password',
  'secret',
  'customerId',
  '*.token',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.customerId',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** Field names (case-insensitive) whose values are never written: secrets, credentials and personal identifiers. */
export const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set(
  [
    'token',
    'accessToken',
    'refreshToken',
    'idToken',
    'botToken',
    'appToken',
    'chatToken',
    'authorization',
    'cookie',
    'setCookie',
    'password',
    'secret',
    'clientSecret',
    'signingSecret',
    'apiKey',
    'privateKey',
    'key',
    'cert',
    'connectionString',
    'databaseUrl',
    'customerId',
    'customer_id',
    'sub',
    'idNumber',
    'residentId',
    'phone',
    'mobile',
    'email',
    'card',
    'cardNumber',
    'ssn',
    'displayName',
  ].map((name) => name.toLowerCase()),
);

/** Field names that hold what a customer typed: written (PII-redacted) at debug only, omitted above it. */
export const CUSTOMER_TEXT_FIELD_NAMES: ReadonlySet<string> = new Set(['text', 'utterance', 'transcript', 'customertext', 'body', 'payload']);

/** Credentials that can turn up inside free text (error messages, URLs): JWTs, Slack tokens, bearer values, URL passwords. */
const CREDENTIAL_PATTERNS: readonly [RegExp, string][] = [
  [/\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]{4,}/g, '[credential]'],
  [/\bx(?:ox[abposr]|app)-[\w-]{6,}/g, '[credential]'],
  [/\b(Bearer|Basic)\s+[\w.~+/=-]{8,}/gi, '$1 [credential]'],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, '$1[credential]@'],
];

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
const MAX_DEPTH = 6;

/** Removes credentials and personal data from free text: PII tags from the redactor, `[credential]` for tokens. */
export function redactLogText(text: string): string {
  let out = text;
  // Credentials first: the PII redactor's number rules could otherwise cut a token in two.
  for (const [pattern, replacement] of CREDENTIAL_PATTERNS) out = out.replace(pattern, replacement);
  return redactPii(out);
}

/**
 * Makes log fields safe to write: secret and identifier fields become `[redacted]`, customer text is
 * kept (redacted) only at debug, every other string is PII- and credential-redacted, and errors keep
 * their type, code and redacted message and stack.
 */
export function sanitizeLogFields(fields: LogFields, level: keyof typeof LEVELS, redactText: (text: string) => string = redactLogText): LogFields {
  // Most lines are flat (ids, names, numbers), so the cycle guard is only made for a nested object.
  const pass: SanitizePass = { isDebug: LEVELS[level] <= LEVELS.debug, redactText, seen: null };
  return cleanLogValue(fields, 0, pass) as LogFields;
}

/** The settings of one sanitising pass; the walk is a top-level function, so no closure is made per line. */
interface SanitizePass {
  isDebug: boolean;
  redactText: (text: string) => string;
  seen: WeakSet<object> | null;
}

function cleanLogValue(value: unknown, depth: number, pass: SanitizePass): unknown {
  if (typeof value === 'string') return pass.redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > MAX_DEPTH) return '[…]';
  if (depth > 0) {
    pass.seen ??= new WeakSet<object>();
    if (pass.seen.has(value)) return '[…]';
    pass.seen.add(value);
  }
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    const cause = (value as { cause?: unknown }).cause;
    return {
      type: value.name,
      message: pass.redactText(value.message),
      ...(code === undefined ? {} : { code: cleanLogValue(code, depth + 1, pass) }),
      ...(value.stack === undefined ? {} : { stack: pass.redactText(value.stack) }),
      ...(cause === undefined ? {} : { cause: cleanLogValue(cause, depth + 1, pass) }),
    };
  }
  if (Array.isArray(value)) return value.map((item) => cleanLogValue(item, depth + 1, pass));
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    const name = key.toLowerCase();
    if (SECRET_FIELD_NAMES.has(name)) out[key] = item === null || item === undefined ? item : '[redacted]';
    else if (CUSTOMER_TEXT_FIELD_NAMES.has(name)) out[key] = pass.isDebug ? cleanLogValue(item, depth + 1, pass) : item === null || item === undefined ? item : '[omitted]';
    else out[key] = cleanLogValue(item, depth + 1, pass);
  }
  return out;
}

/** Builds the structured JSON logger, with secrets and personal data redacted before a line is written. */
export function createPinoLogger(options: { level: string; destination?: NodeJS.WritableStream }): Logger & { pino: PinoLogger } {
  const settings = {
    level: options.level,
    base: { service: 'candor' },
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: isoTimeOncePerMillisecond,
  };
  const destination = toDestination(options.destination ?? process.stdout);
  // Lines written through `log` are sanitised first, which blanks every REDACTED_LOG_PATHS field at any
  // depth, so pino's own path redaction (a tenth of a turn line's cost) is kept only on the raw pino
  // handed out for direct use, where it is the only net.
  const sanitized = pino(settings, destination);
  const raw = pino({ ...settings, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } }, destination);
  const redactText = rememberRedactions(redactLogText);
  const write = (level: 'debug' | 'info' | 'warn' | 'error') =>
    function log(fields: LogFields, message: string): void {
      if (!sanitized.isLevelEnabled(level)) return;
      sanitized[level](sanitizeLogFields(fields, level, redactText), redactText(message));
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), pino: raw };
}

let lastTimeMs = -1;
let lastTimeField = '';

/**
 * pino's ISO time field, formatted once per millisecond: a busy server writes several lines in each,
 * and `toISOString` was a twentieth of a line's cost.
 */
function isoTimeOncePerMillisecond(): string {
  const now = Date.now();
  if (now !== lastTimeMs) {
    lastTimeMs = now;
    lastTimeField = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTimeField;
}

/** Short strings redacted at most this many at a time per logger (about 100 bytes each). */
const MAX_REMEMBERED_REDACTIONS = 8192;
/** Longer strings (messages, stacks) are redacted every time. */
const MAX_REMEMBERED_LENGTH = 128;

/**
 * Redaction is pure, and most logged strings repeat (conversation ids on every turn line, intents,
 * actions, states, messages), yet each one ran four credential patterns and the PII redactor: a bounded
 * memo of short strings gives the same output for a map lookup.
 */
function rememberRedactions(redact: (text: string) => string): (text: string) => string {
  const redactShort = rememberResults(redact, MAX_REMEMBERED_REDACTIONS);
  return (text) => (text.length > MAX_REMEMBERED_LENGTH ? redact(text) : redactShort(text));
}

/**
 * The process's own stdout and stderr are written through pino's asynchronous destination: a line
 * is never delayed (minLength 0), but lines logged while a write is in flight go out together in
 * the next write instead of one blocking write each (pino flushes them on exit). Any other stream
 * (a test's, a file's) is used as given.
 */
function toDestination(destination: NodeJS.WritableStream): NodeJS.WritableStream | ReturnType<typeof pino.destination> {
  if (destination === process.stderr) return pino.destination({ dest: 2, sync: false, minLength: 0, maxWrite: MAX_LOG_WRITE_BYTES });
  if (destination === process.stdout) return pino.destination({ dest: 1, sync: false, minLength: 0, maxWrite: MAX_LOG_WRITE_BYTES });
  return destination;
}

/**
 * Lines queued while a write is in flight are appended to a chunk of at most this many bytes. sonic-boom
 * measures the chunk's byte length on every line, which copies the whole chunk: with its 16 KB default
 * that copying was a sixth of all memory a busy server allocated; 2 KB keeps it small, and a backlog
 * still leaves in one write per few lines.
 */
const MAX_LOG_WRITE_BYTES = 2048;
