import { createPrivateKey } from 'node:crypto';
import type DKIM from 'nodemailer/lib/dkim';
import type { DKIMKey } from 'nodemailer/lib/dkim';
import { CdoError } from './errors/cdo-error.js';

/** One signing key: the d= domain, the s= selector and the PEM RSA private key. */
export interface DkimKey {
  readonly domainName: string;
  readonly keySelector: string;
  readonly privateKey: string | Buffer;
}

/**
 * What `configure({ dkim })` and `new Mailer({ dkim })` take: one key, or several in `keys`
 * (each signs; nodemailer's option, which is passed through).
 */
export type DkimOptions = (DkimKey | { readonly keys: DkimKey | readonly DkimKey[] }) & {
  /** Header fields to sign, colon-separated; nodemailer's default set otherwise. */
  readonly headerFieldNames?: string;
  /** Header fields never signed, colon-separated. */
  readonly skipFields?: string;
};

const DOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/iu;
const SELECTOR = /^[a-z0-9](?:[a-z0-9._-]{0,62})$/iu;

/** Checks the DKIM option once, at configure time, so a bad key is a typed error and not a failed Send later. */
export function dkimOptions(value: unknown): DKIM.Options {
  if (typeof value !== 'object' || value === null) throw invalid('dkim must be an object with domainName, keySelector and privateKey, or keys');
  const options = value as Partial<DkimKey> & { keys?: unknown; headerFieldNames?: unknown; skipFields?: unknown };
  const keys = options.keys === undefined ? [options] : Array.isArray(options.keys) ? (options.keys as unknown[]) : [options.keys];
  if (keys.length === 0) throw invalid('dkim.keys is empty');
  const checked = keys.map((key, index) => checkKey(key, options.keys === undefined ? 'dkim' : `dkim.keys[${index}]`));
  for (const field of ['headerFieldNames', 'skipFields'] as const) {
    const list = options[field];
    if (list !== undefined && (typeof list !== 'string' || !/^[\w-]+(?::[\w-]+)*$/u.test(list))) throw invalid(`dkim.${field} must be header names separated by colons`);
  }
  return {
    keys: checked,
    ...(typeof options.headerFieldNames === 'string' ? { headerFieldNames: options.headerFieldNames } : {}),
    ...(typeof options.skipFields === 'string' ? { skipFields: options.skipFields } : {}),
  };
}

function checkKey(key: unknown, where: string): DKIMKey {
  const { domainName, keySelector, privateKey } = (typeof key === 'object' && key !== null ? key : {}) as Partial<DkimKey>;
  if (typeof domainName !== 'string' || !DOMAIN.test(domainName)) throw invalid(`${where}.domainName must be a domain name such as example.com`);
  if (typeof keySelector !== 'string' || !SELECTOR.test(keySelector)) throw invalid(`${where}.keySelector must be a DNS label such as mail2026`);
  if (typeof privateKey !== 'string' && !Buffer.isBuffer(privateKey)) throw invalid(`${where}.privateKey must be a PEM private key`);
  try {
    const parsed = createPrivateKey(privateKey);
    // nodemailer signs rsa-sha256 only, and would silently leave out a signature it cannot make.
    if (parsed.asymmetricKeyType !== 'rsa') throw new Error(`it is a ${String(parsed.asymmetricKeyType)} key`);
    if ((parsed.asymmetricKeyDetails?.modulusLength ?? 0) < 1024) throw new Error('it is shorter than 1024 bits');
  } catch (error) {
    throw invalid(`${where}.privateKey is not a usable RSA private key: ${(error as Error).message}`, error);
  }
  return { domainName: domainName.toLowerCase(), keySelector, privateKey: typeof privateKey === 'string' ? privateKey : privateKey.toString('utf8') };
}

function invalid(message: string, cause?: unknown): CdoError {
  return new CdoError('CDO_E_INVALID_PARAMETER', message, cause === undefined ? undefined : { cause });
}
