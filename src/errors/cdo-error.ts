import { errorCodes, type ErrorCode } from './error-codes.js';

const kCdoError = Symbol.for('cdonts.error');

/**
 * Every error this library raises. `code` names the failure, `hresult` is the COM
 * HRESULT CDONTS used (unsigned, as written in the headers), and `number` is the same
 * value as VBScript's `Err.Number` shows it (signed 32-bit).
 */
export class CdoError extends Error {
  override name = 'CdoError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  get hresult(): number {
    return errorCodes[this.code].hresult;
  }

  get number(): number {
    return errorCodes[this.code].hresult | 0;
  }

  get [kCdoError](): true {
    return true;
  }
}

/** True for a CdoError from any copy of this package (brand check, not instanceof). */
export function isCdoError(value: unknown): value is CdoError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kCdoError] === true;
}
