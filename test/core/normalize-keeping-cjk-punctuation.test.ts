import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeKeepingCjkPunctuation } from '../../src/core/normalize-keeping-cjk-punctuation.js';

describe('normalizeKeepingCjkPunctuation', () => {
  it('keeps Chinese punctuation as written', () => {
    const text = '你好，请问？太好了！备注：“很急”；（今天）、《说明》‘引用’３～５天……。';
    expect(normalizeKeepingCjkPunctuation(text)).toBe('你好，请问？太好了！备注：“很急”；（今天）、《说明》‘引用’3～5天……。');
  });

  it('folds everything else as NFKC does: full-width letters, digits, @, hyphens, dots and compatibility symbols', () => {
    expect(normalizeKeepingCjkPunctuation('ＡＢＣ １２３ ａ＠ｂ．ｃｏ １３８－００１３ ㎏ ﬁ')).toBe('ABC 123 a@b.co 138-0013 kg fi');
    expect(normalizeKeepingCjkPunctuation('＜!channel＞ ＆')).toBe('<!channel> &');
  });

  it('is idempotent, and equals NFKC on text without the kept punctuation', () => {
    const unit = fc.constantFrom(...'aZ09 ，？！：；（）～…。“”ＡＢ１２＠－．㎏\u0301e'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit, maxLength: 40 })), (text) => {
        const once = normalizeKeepingCjkPunctuation(text);
        expect(normalizeKeepingCjkPunctuation(once)).toBe(once);
        if (!/[\uFF01\uFF08\uFF09\uFF0C\uFF1A\uFF1B\uFF1F\uFF5E\u2026]/.test(text)) expect(once).toBe(text.normalize('NFKC'));
      }),
      { numRuns: 1000 },
    );
  });
});
