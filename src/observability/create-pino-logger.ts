import { pino, type Logger as PinoLogger } from 'pino';
import type { Logger, LogFields } from '../core/ports/logger.js';
import { redactPii } from '../core/redact-pii.js';

/** Field paths pino blanks out wherever they appear: credentials and raw personal data. */
export const REDACTED_LOG_PATHS = [
  'token',
  'authorization',
  'password',
  'secret',
  'customerId',
  'text',
  '*.token',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.customerId',
  '*.text',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** Builds the structured JSON logger, with secrets and personal data redacted before a line is written. */
export function createPinoLogger(options: { level: string; destination?: NodeJS.WritableStream }): Logger & { pino: PinoLogger } {
  const base = pino(
    {
      level: options.level,
      base: { service: 'candor' },
      redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? process.stdout,
  );
  const clean = (message: string): string => redactPii(message);
  const write = (level: 'debug' | 'info' | 'warn' | 'error') =>
    function log(fields: LogFields, message: string): void {
      if (!base.isLevelEnabled(level)) return;
      base[level](fields, clean(message));
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error'), pino: base };
}
