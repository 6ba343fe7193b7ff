import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { CdoError } from '../errors/cdo-error.js';
import { primitive, scalarText } from '../internal/primitive.js';
import { getPickupDirectory, getSendSettings } from '../default-mailer.js';
import type { PoolRequest } from '../transports/transport-pools.js';
import { cdoDefaults, cdoIIS, cdoOutlookExpress } from './cdosys-constants.js';
import { cdosysError } from './cdosys-error.js';
import { createFields, type Fields } from './fields.js';

/** The configuration namespace, as every typelib constant and script spells it. */
export const CONFIGURATION_NAMESPACE = 'http://schemas.microsoft.com/cdo/configuration/';
const HTTPS_NAMESPACE = 'https://schemas.microsoft.com/cdo/configuration/';

/** Not a CDOSYS field: a PEM CA bundle the SMTP server's certificate is checked against. */
export const TLS_CA_FIELD = 'urn:schemas:cdonts:configuration:tlsca';

const WRITE_ONLY = new Set([`${CONFIGURATION_NAMESPACE}sendpassword`]);

/** Where a Send goes: the project default, or a shared pool for these settings. */
export type SendTarget = { readonly kind: 'default' } | { readonly kind: 'pool'; readonly request: PoolRequest };

const DEFAULT_TIMEOUT_S = 30;

/**
 * `CDO.Configuration`: Fields with the `http://schemas.microsoft.com/cdo/configuration/`
 * names (also under `https://`, which today's Microsoft pages print), matched without
 * regard to case; a name that is no known field is stored and never acted on. One
 * Configuration may be shared by any number of Messages; the transport behind equal
 * settings is one shared pool (see transportStats()).
 */
export class Configuration {
  readonly #values = new Map<string, { name: string; value: unknown }>();
  readonly #fields: Fields;

  constructor() {
    this.#fields = createFields({
      key: fieldKey,
      read: (key) => this.#values.get(key)?.value,
      commit: (key, name, value) => {
        if (value === undefined || value === null || value === '') this.#values.delete(key);
        else this.#values.set(key, { name, value });
      },
      names: () => [...this.#values.values()].map((v) => v.name),
      remove: (key) => this.#values.delete(key),
      shown: (key, value) => (WRITE_ONLY.has(key) && value !== undefined ? '' : value),
    });
  }

  get Fields(): Fields {
    return this.#fields;
  }

  /**
   * Loads the defaults. There is no IIS metabase or Outlook Express account on Node: the
   * defaults are this library's (configure(), CDONTS_* variables), resolved at Send, so
   * Load clears the fields and leaves them to those defaults. The URL argument is
   * ignored, as in CDOSYS.
   */
  Load(source: number, _url?: string): void {
    const from = primitive(source);
    if (from !== cdoDefaults && from !== cdoIIS && from !== cdoOutlookExpress) {
      throw new CdoError('CDO_E_INVALID_PARAMETER', `Load: expected cdoDefaults (-1), cdoIIS (1) or cdoOutlookExpress (2), got ${JSON.stringify(from)}`);
    }
    this.#values.clear();
    this.#fields.CancelUpdate();
  }

  /** The committed value of a configuration field by its short name (`smtpserver`). */
  value(shortName: string): unknown {
    return this.#values.get(fieldKey(CONFIGURATION_NAMESPACE + shortName))?.value;
  }

  /** True when no field is committed: Send then uses the project's default transport. */
  get empty(): boolean {
    return this.#values.size === 0;
  }

  /** Resolves the committed fields into a send target, raising the CDOSYS errors (§4.4). */
  target(): SendTarget {
    const usingRaw = this.value('sendusing');
    const server = text(this.value('smtpserver'));
    if (usingRaw === undefined && server === undefined && this.value('smtpserverpickupdirectory') === undefined) return { kind: 'default' };
    const using = usingRaw === undefined ? (server === undefined ? 1 : 2) : integer(usingRaw);
    const { attachmentRoot, smtputf8, dkim, ntlmTransport } = getSendSettings();
    // What every pool's Mailer shares with the default one; part of every key, the DKIM key hashed.
    const shared = { attachmentRoot, smtputf8, dkim };
    const sharedKey = [attachmentRoot ?? '', smtputf8 ?? false, dkim === undefined ? '' : createHash('sha256').update(JSON.stringify(dkim)).digest('hex')];
    if (using === 1) {
      const directory = resolve(text(this.value('smtpserverpickupdirectory')) ?? getPickupDirectory());
      return {
        kind: 'pool',
        request: { key: JSON.stringify(['pickup', directory, ...sharedKey]), settings: { kind: 'pickup', directory }, transport: `pickup:${directory}`, ...shared },
      };
    }
    if (using !== 2) throw cdosysError('CDO_E_INVALID_SEND_OPTION', `sendusing is ${JSON.stringify(usingRaw)}; CDOSYS knows 1 (cdoSendUsingPickup) and 2 (cdoSendUsingPort)`);
    if (server === undefined) throw cdosysError('CDO_E_SMTP_SERVER_REQUIRED', 'Set the field http://schemas.microsoft.com/cdo/configuration/smtpserver (check its spelling, KB265527).');
    const port = this.value('smtpserverport') === undefined ? 25 : integer(this.value('smtpserverport'));
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CdoError('CDO_E_INVALID_PARAMETER', `smtpserverport must be 1-65535, got ${JSON.stringify(this.value('smtpserverport'))}`);
    const ssl = boolean(this.value('smtpusessl'));
    const authRaw = this.value('smtpauthenticate');
    const auth = authRaw === undefined ? 0 : integer(authRaw);
    if (auth !== 0 && auth !== 1 && auth !== 2) throw new CdoError('CDO_E_INVALID_PARAMETER', `smtpauthenticate must be 0 (cdoAnonymous), 1 (cdoBasic) or 2 (cdoNTLM), got ${JSON.stringify(authRaw)}`);
    const timeoutRaw = this.value('smtpconnectiontimeout');
    const timeoutS = timeoutRaw === undefined ? DEFAULT_TIMEOUT_S : integer(timeoutRaw);
    if (!Number.isInteger(timeoutS) || timeoutS < 1) throw new CdoError('CDO_E_INVALID_PARAMETER', `smtpconnectiontimeout is in seconds, at least 1, got ${JSON.stringify(timeoutRaw)}`);
    const tls: 'implicit' | 'starttls' | 'none' = ssl ? (port === 465 ? 'implicit' : 'starttls') : 'none';
    if (auth === 2) {
      // NTLM logs on with the Windows process identity: only a transport the application
      // configured for it can do that.
      if (ntlmTransport === undefined) throw new CdoError('CDO_E_NO_SUPPORT', 'smtpauthenticate 2 (cdoNTLM) needs configure({ ntlmTransport }); or use 1 (cdoBasic) with sendusername and sendpassword');
      const target = { host: server, port, tls, timeoutMs: timeoutS * 1000 } as const;
      return {
        kind: 'pool',
        request: { key: JSON.stringify(['ntlm', server, port, tls, timeoutS, ...sharedKey]), settings: { kind: 'ntlm', host: server, port, tls, timeoutSeconds: timeoutS }, transport: ntlmTransport(target), ...shared },
      };
    }
    const user = auth === 1 ? (text(this.value('sendusername')) ?? '') : '';
    const password = auth === 1 ? (text(this.value('sendpassword')) ?? '') : '';
    const ca = text(this.#values.get(fieldKey(TLS_CA_FIELD))?.value);
    const ms = timeoutS * 1000;
    // smtpusessl: implicit TLS on 465, STARTTLS required on any other port; without it,
    // plain text and never STARTTLS (reference §4.5).
    const transport: Record<string, unknown> = {
      host: server,
      port,
      secure: ssl && port === 465,
      requireTLS: ssl && port !== 465,
      ignoreTLS: !ssl,
      connectionTimeout: ms,
      greetingTimeout: ms,
      socketTimeout: ms,
    };
    if (auth === 1) transport['auth'] = { user, pass: password };
    // As bytes: certificate data is not SMTP command text, and the option guard checks strings.
    if (ca !== undefined) transport['tls'] = { ca: Buffer.from(ca) };
    const secret = createHash('sha256').update(`${password}\0${ca ?? ''}`).digest('hex');
    const settings: Record<string, string | number | boolean> = { kind: 'smtp', host: server, port, tls, timeoutSeconds: timeoutS };
    if (auth === 1) settings['user'] = user;
    return {
      kind: 'pool',
      request: { key: JSON.stringify(['smtp', server, port, ssl, auth, user, secret, timeoutS, ...sharedKey]), settings, transport, ...shared },
    };
  }
}

/** Configuration names match without regard to case, under http:// or https://. */
function fieldKey(name: string): string {
  const lower = name.toLowerCase();
  return lower.startsWith(HTTPS_NAMESPACE) ? CONFIGURATION_NAMESPACE + lower.slice(HTTPS_NAMESPACE.length) : lower;
}

function text(value: unknown): string | undefined {
  const s = scalarText(value, 'a configuration field').trim();
  return s === '' ? undefined : s;
}

/** VARIANT coercion: numbers, numeric strings ("25"), VBScript booleans (True = -1). */
function integer(value: unknown): number {
  if (typeof value === 'boolean') return value ? -1 : 0;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/u.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(n) ? n : Number.NaN;
}

function boolean(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  const s = scalarText(value, 'a configuration field').trim().toLowerCase();
  if (s === 'true' || s === '-1' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw new CdoError('CDO_E_INVALID_PARAMETER', `expected a Boolean, got ${JSON.stringify(value)}`);
}
