import type { Locale } from '../core/locale.js';

/** Formats amounts, dates and durations for one locale and time zone, with Intl only. */
export interface LocaleFormatter {
  /** Formats an integer amount in minor units (fen, cents) as currency, e.g. `¥8,000` or `CN¥8,000`. */
  amount(minorUnits: number, currency: string): string;
  /** Formats an ISO 8601 instant as a long calendar date in the formatter's time zone. */
  date(iso: string): string;
  /** Formats a whole number of minutes, e.g. `5 minutes` or `5分钟`. */
  minutes(count: number): string;
}

/** The time zone dates are shown in unless configured otherwise. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** Returns true when Intl accepts the value as an IANA time zone. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    // RangeError is Intl's only way of saying "unknown zone"; the caller reports it.
    return false;
  }
}

/** Creates a formatter for a locale; amounts are converted from minor units by string arithmetic, never floats. */
export function createLocaleFormatter(locale: Locale, timeZone: string = DEFAULT_TIME_ZONE): LocaleFormatter {
  const currencyFormats = new Map<string, Intl.NumberFormat>();
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone });
  const minuteFormat = new Intl.NumberFormat(locale, { style: 'unit', unit: 'minute', unitDisplay: 'long' });

  function currencyFormat(currency: string): Intl.NumberFormat {
    let format = currencyFormats.get(currency);
    if (!format) {
      const options = { style: 'currency', currency, trailingZeroDisplay: 'stripIfInteger' } as Intl.NumberFormatOptions;
      format = new Intl.NumberFormat(locale, options);
      currencyFormats.set(currency, format);
    }
    return format;
  }

  return {
    amount: function formatAmount(minorUnits, currency) {
      if (!Number.isSafeInteger(minorUnits) || minorUnits < 0) {
        throw new RangeError('amounts are non-negative integers in minor units');
      }
      const format = currencyFormat(currency);
      const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
      const text = String(minorUnits).padStart(digits + 1, '0');
      const decimal = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
      // Intl formats decimal strings exactly (NumberFormat v3), so no float rounding can creep in.
      return format.format(decimal as unknown as number);
    },
    date: function formatDate(iso) {
      const instant = new Date(iso);
      if (Number.isNaN(instant.getTime())) throw new RangeError(`not a date: ${iso}`);
      return dateFormat.format(instant);
    },
    minutes: function formatMinutes(count) {
      return minuteFormat.format(Math.max(1, Math.round(count)));
    },
  };
}
