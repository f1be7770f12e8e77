/** The codes of Candor's own errors; wording for customers lives in templates, not here. */
export type CandorErrorCode =
  | 'config_invalid'
  | 'content_invalid'
  | 'engine_unavailable'
  | 'engine_invalid_response'
  | 'storage_unavailable'
  | 'conversation_busy'
  | 'case_not_found'
  | 'case_state_conflict'
  | 'frame_invalid'
  | 'unauthorized'
  | 'internal';

/** One error class for the whole project, with a machine-readable code and an optional cause. */
export class CandorError extends Error {
  readonly code: CandorErrorCode;

  constructor(code: CandorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CandorError';
    this.code = code;
  }
}

/** Wraps any thrown value as a CandorError, keeping the original as its cause. */
export function asCandorError(error: unknown, fallback: CandorErrorCode = 'internal'): CandorError {
  if (error instanceof CandorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CandorError(fallback, message, { cause: error });
}
