import nodemailer, { type Transport } from 'nodemailer';
import Mail from 'nodemailer/lib/mailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import type { SMTPPoolOptions } from 'nodemailer/lib/smtp-pool';
import { CdoError } from '../errors/cdo-error.js';
import { MemoryTransport } from './memory-transport.js';
import { PickupTransport } from './pickup-transport.js';
import { RetryingSmtpPool } from './retrying-smtp-pool.js';
import { unrefSocket } from './unref-socket.js';
import { QueueTransport } from '../queue/queue-transport.js';
import type { RedisQueueOptions } from '../queue/redis-target.js';

/**
 * What `configure({ transport })` accepts: a URL (`pickup:DIR`, `smtp://…`, `smtps://…`,
 * `memory:`, `stream:`, `json:`, `redis://`, `redis+cluster://`), queue options (`{ redis }` or
 * `{ cluster }`), a nodemailer transport (any object with `send()`), a
 * nodemailer transporter (from `createTransport`), or nodemailer SMTP options.
 */
export type TransportSpec = string | Transport | Mail | Record<string, unknown>;

export interface ResolvedTransport {
  readonly name: string;
  readonly transporter: Mail;
  /** The memory transport, when that is what this is (tests, --dry-run). */
  readonly memory?: MemoryTransport;
  /** Closes what we created; a transporter the caller passed in is theirs to close. */
  close(): void | Promise<void>;
}

export function createTransport(spec: TransportSpec): ResolvedTransport {
  if (typeof spec === 'string') return fromUrl(spec);
  if (typeof spec !== 'object' || spec === null) {
    throw new CdoError('CDO_E_INVALID_SEND_OPTION', `transport must be a URL, a nodemailer transport or options, got ${typeof spec}`);
  }
  if (typeof (spec as Partial<Mail>).sendMail === 'function') {
    const transporter = spec as Mail;
    return { name: transporter.transporter.name, transporter, close: () => undefined };
  }
  const queueSpec = spec as { redis?: unknown; cluster?: unknown };
  if ((typeof queueSpec.redis === 'object' && queueSpec.redis !== null) || Array.isArray(queueSpec.cluster)) {
    const queue = new QueueTransport(spec as unknown as RedisQueueOptions);
    return { name: 'queue', transporter: nodemailer.createTransport(queue), close: () => queue.close() };
  }
  if (typeof (spec as Partial<Transport>).send === 'function') {
    const transport = spec as Transport;
    return owned(transport.name, nodemailer.createTransport(transport), transport instanceof MemoryTransport ? transport : undefined);
  }
  return smtp(spec as Record<string, unknown>);
}

function fromUrl(url: string): ResolvedTransport {
  const scheme = /^([a-z][a-z0-9+.-]*):/iu.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'pickup': {
      const directory = url.slice('pickup:'.length).replace(/^\/\/(?=\/)/u, '');
      if (directory === '') throw new CdoError('CDO_E_INVALID_SEND_OPTION', 'pickup: needs a directory, as in pickup:./mailroot/pickup');
      return owned('pickup', nodemailer.createTransport(new PickupTransport({ directory })));
    }
    case 'smtp':
    case 'smtps':
      return smtp(parseConnectionUrl(url));
    case 'memory': {
      const memory = new MemoryTransport();
      return owned('memory', nodemailer.createTransport(memory), memory);
    }
    case 'redis':
    case 'rediss':
    case 'redis+cluster':
    case 'rediss+cluster': {
      const queue = new QueueTransport(url);
      return { name: 'queue', transporter: nodemailer.createTransport(queue), close: () => queue.close() };
    }
    case 'stream':
      return owned('stream', nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' }));
    case 'json':
      return owned('json', nodemailer.createTransport({ jsonTransport: true }));
    default:
      throw new CdoError('CDO_E_INVALID_SEND_OPTION', `unknown transport ${JSON.stringify(redact(url))}: expected pickup:, smtp://, smtps://, redis://, redis+cluster://, memory:, stream: or json:`);
  }
}

function smtp(options: Record<string, unknown>): ResolvedTransport {
  if (typeof options['host'] !== 'string' && options['service'] === undefined) {
    throw new CdoError('CDO_E_INVALID_SEND_OPTION', 'SMTP transport needs a host');
  }
  assertNoControlCharacters(options);
  const pooled = {
    pool: true,
    ...(options['connection'] === undefined && options['getSocket'] === undefined ? { getSocket: unrefSocket } : {}),
    ...options,
  };
  // Mail takes the options too (logger, dkim…), as createTransport(options) would give it.
  const transporter: Mail = new Mail(new RetryingSmtpPool(pooled as SMTPPoolOptions), pooled as SMTPPoolOptions);
  return owned('smtp', transporter);
}

function owned(name: string, transporter: Mail, memory?: MemoryTransport): ResolvedTransport {
  return { name, transporter, ...(memory === undefined ? {} : { memory }), close: () => transporter.close() };
}

/** The options whose values end up in SMTP command text (EHLO, AUTH…), and nothing else. */
const COMMAND_TEXT = ['host', 'name', 'service', 'authMethod'] as const;
const AUTH_COMMAND_TEXT = ['user', 'pass', 'accessToken', 'type', 'method'] as const;

/**
 * A CR or LF in the EHLO name, host, user name or password would become an SMTP command of
 * its own (GHSA-vvjj-xcjg-gr5g and kin): refuse it before nodemailer sees it. Other options
 * (a `tls.ca` PEM, a `dkim.privateKey`) carry newlines by design and are not touched.
 */
function assertNoControlCharacters(options: Record<string, unknown>): void {
  const check = (value: unknown, name: string): void => {
    // eslint-disable-next-line no-control-regex -- control characters are what is refused
    if (typeof value === 'string' && /[\u0000-\u001f\u007f]/u.test(value)) {
      throw new CdoError('CDO_E_INVALID_SEND_OPTION', `SMTP option ${name} contains a control character`);
    }
  };
  for (const key of COMMAND_TEXT) check(options[key], key);
  const auth = options['auth'];
  if (typeof auth === 'object' && auth !== null) {
    for (const key of AUTH_COMMAND_TEXT) check((auth as Record<string, unknown>)[key], `auth.${key}`);
  }
}

/** Never echo credentials back in an error message. */
function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/u, '//***@').slice(0, 200);
}
