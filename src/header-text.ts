import { CdoError } from './errors/cdo-error.js';
import { primitive } from './internal/primitive.js';

// C0 controls except TAB, DEL, and the Unicode line/paragraph separators: any of them in
// a header could end the line for some reader. They are rejected, never stripped.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN_IN_HEADER = /[\u0000-\u0008\u000a-\u001f\u007f\u2028\u2029]/u;
// RFC 5322 field-name: printable ASCII except colon.
const FIELD_NAME = /^[\u0021-\u0039\u003b-\u007e]+$/u;

// An RFC 2047 encoded word typed in by the caller would be decoded by the reader into
// whatever it hides (CR/LF included): pass the text itself, the library encodes it.
const ENCODED_WORD = /=\?[^?\s]+\?[bq]\?[^?\s]*\?=/iu;

export const MAX_HEADER_VALUE_LENGTH = 16_384;

/** Throws CDO_E_INVALID_PARAMETER unless `value` is a string that can go into a header. */
export function assertHeaderText(given: unknown, what: string, maxLength = MAX_HEADER_VALUE_LENGTH): string {
  const value = primitive(given);
  if (typeof value !== 'string') {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `${what} must be a string, got ${typeof value}`);
  }
  if (value.length > maxLength) {
    throw new CdoError('CDO_E_STRING_TOO_LONG', `${what} is longer than ${maxLength} characters`);
  }
  if (FORBIDDEN_IN_HEADER.test(value)) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `${what} contains CR, LF or another control character`);
  }
  if (ENCODED_WORD.test(value)) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `${what} contains a pre-encoded word (=?charset?…?=); pass the plain text, it is encoded for you`);
  }
  if (!value.isWellFormed()) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `${what} contains an unpaired surrogate`);
  }
  return value;
}

/** Throws CDO_E_INVALID_PARAMETER unless `name` is an RFC 5322 field name. */
export function assertHeaderName(given: unknown): string {
  const name = primitive(given);
  if (typeof name !== 'string' || !FIELD_NAME.test(name) || name.length > 76) {
    throw new CdoError(
      'CDO_E_INVALID_PARAMETER',
      `header name must be 1-76 printable ASCII characters without ':' or spaces, got ${JSON.stringify(String(name)).slice(0, 80)}`,
    );
  }
  return name;
}
