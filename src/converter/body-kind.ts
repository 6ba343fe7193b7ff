import { CdoError } from '../errors/cdo-error.js';

/** The formats the converter speaks. */
export const bodyKinds = ['html', 'markdown', 'text', 'rtf'] as const;
export type BodyKind = (typeof bodyKinds)[number];

export function assertBodyKind(value: unknown, what: string): BodyKind {
  if (typeof value === 'string' && (bodyKinds as readonly string[]).includes(value)) {
    return value as BodyKind;
  }
  throw new CdoError('CDO_E_INVALID_PARAMETER', `${what} must be one of ${bodyKinds.join(', ')}, got ${JSON.stringify(value)}`);
}
