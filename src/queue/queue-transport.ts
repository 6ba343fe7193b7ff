import type MailMessage from 'nodemailer/lib/mailer/mail-message';
import type { SentMessageInfo, Transport } from 'nodemailer';
import type { Queue } from 'bullmq';
import { TransportError } from '../errors/transport-error.js';
import { crlfBytes } from '../transports/mail-bytes.js';
import { redisTarget, type RedisQueueOptions, type RedisTarget } from './redis-url.js';

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
  #queue: Promise<Queue> | undefined;

  constructor(spec: string | (RedisQueueOptions & QueueTransportOptions), options: QueueTransportOptions = {}) {
    this.target = redisTarget(spec);
    if (typeof spec !== 'string') options = { ...spec, ...options };
    // URL query parameters: ?queue=NAME&attempts=10&backoff=60000&maxBytes=10485760&timeout=5000
    const query = typeof spec === 'string' ? new URL(spec).searchParams : new URLSearchParams();
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
    const queue = this.#queue;
    this.#queue = undefined;
    await (await queue?.catch(() => undefined))?.close();
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
      throw new TransportError('CDO_E_FAILED_TO_CONNECT', 'Redis did not take the message', { transport: this.name }, { cause: error });
    }
    return { envelope, messageId, response: `queued as ${jobId} in ${this.target.queue}` };
  }

  #open(): Promise<Queue> {
    this.#queue ??= import('bullmq').then(
      ({ Queue }) =>
        new Queue(this.target.queue, {
          // Commands fail at once while Redis is away instead of waiting in memory: Send must never hang.
          connection: { ...this.target.connection, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: this.#options.timeoutMs, lazyConnect: false },
        }),
    );
    return this.#queue;
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
