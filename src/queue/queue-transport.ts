import type MailMessage from 'nodemailer/lib/mailer/mail-message';
import type { SentMessageInfo, Transport } from 'nodemailer';
import type { Queue } from 'bullmq';
import { TransportError } from '../errors/transport-error.js';
import { crlfBytes } from '../transports/mail-bytes.js';
import { redisTarget, type RedisQueueOptions, type RedisTarget } from './redis-target.js';
import { queueConnection, type QueueConnection } from './queue-connection.js';

/** What one job carries: the message as the SMTP server will get it, and its envelope. */
export interface MailJob {
  readonly from: string;
  readonly to: readonly string[];
  /** base64 of the CRLF message */
  readonly raw: string;
  /** recipients already accepted by an earlier attempt */
  readonly done?: readonly string[];
  /** recipients refused for good by an earlier attempt */
  readonly failed?: ReadonlyArray<{ readonly recipient: string; readonly reason: string }>;
}

export interface QueueTransportOptions {
  /** Largest message accepted into Redis (bytes). Default 10 MiB. */
  readonly maxMessageBytes?: number;
  /** How long an enqueue may take before it fails (Redis down). Default 5 s. */
  readonly timeoutMs?: number;
  /** Delivery attempts before a temporarily failing message is given up. Default 10. */
  readonly attempts?: number;
  /** First retry delay (doubles each attempt). Default 60 s. */
  readonly backoffMs?: number;
}

/**
 * The queue transport: composes as any transport does, then enqueues the raw bytes and
 * the envelope as one BullMQ job whose id is the Message-ID, so a retried Send() never
 * enqueues twice. Resolves once Redis has accepted the job; a Redis that cannot be
 * reached is a typed error within `timeoutMs`, never a hang.
 */
export class QueueTransport implements Transport {
  readonly name = 'queue';
  readonly version = '1';
  readonly target: RedisTarget;
  readonly #options: Required<QueueTransportOptions>;
  /** Ready once BullMQ has connected; undefined again when that failed. */
  #queue: Promise<Queue> | undefined;
  /** What #queue opens, as soon as it exists: close() must not wait for a Redis that is away. */
  #opened: { queue: Queue; connection: QueueConnection } | undefined;
  #closes = 0;

  constructor(spec: string | (RedisQueueOptions & QueueTransportOptions), options: QueueTransportOptions = {}) {
    this.target = redisTarget(spec);
    if (typeof spec !== 'string') options = { ...spec, ...options };
    // URL query parameters: ?queue=NAME&attempts=10&backoff=60000&maxBytes=10485760&timeout=5000
    // (split by hand: a redis+cluster:// host list is no WHATWG URL)
    const query = new URLSearchParams(typeof spec === 'string' ? (/\?([^#]*)/u.exec(spec)?.[1] ?? '') : '');
    const fromQuery = (name: string): number | undefined => {
      const value = query.get(name);
      if (value === null) return undefined;
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) throw new TransportError('CDO_E_INVALID_SEND_OPTION', `${name} must be a positive number`, { transport: 'queue' });
      return n;
    };
    const given = {
      maxMessageBytes: fromQuery('maxBytes'),
      timeoutMs: fromQuery('timeout'),
      attempts: fromQuery('attempts'),
      backoffMs: fromQuery('backoff'),
    };
    this.#options = {
      maxMessageBytes: options.maxMessageBytes ?? given.maxMessageBytes ?? 10 * 1024 * 1024,
      timeoutMs: options.timeoutMs ?? given.timeoutMs ?? 5_000,
      attempts: options.attempts ?? given.attempts ?? 10,
      backoffMs: options.backoffMs ?? given.backoffMs ?? 60_000,
    };
  }

  send(mail: MailMessage, callback: (err: Error | null, info: SentMessageInfo) => void): void {
    this.#enqueue(mail).then(
      (info) => callback(null, info),
      (error: unknown) => callback(error as Error, undefined as unknown as SentMessageInfo),
    );
  }

  async close(): Promise<void> {
    this.#closes++;
    const opened = this.#opened;
    this.#opened = undefined;
    this.#queue = undefined;
    await opened?.queue.close();
    opened?.connection.close();
  }

  async #enqueue(mail: MailMessage): Promise<SentMessageInfo> {
    const envelope = mail.message.getEnvelope();
    const messageId = mail.message.messageId();
    const raw = await crlfBytes(mail);
    if (raw.length > this.#options.maxMessageBytes) {
      throw new TransportError('CDO_E_STRING_TOO_LONG', `the message is ${raw.length} bytes; the queue takes at most ${this.#options.maxMessageBytes}`, { transport: this.name });
    }
    const job: MailJob = { from: envelope.from === false ? '' : envelope.from, to: [...envelope.to], raw: raw.toString('base64') };
    const jobId = messageId.replace(/[<>]/gu, '').replace(/:/gu, '_');
    try {
      const queue = await this.#withTimeout(this.#open(), 'connect');
      await this.#withTimeout(
        queue.add('mail', job, { jobId, attempts: this.#options.attempts, backoff: { type: 'exponential', delay: this.#options.backoffMs }, removeOnComplete: { age: 24 * 3600 }, removeOnFail: false }),
        'enqueue',
      );
    } catch (error) {
      if (error instanceof TransportError) throw error;
      const reason = error instanceof Error ? `: ${error.message}` : '';
      throw new TransportError('CDO_E_FAILED_TO_CONNECT', `Redis did not take the message${reason}`, { transport: this.name }, { cause: error });
    }
    return { envelope, messageId, response: `queued as ${jobId} in ${this.target.queue}` };
  }

  #open(): Promise<Queue> {
    this.#queue ??= this.#connect();
    return this.#queue;
  }

  async #connect(): Promise<Queue> {
    const closes = this.#closes;
    const { Queue } = await import('bullmq');
    const connection = await queueConnection(this.target, 'producer', this.#options.timeoutMs);
    if (closes !== this.#closes) {
      connection.close(); // closed while we were loading
      throw new TransportError('CDO_E_END_OF_SESSION', 'the queue transport was closed', { transport: this.name });
    }
    const queue = new Queue(this.target.queue, { connection: connection.connection, prefix: connection.prefix });
    queue.on('error', () => undefined); // reported by the Send that fails; unheard, BullMQ prints it
    const opened = { queue, connection };
    this.#opened = opened;
    try {
      await queue.waitUntilReady();
      return queue;
    } catch (error) {
      // A cluster none of whose nodes answered stays failed in BullMQ: the next Send starts afresh.
      if (this.#opened === opened) {
        this.#opened = undefined;
        this.#queue = undefined;
      }
      await queue.close().catch(() => undefined);
      connection.close();
      throw error;
    }
  }

  async #withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TransportError('CDO_E_FAILED_TO_CONNECT', `Redis did not answer (${what}) within ${this.#options.timeoutMs} ms`, { transport: this.name })), this.#options.timeoutMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
