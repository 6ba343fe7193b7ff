import { converter } from './converter/converter.js';
import { CdoError } from './errors/cdo-error.js';
import { Mailer } from './mailer.js';
import type { TransportSpec } from './transports/create-transport.js';
import type { DkimOptions } from './dkim-options.js';
import { DEFAULT_PICKUP_DIRECTORY } from './transports/pickup-transport.js';
import { transportPools } from './transports/transport-pools.js';
import { setUrlAccess, type UrlAccessOptions } from './cdosys/url-access.js';

export interface ConfigureOptions {
  /** A URL (`smtp://…`, `pickup:DIR`, `memory:` …), a nodemailer transport or options. */
  readonly transport?: TransportSpec;
  /** The pickup directory used when no transport is configured. */
  readonly pickupDirectory?: string;
  /** AttachFile refuses files outside this directory. */
  readonly attachmentRoot?: string;
  /** How long the converter stays up after its last lease (ms); 0 stops at once. */
  readonly converterLingerMs?: number;
  /** Allow non-ASCII local parts over SMTP (the server must support SMTPUTF8). */
  readonly smtputf8?: boolean;
  /** The drop directory CDONTS.Session reads (default ./mailroot/drop, or CDONTS_DROP_DIR). */
  readonly dropDirectory?: string;
  /** http(s) URLs CDO.Message may fetch (AddAttachment, AddRelatedBodyPart, CreateMHTMLBody); none unless listed. */
  readonly urlAccess?: UrlAccessOptions | undefined;
  /**
   * CDO.Configuration smtpauthenticate = 2 (cdoNTLM): a transport that can log on with NTLM,
   * made for the configured server. Without it, NTLM is CDO_E_NO_SUPPORT.
   */
  readonly ntlmTransport?: ((server: NtlmServer) => TransportSpec) | undefined;
  /** Sign every message with DKIM: `{ domainName, keySelector, privateKey }` or `{ keys: [...] }`. */
  readonly dkim?: DkimOptions;
}

/** What an ntlmTransport factory is told about the server a Configuration names. */
export interface NtlmServer {
  readonly host: string;
  readonly port: number;
  /** 'implicit' (465), 'starttls' (required) or 'none', as smtpusessl says. */
  readonly tls: 'implicit' | 'starttls' | 'none';
  readonly timeoutMs: number;
}

const KNOWN_OPTIONS = new Set(['transport', 'pickupDirectory', 'attachmentRoot', 'converterLingerMs', 'smtputf8', 'dropDirectory', 'urlAccess', 'ntlmTransport', 'dkim']);

export const DEFAULT_DROP_DIRECTORY = './mailroot/drop';

/** The drop directory Session reads: configure() first, then CDONTS_DROP_DIR, then the default. */
export function getDropDirectory(): string {
  return settings.dropDirectory ?? nonEmpty(process.env['CDONTS_DROP_DIR']) ?? DEFAULT_DROP_DIRECTORY;
}

let settings: ConfigureOptions = {};
let current: Mailer | undefined;
const retiring = new Set<Promise<void>>();

/**
 * Sets the process-wide defaults that `new NewMail()` sends with. Options not given keep
 * their value. A new transport applies to the next Send; the old one drains its sends in
 * flight and closes in the background (`close()` waits for it).
 */
export function configure(options: ConfigureOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', 'configure() takes an options object');
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new CdoError('CDO_E_INVALID_PARAMETER', `configure(): unknown option ${JSON.stringify(key)}`);
  }
  if (options.converterLingerMs !== undefined) converter.setLinger(options.converterLingerMs);
  if ('urlAccess' in options) setUrlAccess(options.urlAccess);
  if (options.ntlmTransport !== undefined && typeof options.ntlmTransport !== 'function') throw new CdoError('CDO_E_INVALID_PARAMETER', 'configure(): ntlmTransport is a function (server) => transport');
  const next = { ...settings, ...options };
  const replacement = options.transport !== undefined || options.pickupDirectory !== undefined || options.attachmentRoot !== undefined || options.smtputf8 !== undefined || options.dkim !== undefined;
  if (replacement) {
    const mailer = createDefaultMailer(next); // throws on a bad transport before anything changes
    retire();
    current = mailer;
  }
  settings = next;
}

/** The Mailer that `new NewMail()` uses, created on first use. */
export function getDefaultMailer(): Mailer {
  current ??= createDefaultMailer(settings);
  return current;
}

/**
 * Drains every send in flight, closes the transports and then the converter. The next
 * Send starts afresh with the same configuration. Idempotent.
 */
export async function close(): Promise<void> {
  retire();
  while (retiring.size > 0) await Promise.allSettled([...retiring]);
  await transportPools.close();
  await converter.close();
}

function retire(): void {
  if (current === undefined) return;
  const closing = current.close().catch(() => undefined);
  current = undefined;
  retiring.add(closing);
  void closing.then(() => retiring.delete(closing));
}

/** The pickup directory of the default: configure(), then CDONTS_PICKUP_DIR, then ./mailroot/pickup. */
export function getPickupDirectory(): string {
  return settings.pickupDirectory ?? nonEmpty(process.env['CDONTS_PICKUP_DIR']) ?? DEFAULT_PICKUP_DIRECTORY;
}

/** The configured attachment root and SMTPUTF8 switch (CDO.Message's pools use them too). */
export function getSendSettings(): { readonly attachmentRoot: string | undefined; readonly smtputf8: boolean | undefined; readonly dkim: DkimOptions | undefined; readonly ntlmTransport: ConfigureOptions['ntlmTransport'] } {
  return { attachmentRoot: settings.attachmentRoot, smtputf8: settings.smtputf8, dkim: settings.dkim, ntlmTransport: settings.ntlmTransport };
}

function createDefaultMailer(options: ConfigureOptions): Mailer {
  const transport =
    options.transport ??
    nonEmpty(process.env['CDONTS_TRANSPORT']) ??
    `pickup:${options.pickupDirectory ?? nonEmpty(process.env['CDONTS_PICKUP_DIR']) ?? DEFAULT_PICKUP_DIRECTORY}`;
  return new Mailer({ transport, attachmentRoot: options.attachmentRoot, smtputf8: options.smtputf8, dkim: options.dkim });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
