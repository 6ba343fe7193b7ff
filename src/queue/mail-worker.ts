import type { Job, Worker } from 'bullmq';
import { createTransport, type ResolvedTransport, type TransportSpec } from '../transports/create-transport.js';
import { deliverRaw, type RecipientFailure } from '../transports/deliver-raw.js';
import type { MailJob } from './queue-transport.js';
import { redisTarget, type RedisQueueOptions } from './redis-target.js';
import { queueConnection } from './queue-connection.js';
import { CdoError } from '../errors/cdo-error.js';
import { buildDeliveryStatus } from '../relay/delivery-status.js';
import { isLocal, writeDropFile } from '../relay/drop-folder.js';
import { checkReportingDomain, reportingDomain } from '../relay/reporting-domain.js';

export interface MailWorkerOptions {
  /**
   * The queue the queue transport fills, given the same way: redis://host:port/DB?queue=NAME,
   * redis+cluster://host:port,host:port/?queue=NAME, { redis: ioredis options, queue } or
   * { cluster: [{ host, port }…], clusterOptions, queue }.
   */
  readonly redis: string | RedisQueueOptions;
  /** How long start-up may wait for Redis before it fails with CDO_E_FAILED_TO_CONNECT. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Aborting it while start-up still waits for Redis gives up at once (CDO_E_FAILED_TO_CONNECT, `cause` the abort). */
  readonly signal?: AbortSignal;
  /** Where to deliver: an SMTP URL or options. */
  readonly smtp: TransportSpec;
  /** Jobs delivered at once by this worker. Default 10. */
  readonly concurrency?: number;
  /** At most this many messages per second across every worker of the queue (BullMQ's limiter). */
  readonly ratePerSecond?: number;
  /**
   * How long a job stays locked to this worker without a heartbeat. A worker killed
   * mid-delivery gives its jobs back after this (and a stalled check). Default 30 s.
   */
  readonly lockDurationMs?: number;
  /** Recipients in these domains are written to `drop` instead of SMTP, as the relay does. */
  readonly localDomains?: readonly string[];
  /** The drop folder for local delivery. Default ./mailroot/drop. */
  readonly drop?: string;
  /** The domain bounces come from (postmaster@…); default as the relay's `hostname`. */
  readonly hostname?: string | undefined;
  /** On a permanent failure, enqueue a delivery status notification (RFC 3464) to the sender. */
  readonly bounce?: boolean;
  readonly onEvent?: (event: { type: 'delivered' | 'retrying' | 'failed'; id: string; detail: string }) => void;
}

export interface MailWorkerHandle {
  readonly worker: Worker<MailJob>;
  stats(): { delivered: number; retrying: number; failed: number };
  /** Finishes the jobs in flight (others stay queued for another worker), then disconnects. */
  close(): Promise<void>;
}

/**
 * Delivers what the queue transport enqueued: a BullMQ worker over pooled SMTP.
 * Temporary failures throw, so BullMQ retries the job with its exponential back-off;
 * permanent ones are unrecoverable and land in the failed set with the SMTP reply.
 * Recipients accepted by an earlier attempt are recorded on the job and never sent again.
 */
export async function startMailWorker(options: MailWorkerOptions): Promise<MailWorkerHandle> {
  const { Worker, UnrecoverableError } = await import('bullmq');
  const target = redisTarget(options.redis);
  const smtp: ResolvedTransport = createTransport(options.smtp);
  const counts = { delivered: 0, retrying: 0, failed: 0 };
  const emit = options.onEvent ?? (() => undefined);
  const reportingHost = checkReportingDomain(options.hostname);

  const localDomains = new Set((options.localDomains ?? []).map((d) => d.toLowerCase()));
  const drop = options.drop ?? './mailroot/drop';
  const { Queue } = await import('bullmq');
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  const redis = await queueConnection(target, 'worker', connectTimeoutMs);
  const bounceQueue = options.bounce === true ? new Queue<MailJob>(target.queue, { connection: redis.connection, prefix: redis.prefix }) : undefined;

  const bounce = async (job: Job<MailJob>, failed: readonly RecipientFailure[]): Promise<void> => {
    if (bounceQueue === undefined || job.data.from === '' || failed.length === 0) return; // a bounce is never bounced
    const raw = Buffer.from(job.data.raw, 'base64');
    const end = raw.indexOf('\r\n\r\n');
    const dsn = await buildDeliveryStatus({
      to: job.data.from,
      failed,
      originalHeaders: raw.toString('utf8', 0, end < 0 ? raw.length : end + 2),
      arrival: new Date(job.timestamp),
      reportingMta: reportingDomain(reportingHost, job.data.from),
    });
    await bounceQueue.add('mail', { from: '', to: [job.data.from], raw: dsn.toString('base64') }, { jobId: `dsn-${job.id ?? ''}`, attempts: 10, backoff: { type: 'exponential', delay: 60_000 } });
  };

  const processor = async (job: Job<MailJob>): Promise<string> => {
    const done = new Set(job.data.done ?? []);
    let pending = job.data.to.filter((r) => !done.has(r));
    const local = pending.filter((r) => isLocal(r, localDomains));
    if (local.length > 0) {
      await writeDropFile(drop, `${(job.id ?? 'job').replace(/[^\w.-]/gu, '_')}.eml`, job.data.from, local, Buffer.from(job.data.raw, 'base64'));
      for (const r of local) done.add(r);
      await job.updateData({ ...job.data, done: [...done] });
      pending = pending.filter((r) => !done.has(r));
    }
    const failed = [...(job.data.failed ?? [])];
    pending = pending.filter((r) => !failed.some((f) => f.recipient === r));
    if (pending.length === 0 && failed.length === 0) return 'delivered locally';
    const outcome = pending.length === 0 ? undefined : await deliverRaw(smtp.transporter, job.data.from, pending, Buffer.from(job.data.raw, 'base64'));
    for (const r of outcome?.accepted ?? []) done.add(r);
    failed.push(...(outcome?.failed ?? []));
    if (outcome !== undefined && outcome.deferred.length > 0) {
      // keep what this attempt settled; BullMQ retries the rest with its back-off
      await job.updateData({ ...job.data, done: [...done], failed });
      counts.retrying++;
      const detail = outcome.deferred.map((d) => `${d.recipient}: ${d.reason}`).join('; ');
      emit({ type: 'retrying', id: job.id ?? '', detail });
      throw new Error(`deferred: ${detail}`);
    }
    await bounce(job, failed);
    if (done.size === 0) {
      counts.failed++;
      const detail = failed.map((f) => `${f.recipient}: ${f.reason}`).join('; ');
      emit({ type: 'failed', id: job.id ?? '', detail });
      throw new UnrecoverableError(detail); // to the failed set, with the SMTP replies
    }
    counts.delivered++;
    const response = failed.length === 0 ? (outcome?.response ?? 'accepted') : `${outcome?.response ?? ''}; refused: ${failed.map((f) => f.recipient).join(', ')}`;
    emit({ type: 'delivered', id: job.id ?? '', detail: response });
    return response;
  };

  const worker = new Worker<MailJob>(target.queue, processor, {
    connection: redis.connection,
    prefix: redis.prefix,
    concurrency: options.concurrency ?? 10,
    // A job whose worker died goes back to the queue however often that happens: BullMQ's
    // default (fail after one stall) would lose a message whose worker was killed twice.
    maxStalledCount: 1_000,
    ...(options.lockDurationMs === undefined ? {} : { lockDuration: options.lockDurationMs, stalledInterval: Math.max(500, Math.floor(options.lockDurationMs / 2)) }),
    ...(options.ratePerSecond === undefined || options.ratePerSecond <= 0 ? {} : { limiter: { max: options.ratePerSecond, duration: 1_000 } }),
  });
  worker.on('error', () => undefined); // connection loss: ioredis reconnects, the worker resumes
  bounceQueue?.on('error', () => undefined);
  const close = async (force = false): Promise<void> => {
    await worker.close(force);
    await bounceQueue?.close();
    redis.close();
    await smtp.close();
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all([worker.waitUntilReady(), bounceQueue?.waitUntilReady()]),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${connectTimeoutMs} ms`)), connectTimeoutMs);
        const { signal } = options;
        if (signal?.aborted === true) reject(new Error('start-up was aborted'));
        signal?.addEventListener('abort', () => reject(new Error('start-up was aborted')), { once: true });
      }),
    ]);
  } catch (error) {
    // A worker that cannot reach Redis at start says so, instead of waiting silently.
    await close(true).catch(() => undefined);
    const where = target.kind === 'cluster' ? `the Redis Cluster at ${target.nodes.map((n) => `${n.host}:${n.port}`).join(',')}` : 'Redis';
    throw new CdoError('CDO_E_FAILED_TO_CONNECT', `the worker could not reach ${where}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  return { worker, stats: () => ({ ...counts }), close: () => close() };
}
