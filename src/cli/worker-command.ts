import { startMailWorker } from '../queue/mail-worker.js';
import { parseOptions } from './parse-options.js';
import { UsageError } from './usage-error.js';
import type { CliIo } from './cli-io.js';

export const WORKER_USAGE = `Usage: cdonts worker --redis URL --smtp URL [options]

Delivers what the queue transport (configure({ transport: 'redis://…' })) enqueued.
Run as many as you like, on as many machines, against one Redis or Redis Cluster.

  --redis URL        redis://host:port/DB?queue=NAME, or for a Redis Cluster
                     redis+cluster://host:port,host:port/?queue=NAME (required;
                     the same URL as the senders', so both use the same queue)
  --smtp URL         smtp://host:port or smtps://… (required)
  --concurrency N    jobs delivered at once by this worker (default 10)
  --rate N           at most N messages per second across all workers
  --lock-ms N        job lock; a killed worker's jobs return after it (default 30000)
  --local-domain D   deliver recipients in domain D to the drop folder (repeatable)
  --drop DIR         the drop folder (default ./mailroot/drop)
  --bounce           send the sender a delivery status notification (RFC 3464) on failure
  --hostname FQDN    the domain bounces come from (postmaster@FQDN)
  --connect-timeout MS  give up if Redis does not answer at start (default 10000)
  -h, --help         show this help

Stops gracefully on SIGTERM and SIGINT (jobs in flight finish).`;

export async function workerCommand(args: readonly string[], io: CliIo, isTty: boolean): Promise<number> {
  const { values } = parseOptions(args, { redis: { type: 'string' }, smtp: { type: 'string' }, concurrency: { type: 'string' }, rate: { type: 'string' }, 'lock-ms': { type: 'string' }, 'local-domain': { type: 'string', multiple: true }, drop: { type: 'string' }, bounce: { type: 'boolean' }, hostname: { type: 'string' }, 'connect-timeout': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help === true) {
    io.out(WORKER_USAGE);
    return 0;
  }
  if (values.redis === undefined || values.smtp === undefined) throw new UsageError('--redis and --smtp are required');
  const positive = (value: string | undefined, name: string): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
    return n;
  };
  const concurrency = positive(values.concurrency, '--concurrency');
  const rate = positive(values.rate, '--rate');
  const lock = positive(values['lock-ms'], '--lock-ms');
  const connectTimeout = positive(values['connect-timeout'], '--connect-timeout');
  // Counted from the events, which can come before startMailWorker has returned its handle.
  const seen = { delivered: 0, retrying: 0, failed: 0 };
  // Listen before starting: a SIGTERM that arrives while Redis is being reached must stop
  // the worker cleanly, not kill the process with the default action.
  const starting = new AbortController();
  const stopRequested = new Promise<void>((stop) => {
    const onSignal = (): void => {
      starting.abort(); // still connecting: give up now, not at the connect timeout
      stop();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  let handle;
  try {
    handle = await startMailWorker({
      signal: starting.signal,
      redis: values.redis,
      smtp: values.smtp,
      ...(concurrency === undefined ? {} : { concurrency }),
      ...(rate === undefined ? {} : { ratePerSecond: rate }),
      ...(lock === undefined ? {} : { lockDurationMs: lock }),
      ...(connectTimeout === undefined ? {} : { connectTimeoutMs: connectTimeout }),
      localDomains: values['local-domain'] ?? [],
      ...(values.drop === undefined ? {} : { drop: values.drop }),
      bounce: values.bounce === true,
      hostname: values.hostname,
      onEvent: (event) => {
        seen[event.type]++;
        if (!isTty) {
          io.out(JSON.stringify({ time: new Date().toISOString(), ...event }));
          return;
        }
        process.stderr.write(`\rdelivered ${seen.delivered}  retrying ${seen.retrying}  failed ${seen.failed}   `);
      },
    });
  } catch (error) {
    if (!starting.signal.aborted) throw error;
    io.out('worker: stopped before it was connected');
    return 0;
  }
  // Tells supervisors (and tests) that the worker is connected and takes jobs.
  if (!isTty) io.out(JSON.stringify({ time: new Date().toISOString(), type: 'ready' }));
  await stopRequested;
  await handle.close();
  if (isTty) process.stderr.write('\n');
  const s = handle.stats();
  io.out(`worker: stopped; ${s.delivered} delivered, ${s.failed} failed`);
  return 0;
}
