import type { Locale } from '../core/locale.js';
import type { ReasonReference, ReasonReferenceReader } from '../core/ports/reason-reference-reader.js';
import { rememberResults } from '../runtime/remember-results.js';
import { normalizeUtterance } from './tokenize-utterance.js';

/** Each reason code's aliases (the words customers use for it) in one locale, from content. */
export type ReasonAliases = ReadonlyMap<string, readonly string[]>;

const EN_ORDINALS: ReadonlyArray<readonly [number, RegExp]> = [
  [1, /\b(?:first|1st|top|main|biggest)\b/],
  [2, /\b(?:second|2nd)\b/],
  [3, /\b(?:third|3rd)\b/],
  [4, /\b(?:fourth|forth|4th)\b/],
  [5, /\b(?:fifth|5th)\b/],
  [6, /\b(?:sixth|6th)\b/],
];
/** "#2", "no. 2", "number 2", "reason 2", "option 2", "point 2": a digit that names a position. */
const EN_NUMBERED = /(?:#|\bno\.?\s*|\bnumber\s*|\breason\s*|\boption\s*|\bpoint\s*|\bitem\s*)([1-9])\b/;
const EN_LAST = /\b(?:last|final|bottom)\b/;

const ZH_DIGITS: Readonly<Record<string, number>> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6 };
/** 第二个, 第2条, 第三点: an explicit ordinal. */
const ZH_ORDINAL = /第\s*([一二两三四五六1-6])/;
const ZH_FIRST = /(?:头一个|首要|最主要|最重要)/;
const ZH_LAST = /(?:最后|末尾|最末)/;

/** A message that is only a number ("2", "2.", "(2)"), as a reply to a numbered list. */
const BARE_NUMBER = /^[(（]?\s*([1-9])\s*[).）.、]?$/;

/**
 * Creates the reader that resolves "the second one", "the last reason", "#3", "第二个" and "最后一个" to a
 * position, and "the utilisation one" or "查询次数那个" to the reasons whose content aliases it mentions.
 */
export function createAliasReasonReferenceReader(aliases: Readonly<Record<Locale, ReasonAliases>>): ReasonReferenceReader {
  const matchers = {
    en: aliasMatchers(aliases.en, true),
    'zh-CN': aliasMatchers(aliases['zh-CN'], false),
  } satisfies Record<Locale, AliasMatcher[]>;

  function readReference(key: string): ReasonReference {
    const locale: Locale = key.startsWith('en\u0000') ? 'en' : 'zh-CN';
    const normalized = normalizeUtterance(key.slice(key.indexOf('\u0000') + 1));
    const bare = BARE_NUMBER.exec(normalized);
    if (bare?.[1]) return { kind: 'position', position: Number(bare[1]) };
    // Mixed-language messages are common ("第二个 reason"), so both locales' words are read.
    const byPosition = readPosition(normalized);
    if (byPosition.kind !== 'none') return byPosition;
    const codes = mentionedCodes(normalized, [...matchers[locale], ...matchers[locale === 'en' ? 'zh-CN' : 'en']]);
    if (codes.length > 0) return { kind: 'topic', codes };
    return isBare(normalized) ? { kind: 'none' } : { kind: 'unmatched' };
  }
  // Follow-ups and quick replies recur word for word ("why?", "2", "the last one"): each is read once.
  const remembered = rememberResults((key: string) => deepFreezeReference(readReference(key)), MAX_REMEMBERED_READS);
  return {
    read(text: string, locale: Locale): ReasonReference {
      return remembered(`${locale}\u0000${text}`);
    },
  };
}

/** A remembered reading is shared by every caller, so none may change it. */
function deepFreezeReference(reference: ReasonReference): ReasonReference {
  if (reference.kind === 'topic') Object.freeze(reference.codes);
  return Object.freeze(reference);
}

/** Texts whose reading is remembered, per reader. */
const MAX_REMEMBERED_READS = 4096;

/** A message too short to name anything: at most three words, or four Han characters ("why tho", "为什么啊"). */
function isBare(text: string): boolean {
  const words = text.match(/[\p{L}\p{N}]+/gu)?.filter((word) => !/\p{Script=Han}/u.test(word)) ?? [];
  const han = text.match(/\p{Script=Han}/gu) ?? [];
  return words.length <= 3 && han.length <= 4;
}

function readPosition(text: string): ReasonReference {
  const zh = ZH_ORDINAL.exec(text);
  if (zh?.[1]) return { kind: 'position', position: ZH_DIGITS[zh[1]] ?? 1 };
  if (ZH_LAST.test(text)) return { kind: 'last' };
  if (ZH_FIRST.test(text)) return { kind: 'position', position: 1 };
  const numbered = EN_NUMBERED.exec(text);
  if (numbered?.[1]) return { kind: 'position', position: Number(numbered[1]) };
  for (const [position, pattern] of EN_ORDINALS) if (pattern.test(text)) return { kind: 'position', position };
  if (EN_LAST.test(text)) return { kind: 'last' };
  return { kind: 'none' };
}

interface AliasMatcher {
  code: string;
  pattern: RegExp;
}

function aliasMatchers(aliases: ReasonAliases, wordBounded: boolean): AliasMatcher[] {
  const matchers: AliasMatcher[] = [];
  for (const [code, list] of aliases) {
    // Longer aliases first, so "late payments" wins its position over "late".
    const alternatives = [...list].map((alias) => normalizeUtterance(alias)).sort((a, b) => b.length - a.length).map(escapeRegExp);
    if (alternatives.length === 0) continue;
    const body = alternatives.join('|');
    matchers.push({ code, pattern: new RegExp(wordBounded ? `(?<![\\p{L}\\p{N}])(?:${body})(?:s|es)?(?![\\p{L}\\p{N}])` : `(?:${body})`, 'u') });
  }
  return matchers;
}

function mentionedCodes(text: string, matchers: readonly AliasMatcher[]): string[] {
  const found: { code: string; at: number }[] = [];
  for (const { code, pattern } of matchers) {
    const match = pattern.exec(text);
    if (match && !found.some((entry) => entry.code === code)) found.push({ code, at: match.index });
  }
  return found.sort((a, b) => a.at - b.at).map((entry) => entry.code);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
