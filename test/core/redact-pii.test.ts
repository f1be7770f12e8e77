import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeKeepingCjkPunctuation } from '../../src/core/normalize-keeping-cjk-punctuation.js';
import { findPii, isValidResidentId, isValidSsn, passesLuhn, redactPii } from '../../src/core/redact-pii.js';

/** Computes an ID's check character independently of the module under test (GB 11643-1999). */
function residentIdCheck(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((acc, digit, i) => acc + Number(digit) * weights[i]!, 0);
  return '10X98765432'[sum % 11]!;
}

/** Appends the Luhn check digit to a digit string. */
function withLuhnDigit(body: string): string {
  for (let check = 0; check <= 9; check += 1) {
    const candidate = `${body}${check}`;
    let sum = 0;
    [...candidate].reverse().forEach((char, i) => {
      let digit = Number(char);
      if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
      sum += digit;
    });
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}

const toFullWidth = (text: string): string => text.replace(/[0-9A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

describe('redactPii: Chinese resident IDs', () => {
  const valid = '11010519491231002X';

  it('redacts a valid ID, with an upper- or lower-case X, and one ending in a digit', () => {
    const digitEnding = `44030819900101123${residentIdCheck('44030819900101123')}`;
    expect(residentIdCheck('11010519491231002')).toBe('X');
    expect(redactPii(`身份证号 ${valid} 谢谢`)).toBe('身份证号 [ID] 谢谢');
    expect(redactPii(`id ${valid.toLowerCase()}.`)).toBe('id [ID].');
    expect(redactPii(`我的身份证${digitEnding}`)).toBe('我的身份证[ID]');
  });

  it('redacts an ID written in groups, in full-width characters, or with zero-width characters inside', () => {
    expect(redactPii('110105 19491231 002X')).toBe('[ID]');
    expect(redactPii('110105-19491231-002X')).toBe('[ID]');
    expect(redactPii(toFullWidth(valid))).toBe('[ID]');
    expect(redactPii('1101\u200B0519\u200C4912\u200D3100\u20602\uFEFFX')).toBe('[ID]');
  });

  it('does not take an 18-digit number with a wrong check character or an impossible birth date for an ID (it is still redacted, as a card)', () => {
    const badCheck = '110105194912310021';
    expect(isValidResidentId(badCheck)).toBe(false);
    expect(passesLuhn(badCheck)).toBe(false);
    expect(redactPii(`no ${badCheck}`)).toBe('no [CARD]');
    const feb30 = `11010519490230001${residentIdCheck('11010519490230001')}`;
    expect(isValidResidentId(feb30)).toBe(false);
    const month13 = `11010519491331002${residentIdCheck('11010519491331002')}`;
    expect(isValidResidentId(month13)).toBe(false);
    expect(isValidResidentId(`01010519491231002${residentIdCheck('01010519491231002')}`)).toBe(false);
    expect(isValidResidentId(valid)).toBe(true);
  });
});

describe('redactPii: mobile numbers', () => {
  it.each([
    ['13800138000', '[PHONE]'],
    ['call 138 0013 8000 today', 'call [PHONE] today'],
    ['call 138-0013-8000', 'call [PHONE]'],
    ['+86 138 0013 8000', '[PHONE]'],
    ['+8613800138000', '[PHONE]'],
    ['86-199-1234-5678', '[PHONE]'],
    // Chinese punctuation stays as written around the redaction.
    ['我的手机号是15912345678，谢谢', '我的手机号是[PHONE]，谢谢'],
    ['电话：１３８－００１３－８０００！', '电话：[PHONE]！'],
    ['１３８００１３８０００', '[PHONE]'],
    ['138\u200B0013\u200B8000', '[PHONE]'],
    ['13800138000x', '[PHONE]x'],
    ['call 139.1234.5678', 'call [PHONE]'],
    ['+86.139.1234.5678', '[PHONE]'],
    ['139·1234·5678', '[PHONE]'],
    ['139 - 1234 - 5678', '[PHONE]'],
  ])('%s → %s', (input, expected) => {
    expect(redactPii(input)).toBe(expected);
  });

  it('leaves numbers that are not mainland mobiles', () => {
    expect(passesLuhn('238001380002')).toBe(false);
    for (const text of ['12800138000', '1380013800', '238001380002', 'order 10012345678 9']) {
      expect(redactPii(text)).toBe(text);
    }
  });
});

describe('redactPii: bank cards', () => {
  it('redacts 12 to 19 digit numbers that pass Luhn, with spaces or dashes', () => {
    expect(redactPii('card 4111111111111111')).toBe('card [CARD]');
    expect(redactPii('card 4111 1111 1111 1111, thanks')).toBe('card [CARD], thanks');
    expect(redactPii('4111-1111-1111-1111')).toBe('[CARD]');
    expect(redactPii('银行卡 6222 0212 3456 7890 128')).toBe('银行卡 [CARD]');
    expect(redactPii('amex 3782 822463 10005')).toBe('amex [CARD]');
    expect(redactPii(toFullWidth('4111 1111 1111 1111'))).toBe('[CARD]');
    expect(redactPii('4111\u200B1111\u200B1111\u200B1111')).toBe('[CARD]');
    const twelve = withLuhnDigit('41234567890');
    expect(redactPii(twelve)).toBe('[CARD]');
  });

  it('redacts cards written with dots', () => {
    expect(redactPii('card 4111.1111.1111.1111 ok')).toBe('card [CARD] ok');
    expect(redactPii('6222.0212.3456.7890.128')).toBe('[CARD]');
  });

  it('redacts any run of 16 to 19 digits, Luhn or not, however it is separated', () => {
    expect(passesLuhn('6212260200012345671')).toBe(false);
    expect(redactPii('卡号6212260200012345671')).toBe('卡号[CARD]');
    expect(passesLuhn('4111111111111112')).toBe(false);
    expect(redactPii('4111 1111 1111 1112')).toBe('[CARD]');
    expect(redactPii('6212-2602-0001-2345-671')).toBe('[CARD]');
    expect(redactPii('6212.2602.0001.2345.671')).toBe('[CARD]');
    expect(redactPii('total 4111111111111111.00')).toBe('total [CARD]');
    expect(redactPii('000000000000000000')).toBe('[CARD]');
  });

  it('leaves shorter numbers that fail Luhn, and runs longer than any card (transaction references)', () => {
    for (const text of [withLuhnDigit('4123456789'), '412345678901234', withLuhnDigit('41234567890123456789'), 'trade no 2024031522001412345678901234']) {
      expect(redactPii(text)).toBe(text);
    }
  });
});

/** The zero of every script's decimal digits, from the Unicode data the runtime knows (NFKC folds none of these). */
const DIGIT_ZEROS: number[] = [];
for (let codePoint = 0x80; codePoint < 0x110000; codePoint += 1) {
  const char = String.fromCodePoint(codePoint);
  if (/\p{Nd}/u.test(char) && !/\p{Nd}/u.test(String.fromCodePoint(codePoint - 1))) {
    for (let zero = codePoint; /\p{Nd}/u.test(String.fromCodePoint(zero)); zero += 10) DIGIT_ZEROS.push(zero);
  }
}

/** Writes ASCII digits in the script whose zero is at `zero`. */
const inScript = (text: string, zero: number): string => text.replace(/[0-9]/g, (digit) => String.fromCodePoint(zero + Number(digit)));

describe('redactPii: digits of every script', () => {
  it.each([
    ['Arabic-Indic', 0x0660],
    ['Extended Arabic-Indic', 0x06f0],
    ['Devanagari', 0x0966],
    ['Bengali', 0x09e6],
    ['Thai', 0x0e50],
    ['Myanmar', 0x1040],
    ['Mathematical bold', 0x1d7ce],
    ['Adlam', 0x1e950],
  ])('redacts a mobile, a card and an ID written in %s digits', (_script, zero) => {
    expect(redactPii(`call ${inScript('139 1234 5678', zero)}`)).toBe('call [PHONE]');
    expect(redactPii(inScript('6212260200012345671', zero))).toBe('[CARD]');
    expect(redactPii(`${inScript('11010519491231002', zero)}X`)).toBe('[ID]');
  });

  it('writes every digit as ASCII, so nothing unredacted is left in another script', () => {
    expect(DIGIT_ZEROS.length).toBeGreaterThan(50);
    expect(redactPii('رقمي ٠١٢٣٤٥٦٧٨٩ تمام')).toBe('رقمي 0123456789 تمام');
  });
});

describe('redactPii: e-mail and SSN', () => {
  it('redacts e-mail addresses, including numeric QQ addresses', () => {
    expect(redactPii('mail me at li.wei+candor@example.com.cn please')).toBe('mail me at [EMAIL] please');
    expect(redactPii('邮箱13800138000@qq.com谢谢')).toBe('邮箱[EMAIL]谢谢');
  });

  it('redacts valid SSNs and leaves the never-issued ranges', () => {
    expect(redactPii('SSN 123-45-6789')).toBe('SSN [SSN]');
    expect(redactPii('SSN 123 45 6789')).toBe('SSN [SSN]');
    expect(redactPii('ssn ５２３－４５－６７８９')).toBe('ssn [SSN]');
    for (const invalid of ['000-45-6789', '666-45-6789', '900-45-6789', '999-45-6789', '123-00-6789', '123-45-0000']) {
      expect(redactPii(`SSN ${invalid}`)).toBe(`SSN ${invalid}`);
    }
    expect(isValidSsn('899', '99', '9999')).toBe(true);
  });
});

describe('redactPii: no false positives', () => {
  it.each([
    'Your limit dropped from 20,000 CNY to 5,000 CNY on 2024-03-15.',
    '额度从 20000 元降到 5000 元，日期 2024-03-15 10:30',
    'between 2024-01-15 2024-02-15 and 2000-01-01 2000-01-01',
    '15-01-2024 - 15-02-2024',
    'a transfer of 1 234 567 890 123 456 CNY',
    'amount 4111111111.00 and 0.411111111111',
    'on 2024.03.15 at 10.30, from 192.168.100.200',
    'decision D-2024-0001, reasons 3 and 4, review in 30 days',
    'version 1.13800138000',
  ])('leaves %s unchanged (apart from NFKC)', (text) => {
    expect(redactPii(text)).toBe(normalizeKeepingCjkPunctuation(text));
  });
});

describe('redactPii: Chinese punctuation', () => {
  it('keeps ，。？！：；“”（）～… as written, and still folds full-width letters and digits', () => {
    const text = '你好，我的额度为什么降了？请尽快处理！备注：“很急”；（今天）３～５天……ＯＫ。';
    expect(redactPii(text)).toBe('你好，我的额度为什么降了？请尽快处理！备注：“很急”；（今天）3～5天……OK。');
  });
});

describe('findPii', () => {
  it('reports kinds and spans in the normalised text, in order', () => {
    const { normalized, spans } = findPii('a@b.co ｜ 13800138000 ｜ 11010519491231002X');
    expect(spans.map((span) => span.kind)).toEqual(['email', 'phone', 'id']);
    expect(spans.map((span) => normalized.slice(span.start, span.end))).toEqual(['a@b.co', '13800138000', '11010519491231002X']);
  });
});

describe('redactPii properties', () => {
  const noisyChar = fc.constantFrom(
    ...'0123456789 -+@.,xX[]abcZ中文，？！：０１２３４５６７８９－\u200B\u200C\u200D\u2060\uFEFF\u3000'.split(''),
  );
  const noisyText = fc.oneof(fc.string(), fc.string({ unit: noisyChar, maxLength: 60 }));

  it('is idempotent', () => {
    fc.assert(
      fc.property(noisyText, (text) => {
        const once = redactPii(text);
        expect(redactPii(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('never leaves zero-width characters or full-width digits', () => {
    fc.assert(
      fc.property(noisyText, (text) => {
        expect(redactPii(text)).not.toMatch(/[\u200B-\u200D\u2060\uFEFF\uFF10-\uFF19]/);
      }),
    );
  });

  const digitFreeText = fc.string({ unit: fc.constantFrom(...' abc-+.,:中文XY'.split('')), maxLength: 12 });

  /** Splits a string into consecutive chunks of the given sizes (the last chunk takes the rest). */
  const chunk = (digits: string, sizes: number[]): string[] => {
    const parts: string[] = [];
    let at = 0;
    for (const size of sizes) {
      if (at >= digits.length) break;
      parts.push(digits.slice(at, at + size));
      at += size;
    }
    if (at < digits.length) parts.push(digits.slice(at));
    return parts;
  };
  const isDate = (y: string, m: string, d: string): boolean =>
    y.length === 4 && Number(y) >= 1900 && Number(y) <= 2099 && Number(m) >= 1 && Number(m) <= 12 && Number(d) >= 1 && Number(d) <= 31;

  it('never leaves a Luhn-valid 16-digit number, however it is grouped, unless it is written as dates or thousands', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[1-9]\d{14}$/),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 16 }),
        fc.constantFrom(' ', '-', ' - ', '  ', '\u200B', '.', '·'),
        digitFreeText,
        digitFreeText,
        (body, sizes, separator, before, after) => {
          const card = withLuhnDigit(body);
          const parts = chunk(card, sizes);
          const thousands = parts.length > 1 && parts[0]!.length <= 3 && parts.slice(1).every((part) => part.length === 3);
          const hasDate = parts.some(
            (_, i) => i + 2 < parts.length && (isDate(parts[i]!, parts[i + 1]!, parts[i + 2]!) || isDate(parts[i + 2]!, parts[i + 1]!, parts[i]!) || isDate(parts[i + 2]!, parts[i]!, parts[i + 1]!)),
          );
          fc.pre(!thousands && !hasDate);
          // A separator must not touch digits of the surrounding text (it has none) nor glue to `.`/`,` amounts.
          const text = `${before} ${parts.join(separator)} ${after}`;
          expect(redactPii(text)).not.toMatch(/\d/);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never leaves a run of 16 to 19 digits, Luhn or not, in any script and with any separator, unless it is written as dates or thousands', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^\d{16,19}$/),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 19 }),
        fc.constantFrom(' ', '-', '.', ' - ', '\u200B', '·', '\u2013'),
        fc.constantFrom(...DIGIT_ZEROS.filter((_, i) => i % 5 === 0), 0x30),
        digitFreeText,
        digitFreeText,
        (digits, sizes, separator, zero, before, after) => {
          const parts = chunk(digits, sizes);
          const thousands = parts.length > 1 && parts[0]!.length <= 3 && parts.slice(1).every((part) => part.length === 3);
          const hasDate = parts.some(
            (_, i) => i + 2 < parts.length && (isDate(parts[i]!, parts[i + 1]!, parts[i + 2]!) || isDate(parts[i + 2]!, parts[i + 1]!, parts[i]!) || isDate(parts[i + 2]!, parts[i]!, parts[i + 1]!)),
          );
          fc.pre(!thousands && !hasDate);
          const text = `${before} ${inScript(parts.join(separator), zero)} ${after}`;
          expect(redactPii(text)).not.toMatch(/\p{Nd}/u);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never leaves a digit of another script, and stays idempotent on text with them', () => {
    const anyDigit = fc.constantFrom(...DIGIT_ZEROS).chain((zero) => fc.integer({ min: 0, max: 9 }).map((value) => String.fromCodePoint(zero + value)));
    const mixed = fc.array(fc.oneof(anyDigit, noisyChar), { maxLength: 40 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(mixed, (text) => {
        const once = redactPii(text);
        expect(once).not.toMatch(/(?![0-9])\p{Nd}/u);
        expect(redactPii(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('always redacts a mainland mobile, in any script and with any common separator', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^1[3-9]\d{9}$/),
        fc.constantFrom('', ' ', '-', '.', '·', ' - '),
        fc.constantFrom(...DIGIT_ZEROS, 0x30),
        (mobile, separator, zero) => {
          const written = [mobile.slice(0, 3), mobile.slice(3, 7), mobile.slice(7)].join(separator);
          expect(redactPii(`手机 ${inScript(written, zero)} 谢谢`)).toBe('手机 [PHONE] 谢谢');
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('always redacts a valid resident ID with a real birth date', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 110000, max: 829999 }),
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
        (region, birth, sequence) => {
          const ymd = birth.toISOString().slice(0, 10).replaceAll('-', '');
          const first17 = `${region}${ymd}${String(sequence).padStart(3, '0')}`;
          const id = `${first17}${residentIdCheck(first17)}`;
          expect(isValidResidentId(id)).toBe(true);
          expect(redactPii(`身份证：${id}。`)).toBe('身份证：[ID]。');
        },
      ),
    );
  });
});

describe('pasted credentials', () => {
  it.each([
    ['a JWT', 'my token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkZW1vLWRyb3AiLCJleHAiOjF9.c2lnbmF0dXJlLXZhbHVlLWhlcmU ok', 'my token [SECRET] ok'],
    ['a Slack bot token', 'use xoxb-1234567890-abcdefghijkl please', 'use [SECRET] please'],
    ['a bearer header', 'Authorization: Bearer abcdefghijklmnop0123456789', 'Authorization: [SECRET]'],
  ])('redacts %s', (_name, text, expected) => {
    expect(redactPii(text)).toBe(expected);
  });

  it('leaves ordinary words alone', () => {
    expect(redactPii('eye on the bearer bonds, xox hugs')).toBe('eye on the bearer bonds, xox hugs');
  });
});
