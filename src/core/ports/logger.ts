/** Structured fields of a log line; never raw customer text, tokens or personal data. */
export type LogFields = Record<string, unknown>;

/** The logging port the core and adapters write to; the observability adapter implements it. */
export interface Logger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

/** A logger that drops everything, for tools and tests that do not log. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
