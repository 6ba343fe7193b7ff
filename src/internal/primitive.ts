import { CdoError } from '../errors/cdo-error.js';

/**
 * JScript's `new String('x')` (and Number, Boolean) objects, as classic ASP JScript pages
 * pass them, taken as the value they wrap. Anything else is returned unchanged.
 */
export function primitive(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value; // the common case, first
  if (value instanceof String || value instanceof Number || value instanceof Boolean) return value.valueOf();
  return value;
}

/** A VARIANT-like scalar as text ("" for null/undefined); an object is refused, never "[object Object]". */
export function scalarText(given: unknown, what: string): string {
  const value = primitive(given);
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  throw new CdoError('CDO_E_INVALID_PARAMETER', `${what} must be a string, number or Boolean, got ${typeof value}`);
}
