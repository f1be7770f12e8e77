/** The locales Candor speaks; every customer-facing sentence exists in each. */
export const LOCALES = ['en', 'zh-CN'] as const;

/** A supported locale. */
export type Locale = (typeof LOCALES)[number];

/** Returns true when the value is a supported locale. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}
