import { describe, expect, it } from 'vitest';
import { createAliasReasonReferenceReader } from '../../src/nlu/alias-reason-reference-reader.js';

const reader = createAliasReasonReferenceReader({
  en: new Map([
    ['PAY_LATE_RECENT', ['late payment', 'paid late']],
    ['PAY_LATE_OTHERS', ['late payment', 'other lenders']],
    ['UTIL_HIGH', ['utilisation', 'utilization', 'using too much credit']],
    ['INQ_RECENT', ['applications', 'credit checks']],
  ]),
  'zh-CN': new Map([
    ['PAY_LATE_RECENT', ['逾期', '还款晚了']],
    ['INQ_RECENT', ['查询次数', '申请太多']],
  ]),
});

describe('createAliasReasonReferenceReader', () => {
  it.each([
    ['what about the second reason?', 2],
    ['and the 3rd one', 3],
    ['explain #2', 2],
    ['no. 4 pls', 4],
    ['reason 1?', 1],
    ['2', 2],
    ['(3)', 3],
    ['第二个具体是指什么', 2],
    ['第1条呢', 1],
    ['最主要的那个', 1],
  ])('reads "%s" as position %i', (text, position) => {
    expect(reader.read(text, text.match(/\p{Script=Han}/u) ? 'zh-CN' : 'en')).toEqual({ kind: 'position', position });
  });

  it.each([
    ['the last one?', 'en'],
    ['最后一个原因呢', 'zh-CN'],
  ] as const)('reads "%s" as the last reason', (text, locale) => {
    expect(reader.read(text, locale)).toEqual({ kind: 'last' });
  });

  it('reads what a reason is about from its aliases, longest and plural forms included, in the order mentioned', () => {
    expect(reader.read('what does the utilisation one mean', 'en')).toEqual({ kind: 'topic', codes: ['UTIL_HIGH'] });
    expect(reader.read('tell me more about the late payments', 'en')).toEqual({ kind: 'topic', codes: ['PAY_LATE_RECENT', 'PAY_LATE_OTHERS'] });
    expect(reader.read('credit checks and utilization?', 'en')).toEqual({ kind: 'topic', codes: ['INQ_RECENT', 'UTIL_HIGH'] });
    expect(reader.read('查询次数那个是什么意思', 'zh-CN')).toEqual({ kind: 'topic', codes: ['INQ_RECENT'] });
    // Mixed-language messages are read with both locales' aliases.
    expect(reader.read('那个 utilisation 是啥', 'zh-CN')).toEqual({ kind: 'topic', codes: ['UTIL_HIGH'] });
  });

  it('matches aliases as whole words in English', () => {
    expect(reader.read('my latest payment went through', 'en')).toEqual({ kind: 'unmatched' });
    expect(reader.read('reapplications', 'en')).toEqual({ kind: 'none' });
  });

  it('names no reason in an ordinary question, including amounts and numbers inside sentences', () => {
    for (const text of ['why did my limit drop', 'my limit was 10k now its 3k', 'what do I do now', '我的额度为什么降了']) {
      expect(reader.read(text, 'en'), text).toEqual({ kind: 'unmatched' });
    }
  });

  it('tells a bare "why?" (nothing named) from a question about something that is no reason\'s alias', () => {
    for (const text of ['why?', 'how come', 'but why tho', '为什么？', '为啥', '为什么啊', '12']) expect(reader.read(text, 'en'), text).toEqual({ kind: 'none' });
    for (const text of ['what is the weather thing about', '天气那个是什么意思']) expect(reader.read(text, 'en'), text).toEqual({ kind: 'unmatched' });
  });
});
