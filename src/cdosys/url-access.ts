import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { CdoError } from '../errors/cdo-error.js';

/** `configure({ urlAccess })`: which http(s) URLs CDO.Message may fetch. */
export interface UrlAccessOptions {
  /** URL prefixes allowed, e.g. 'https://intranet.example/'. Nothing else is fetched. */
  readonly allow: readonly string[];
  /** Largest response body accepted (bytes); default 10 MB. */
  readonly maxBytes?: number;
  /** Whole-request deadline (ms); default 10 s. */
  readonly timeoutMs?: number;
}

const DEFAULT_MAX_BYTES = 10_000_000;
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 5;

let access: { allow: string[]; maxBytes: number; timeoutMs: number } | undefined;

const privateRanges = new BlockList();
for (const [net, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16], ['224.0.0.0', 3]] as const) privateRanges.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 127], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['::ffff:0:0', 96]] as const) privateRanges.addSubnet(net, bits, 'ipv6');

export function setUrlAccess(options: UrlAccessOptions | undefined): void {
  if (options === undefined) {
    access = undefined;
    return;
  }
  if (typeof options !== 'object' || options === null || !Array.isArray(options.allow) || !options.allow.every((p) => typeof p === 'string' && /^https?:\/\/[^/]+\//iu.test(p))) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', "urlAccess.allow is a list of URL prefixes ending in '/', e.g. ['https://intranet.example/']");
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(maxBytes) || maxBytes < 1 || !Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', 'urlAccess.maxBytes and timeoutMs are positive integers');
  }
  access = { allow: options.allow.map((p: string) => new URL(p).href), maxBytes, timeoutMs };
}

/** The listed prefix a URL falls under, or a typed refusal. */
function allowedPrefix(url: string): string {
  let href: string;
  try {
    href = new URL(url).href;
  } catch (error) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `not a URL: ${JSON.stringify(url.slice(0, 120))}`, { cause: error });
  }
  const prefix = access?.allow.find((p) => href.startsWith(p));
  if (prefix === undefined) {
    throw new CdoError('CDO_E_NO_ACCESS', `${redact(href)} is not under a prefix that configure({ urlAccess: { allow } }) lists${access === undefined ? ' (no URL is fetched unless configured)' : ''}`);
  }
  return prefix;
}

export function assertUrlAllowed(url: string): void {
  allowedPrefix(url);
}

/**
 * Fetches an allowed URL: each redirect must stay on the list; the connection may go
 * to a private or loopback address only when the listed prefix names that host as an
 * IP literal or `localhost`; the body is capped and the whole fetch has a deadline.
 */
export async function fetchAllowed(url: string): Promise<{ bytes: Buffer; contentType: string | undefined; url: string }> {
  const deadline = Date.now() + (access?.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const prefix = allowedPrefix(current);
    const response = await get(current, prefixNamesPrivateHost(prefix), deadline);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location !== undefined) {
      response.resume();
      current = new URL(response.headers.location, current).href;
      continue;
    }
    if (status === 404) throw drain(response, new CdoError('CDO_E_NOT_FOUND', `${redact(current)}: 404 Not Found`));
    if (status === 401 || status === 403) throw drain(response, new CdoError('CDO_E_NO_ACCESS', `${redact(current)}: ${status} access denied`));
    if (status !== 200) throw drain(response, new CdoError('CDO_E_CALL_FAILED', `${redact(current)}: HTTP ${status}`));
    const bytes = await readCapped(response, access?.maxBytes ?? DEFAULT_MAX_BYTES, current, deadline);
    return { bytes, contentType: response.headers['content-type'], url: current };
  }
  throw new CdoError('CDO_E_NO_ACCESS', `${redact(url)}: more than ${MAX_REDIRECTS} redirects`);
}

/** Only an IP literal names a private address: a name (even localhost) could be re-pointed by DNS. */
function prefixNamesPrivateHost(prefix: string): boolean {
  const host = new URL(prefix).hostname.replace(/^\[|\]$/gu, '');
  return isIP(host) !== 0 && isPrivate(host);
}

function isPrivate(address: string): boolean {
  const family = isIP(address);
  return family === 0 ? true : privateRanges.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function get(url: string, privateAllowed: boolean, deadline: number): Promise<IncomingMessage> {
  const target = new URL(url);
  // Checked on the address actually connected to, so DNS cannot point a listed name inward.
  const lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error !== null) {
        callback(error, '', 0);
        return;
      }
      const usable = addresses.filter((a) => privateAllowed || !isPrivate(a.address));
      const first = usable[0];
      if (first === undefined) {
        callback(Object.assign(new Error(`${hostname} resolves only to private or loopback addresses`), { code: 'EPRIVATE' }), '', 0);
        return;
      }
      if ((options as { all?: boolean }).all === true) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      else callback(null, first.address, first.family);
    });
  };
  const literal = target.hostname.replace(/^\[|\]$/gu, '');
  return new Promise((resolve, reject) => {
    if (isIP(literal) !== 0 && !privateAllowed && isPrivate(literal)) {
      reject(new CdoError('CDO_E_NO_ACCESS', `${redact(url)}: a private or loopback address, and the listed prefix does not name it`));
      return;
    }
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, { method: 'GET', lookup, headers: { 'user-agent': 'cdonts CDO.Message' } });
    const remaining = Math.max(1, deadline - Date.now());
    const timer = setTimeout(() => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), remaining);
    request.once('response', (response) => {
      clearTimeout(timer);
      resolve(response);
    });
    request.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const code = error.code === 'EPRIVATE' ? 'CDO_E_NO_ACCESS' : error.code === 'ETIMEDOUT' ? 'CDO_E_TIMEOUT' : 'CDO_E_CALL_FAILED';
      reject(new CdoError(code, `${redact(url)}: ${error.message}`, { cause: error }));
    });
    request.end();
  });
}

function readCapped(response: IncomingMessage, maxBytes: number, url: string, deadline: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      response.destroy();
      reject(new CdoError('CDO_E_TIMEOUT', `${redact(url)}: the body did not arrive within urlAccess.timeoutMs`));
    }, Math.max(1, deadline - Date.now()));
    response.once('close', () => clearTimeout(timer));
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        response.destroy();
        reject(new CdoError('CDO_E_STRING_TOO_LONG', `${redact(url)} is larger than urlAccess.maxBytes (${maxBytes})`));
        return;
      }
      chunks.push(chunk);
    });
    response.once('end', () => resolve(Buffer.concat(chunks)));
    response.once('error', (error) => reject(new CdoError('CDO_E_CALL_FAILED', `${redact(url)}: ${error.message}`, { cause: error })));
  });
}

function drain(response: IncomingMessage, error: CdoError): CdoError {
  response.resume();
  return error;
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/u, '//***@').slice(0, 200);
}
