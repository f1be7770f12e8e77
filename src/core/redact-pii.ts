import { normalizeKeepingCjkPunctuation } from './normalize-keeping-cjk-punctuation.js';

/** The kinds of personal data Candor removes from text before it is stored or leaves the server. */
export type PiiKind = 'id' | 'phone' | 'card' | 'email' | 'ssn' | 'secret';

/** One piece of personal data found in normalised text: its kind and its `[start, end)` offsets. */
export interface PiiSpan {
  kind: PiiKind;
  start: number;
  end: number;
}

/** The normalised text and the spans of personal data in it, in text order and never overlapping. */
export interface PiiFindings {
  normalized: string;
  spans: PiiSpan[];
}

/** The tag that replaces each kind of personal data. */
export const PII_TAGS: Readonly<Record<PiiKind, string>> = {
  id: '[ID]',
  phone: '[PHONE]',
  card: '[CARD]',
  email: '[EMAIL]',
  ssn: '[SSN]',
  secret: '[SECRET]',
};

/** Credentials customers paste by mistake: JSON web tokens, Slack tokens and bearer tokens. */
const SECRET = /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*|\bx(?:ox[abeprs]|app)-[A-Za-z0-9-]{10,}|\bBearer\s+[A-Za-z0-9._~+/=-]{16,}/g;

const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;

/** A decimal digit of any script other than ASCII (Arabic-Indic, Devanagari, Thai, …); NFKC already folds full-width ones. */
const NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/gu;
const HAS_NON_ASCII_DIGIT = /(?![0-9])\p{Nd}/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;

/** What people put between the digits of one number: a few spaces, tabs, dashes or dots (never a newline). */
const NUMBER_GAP = /^[ \t\-\u2010-\u2015\u2212.\u00B7]{1,3}$/;

const EMAIL = /[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}/g;

/** A maximal run of ASCII digits, with a trailing X kept apart (it can only end a resident ID). */
const DIGIT_GROUP = /\d+([Xx](?![A-Za-z0-9]))?/g;

const MOBILE = /^(?:(?:00)?86)?1[3-9]\d{9}$/;

/** The longest digit string any detector accepts (a 19-digit card). */
const MAX_DIGITS = 19;

/** A run of this many digits (up to {@link MAX_DIGITS}) is treated as a card number whether or not it passes Luhn. */
const MIN_ANY_CARD_DIGITS = 16;

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK_CHARS = '10X98765432';

interface DigitGroup {
  digits: string;
  start: number;
  /** End of the digits, before any trailing X. */
  end: number;
  hasX: boolean;
  /** Set when the group is the year, month or day of a date written with separators. */
  isDatePart: boolean;
}

/**
 * NFKC-normalises text (full-width digits and letters become ASCII) except Chinese punctuation, which
 * stays as written; writes every Unicode decimal digit as its ASCII digit and removes zero-width characters.
 */
export function normalizeForPii(text: string): string {
  const folded = normalizeKeepingCjkPunctuation(text).replace(ZERO_WIDTH, '');
  return HAS_NON_ASCII_DIGIT.test(folded) ? folded.replace(NON_ASCII_DIGIT, toAsciiDigit) : folded;
}

/**
 * Unicode encodes every script's decimal digits as runs of whole 0–9 blocks, so a digit's value is
 * its distance from the start of its run, modulo ten.
 */
function toAsciiDigit(digit: string): string {
  let codePoint = digit.codePointAt(0)!;
  let value = 0;
  while (codePoint > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(codePoint - 1))) {
    codePoint -= 1;
    value += 1;
  }
  return String(value % 10);
}

/** Returns true when an 18-character Chinese resident ID has a real birth date and a valid ISO 7064 MOD 11-2 check character. */
export function isValidResidentId(id: string): boolean {
  if (!/^[1-9]\d{16}[\dXx]$/.test(id)) return false;
  if (!isValidDate(Number(id.slice(6, 10)), Number(id.slice(10, 12)), Number(id.slice(12, 14)))) return false;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(id[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK_CHARS[sum % 11] === id[17]!.toUpperCase();
}

/** Returns true when a digit string passes the Luhn check used by payment cards. */
export function passesLuhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Returns true when three digit strings form a US SSN outside the never-issued ranges (area 000, 666, 9xx; group 00; serial 0000). */
export function isValidSsn(area: string, group: string, serial: string): boolean {
  if (!/^\d{3}$/.test(area) || !/^\d{2}$/.test(group) || !/^\d{4}$/.test(serial)) return false;
  return area !== '000' && area !== '666' && !area.startsWith('9') && group !== '00' && serial !== '0000';
}

/** Finds resident IDs, mobile numbers, card numbers, e-mail addresses, SSNs and pasted credentials in the normalised form of `text`. */
export function findPii(text: string): PiiFindings {
  const normalized = normalizeForPii(text);
  const spans: PiiSpan[] = [];
  for (const match of normalized.matchAll(SECRET)) {
    spans.push({ kind: 'secret', start: match.index, end: match.index + match[0].length });
  }
  for (const match of normalized.matchAll(EMAIL)) {
    if (spans.some((span) => match.index < span.end && span.start < match.index + match[0].length)) continue;
    spans.push({ kind: 'email', start: match.index, end: match.index + match[0].length });
  }
  const groups = digitGroupsOutside(normalized, spans);
  let i = 0;
  while (i < groups.length) {
    const found = bestNumberAt(normalized, groups, i);
    if (found) {
      spans.push(found.span);
      i = found.lastGroup + 1;
    } else {
      i += 1;
    }
  }
  spans.sort((a, b) => a.start - b.start);
  return { normalized, spans };
}

/** Returns the text, normalised, with every piece of personal data replaced by a tag such as `[PHONE]`; applying it twice changes nothing. */
export function redactPii(text: string): string {
  const { normalized, spans } = findPii(text);
  let out = '';
  let cursor = 0;
  for (const span of spans) {
    out += normalized.slice(cursor, span.start) + PII_TAGS[span.kind];
    cursor = span.end;
  }
  return out + normalized.slice(cursor);
}

function digitGroupsOutside(text: string, taken: readonly PiiSpan[]): DigitGroup[] {
  const groups: DigitGroup[] = [];
  for (const match of text.matchAll(DIGIT_GROUP)) {
    const start = match.index;
    const hasX = match[1] !== undefined;
    const end = start + match[0].length - (hasX ? 1 : 0);
    if (taken.some((span) => start < span.end && end > span.start)) continue;
    groups.push({ digits: text.slice(start, end), start, end, hasX, isDatePart: false });
  }
  markDateGroups(text, groups);
  return groups;
}

/**
 * Joins consecutive digit groups separated only by a short gap of spaces or dashes, and keeps the
 * longest join that some detector accepts, so `138 0013 8000` and `4111-1111-1111-1111` are found
 * whole and no digits of a card are left behind.
 */
function bestNumberAt(text: string, groups: readonly DigitGroup[], first: number): { span: PiiSpan; lastGroup: number } | null {
  let best: { span: PiiSpan; lastGroup: number } | null = null;
  let digits = '';
  for (let last = first; last < groups.length; last += 1) {
    const group = groups[last]!;
    if (last > first) {
      const previous = groups[last - 1]!;
      if (previous.hasX || !NUMBER_GAP.test(text.slice(previous.end, group.start))) break;
    }
    digits += group.digits;
    if (digits.length > MAX_DIGITS) break;
    const parts = groups.slice(first, last + 1);
    const kind = classifyNumber(digits, group.hasX, parts);
    if (kind === null) continue;
    const start = kind === 'phone' && text[parts[0]!.start - 1] === '+' ? parts[0]!.start - 1 : parts[0]!.start;
    const end = kind === 'id' && group.hasX ? group.end + 1 : group.end;
    // An unbroken run of 16–19 digits is a card even glued to `.00`; shorter numbers there are amounts.
    const isLongRun = parts.length === 1 && digits.length >= MIN_ANY_CARD_DIGITS;
    if (!isLongRun && isInsideFormattedNumber(text, start, end)) continue;
    best = { span: { kind, start, end }, lastGroup: last };
  }
  return best;
}

function classifyNumber(digits: string, endsWithX: boolean, parts: readonly DigitGroup[]): PiiKind | null {
  if (endsWithX && digits.length === 17 && isValidResidentId(`${digits}X`)) return 'id';
  if (!endsWithX && digits.length === 18 && isValidResidentId(digits)) return 'id';
  if (MOBILE.test(digits)) return 'phone';
  if (parts.length === 3 && isValidSsn(parts[0]!.digits, parts[1]!.digits, parts[2]!.digits)) return 'ssn';
  if (parts.some((part) => part.isDatePart)) return null;
  // 16–19 digits are redacted as a card, Luhn or not (a mistyped card is still a card), unless they are written as thousands.
  if (digits.length >= MIN_ANY_CARD_DIGITS && (parts.length === 1 || !looksLikeThousands(parts))) return 'card';
  // Shorter card numbers must pass Luhn; none starts with 0 (ISO/IEC 7812), which also keeps runs of zeros out.
  const isCardShaped = digits.length >= 12 && digits[0] !== '0' && !looksLikeThousands(parts);
  if (isCardShaped && passesLuhn(digits)) return 'card';
  return null;
}

/** A number glued to `.5` or `,000` is an amount or a version, not an identifier. */
function isInsideFormattedNumber(text: string, start: number, end: number): boolean {
  const before = /[.,]/.test(text[start - 1] ?? '') && /\d/.test(text[start - 2] ?? '');
  const after = /[.,]/.test(text[end] ?? '') && /\d/.test(text[end + 1] ?? '');
  return before || after;
}

/** Thousands groups (`1 234 567 890 123`) are an amount, however well they pass Luhn. */
function looksLikeThousands(parts: readonly DigitGroup[]): boolean {
  if (parts.length < 2) return false;
  return parts[0]!.digits.length <= 3 && parts.slice(1).every((part) => part.digits.length === 3);
}

/** Marks groups that form a date with their neighbours (`2024-01-15`, `15-01-2024`), which a card must not swallow. */
function markDateGroups(text: string, groups: DigitGroup[]): void {
  for (let i = 0; i + 2 < groups.length; i += 1) {
    const [a, b, c] = [groups[i]!, groups[i + 1]!, groups[i + 2]!];
    if (a.hasX || b.hasX) continue;
    if (!NUMBER_GAP.test(text.slice(a.end, b.start)) || !NUMBER_GAP.test(text.slice(b.end, c.start))) continue;
    const [x, y, z] = [a.digits, b.digits, c.digits];
    const yearFirst = x.length === 4 && y.length <= 2 && z.length <= 2 && isValidDate(Number(x), Number(y), Number(z));
    const yearLast =
      z.length === 4 &&
      x.length <= 2 &&
      y.length <= 2 &&
      (isValidDate(Number(z), Number(y), Number(x)) || isValidDate(Number(z), Number(x), Number(y)));
    if (yearFirst || yearLast) a.isDatePart = b.isDatePart = c.isDatePart = true;
  }
}

function isValidDate(year: number, month: number, day: number): boolean {
  if (year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
