import { readFile } from 'node:fs/promises';
import type { SendMailOptions } from 'nodemailer';
import { resolveAttachmentPath } from './attachment-path.js';
import { compose, needsConversion, type SnapshotFiles } from './compose.js';
import { converter as processConverter } from './converter/converter.js';
import type { ConverterSource } from './converter/converter-host.js';
import { dkimOptions, type DkimOptions } from './dkim-options.js';
import { CdoError } from './errors/cdo-error.js';
import { StateMachine, type TransitionTable } from './internal/state-machine.js';
import type { MailSnapshot } from './mail-snapshot.js';
import { createTransport, type ResolvedTransport, type TransportSpec } from './transports/create-transport.js';
import type { MemoryTransport } from './transports/memory-transport.js';
import { transportErrorFrom } from './transports/transport-error-from.js';

export interface MailerOptions {
  /** Where messages go; see TransportSpec. */
  readonly transport: TransportSpec;
  /** AttachFile refuses files outside this directory (symlinks resolved). */
  readonly attachmentRoot?: string | undefined;
  /** The converter to lease from; the process-wide one by default. */
  readonly converter?: ConverterSource | undefined;
  /**
   * Allow addresses with a non-ASCII local part (josé@…) over SMTP. Off by default: a
   * server without SMTPUTF8 would otherwise get them silently, so Send fails loudly instead.
   */
  readonly smtputf8?: boolean | undefined;
  /** Sign every message with DKIM (one key, or several in `keys`), whatever the transport. */
  readonly dkim?: DkimOptions | undefined;
}

export interface SendResult {
  readonly messageId: string;
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  /** Transport name: 'pickup', 'smtp', 'memory', 'stream', 'json' or a custom one. */
  readonly transport: string;
  /** Pickup: the file written. */
  readonly path?: string;
  /** SMTP: the server's final reply. */
  readonly response?: string;
  readonly accepted?: readonly string[];
  readonly rejected?: readonly string[];
}

/** Per-send options of `deliver`. */
export interface DeliverOptions {
  /**
   * Runs after compose, before the transport: what it returns is sent instead (CDO.Message
   * uses it for what NewMail has no property for, and to keep the exact bytes it sent).
   */
  readonly finish?: ((message: SendMailOptions) => SendMailOptions | Promise<SendMailOptions>) | undefined;
}

/** A message without AttachFile or AttachURL files: nothing to read. */
const NO_FILES: SnapshotFiles = Object.freeze({ attachments: Object.freeze([]), resources: Object.freeze([]) });

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export type MailerState = 'open' | 'closing' | 'closed';

const transitions: TransitionTable<MailerState> = {
  open: ['closing'],
  closing: ['closed'],
  closed: [],
};

/**
 * Delivers snapshots: reads attachments, leases the converter for as long as compose
 * needs it, and hands the message to one transport. Any number of Mailers may exist;
 * `close()` drains the sends in flight before it closes the transport.
 */
export class Mailer {
  readonly #lifecycle = new StateMachine<MailerState>('open', transitions, 'Mailer');
  readonly #transport: ResolvedTransport;
  readonly #converter: ConverterSource;
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly attachmentRoot: string | undefined;
  readonly #smtputf8: boolean;
  readonly #dkim: ReturnType<typeof dkimOptions> | undefined;
  #keepAlive: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: MailerOptions) {
    this.#transport = createTransport(options.transport);
    this.#converter = options.converter ?? processConverter;
    this.attachmentRoot = options.attachmentRoot;
    this.#smtputf8 = options.smtputf8 ?? false;
    this.#dkim = options.dkim === undefined ? undefined : dkimOptions(options.dkim);
  }

  get state(): MailerState {
    return this.#lifecycle.state;
  }

  get transportName(): string {
    return this.#transport.name;
  }

  /** The in-memory store, when the transport is `memory:`. */
  get memory(): MemoryTransport | undefined {
    return this.#transport.memory;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  deliver(snapshot: MailSnapshot, options?: DeliverOptions): Promise<SendResult> {
    if (this.#lifecycle.state !== 'open') {
      return Promise.reject(new CdoError('CDO_E_END_OF_SESSION', `this Mailer is ${this.#lifecycle.state}`));
    }
    const task = this.#deliver(snapshot, options?.finish);
    this.#track(task);
    return task;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#lifecycle.state === 'open') this.#lifecycle.to('closing');
      while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
      await this.#transport.close();
      this.#lifecycle.to('closed');
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #deliver(snapshot: MailSnapshot, finish: DeliverOptions['finish']): Promise<SendResult> {
    if (this.#transport.name === 'smtp' && !this.#smtputf8) {
      const international = [snapshot.from, ...snapshot.to, ...snapshot.cc, ...snapshot.bcc].find((box) => /[^\u0020-\u007e]/u.test(box.address.slice(0, box.address.lastIndexOf('@'))));
      if (international !== undefined) {
        throw new CdoError('CDO_E_INVALID_PARAMETER', `${international.address} has a non-ASCII local part, which needs SMTPUTF8; enable smtputf8 if your server supports it`);
      }
    }
    const files = snapshot.attachments.length === 0 && snapshot.resources.length === 0 ? NO_FILES : await this.#readFiles(snapshot);
    const lease = needsConversion(snapshot) ? await this.#converter.acquire() : undefined;
    let message;
    try {
      message = await compose(snapshot, files, lease);
    } finally {
      await lease?.release();
    }
    if (finish !== undefined) message = await finish(message);
    const name = this.#transport.name;
    if (this.#dkim !== undefined) message.dkim = this.#dkim; // nodemailer signs the bytes every transport writes
    try {
      const info = await this.#transport.transporter.sendMail(message);
      const envelope = info.envelope as { from?: string | false; to?: string[] } | undefined;
      // Plain assignments in a fixed order, no conditional spreads (V8's slow paths).
      const result: Mutable<SendResult> = {
        messageId: info.messageId,
        envelope: { from: typeof envelope?.from === 'string' ? envelope.from : '', to: envelope?.to ?? [] },
        transport: name,
      };
      if (typeof info['path'] === 'string') result.path = info['path'];
      if (typeof info.response === 'string') result.response = info.response;
      if (Array.isArray(info.accepted)) result.accepted = info.accepted.map(String);
      if (Array.isArray(info.rejected)) result.rejected = info.rejected.map(String);
      return result;
    } catch (error) {
      throw transportErrorFrom(error, name);
    }
  }

  async #readFiles(snapshot: MailSnapshot): Promise<SnapshotFiles> {
    const read = async (path: string): Promise<Buffer> => readFile(await resolveAttachmentPath(path, this.attachmentRoot));
    const [attachments, resources] = await Promise.all([
      Promise.all(snapshot.attachments.map((a) => read(a.path))),
      Promise.all(snapshot.resources.map((r) => read(r.path))),
    ]);
    return { attachments, resources };
  }

  /** Holds a ref'd timer while anything is in flight: a script never exits mid-send. */
  #track(task: Promise<unknown>): void {
    this.#inFlight.add(task);
    this.#keepAlive ??= setInterval(() => undefined, 1 << 30);
    const done = (): void => {
      this.#inFlight.delete(task);
      if (this.#inFlight.size === 0 && this.#keepAlive !== undefined) {
        clearInterval(this.#keepAlive);
        this.#keepAlive = undefined;
      }
    };
    void task.then(done, done);
  }
}
