import { describe, expect, it } from 'vitest';
import { createLocaleFormatter, isValidTimeZone } from '../../src/explain/locale-formatter.js';

describe('createLocaleFormatter', () => {
  it('formats minor units as currency per locale, dropping zero cents', () => {
    expect(createLocaleFormatter('en').amount(2_000_000, 'CNY')).toBe('CN¥20,000');
    expect(createLocaleFormatter('zh-CN').amount(800_050, 'CNY')).toBe('¥8,000.50');
    expect(createLocaleFormatter('en').amount(5, 'USD')).toBe('$0.05');
    expect(createLocaleFormatter('en').amount(1500, 'JPY')).toBe('¥1,500');
  });

  it('formats large amounts exactly, without float rounding', () => {
    expect(createLocaleFormatter('en').amount(Number.MAX_SAFE_INTEGER, 'CNY')).toBe('CN¥90,071,992,547,409.91');
  });

  it('refuses amounts that are not non-negative integers', () => {
    expect(() => createLocaleFormatter('en').amount(12.5, 'CNY')).toThrow(RangeError);
    expect(() => createLocaleFormatter('en').amount(-1, 'CNY')).toThrow(RangeError);
  });

  it('formats dates in Asia/Shanghai by default, so a late-evening UTC instant is the next day', () => {
    expect(createLocaleFormatter('en').date('2026-03-13T20:00:00Z')).toBe('March 14, 2026');
    expect(createLocaleFormatter('zh-CN').date('2026-03-13T20:00:00Z')).toBe('2026年3月14日');
    expect(createLocaleFormatter('en', 'UTC').date('2026-03-13T20:00:00Z')).toBe('March 13, 2026');
  });

  it('formats wait times in minutes', () => {
    expect(createLocaleFormatter('en').minutes(1)).toBe('1 minute');
    expect(createLocaleFormatter('en').minutes(7)).toBe('7 minutes');
    expect(createLocaleFormatter('zh-CN').minutes(7)).toBe('7分钟');
  });

  it('recognises IANA time zones', () => {
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
