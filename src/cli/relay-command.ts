import { Relay, type RelayEvent } from '../relay/relay.js';
import { parseOptions } from './parse-options.js';
import { UsageError } from './usage-error.js';
import type { CliIo } from './cli-io.js';

export const RELAY_USAGE = `Usage: cdonts relay --pickup DIR --smtp URL [options]

Delivers what lands in the pickup directory over SMTP, as the IIS SMTP service did.
queue/ and badmail/ are created beside DIR.

  --pickup DIR          the pickup directory (default ./mailroot/pickup)
  --smtp URL            smtp://host:port or smtps://… (required)
  --concurrency N       messages delivered at once (default 10)
  --retry-base SEC      first retry delay, doubling each attempt (default 60)
  --max-age HOURS       give up and move to badmail after this long (default 48)
  --local-domain D      deliver recipients in domain D to the drop folder (repeatable)
  --drop DIR            the drop folder (default drop/ beside the pickup directory)
  --rate N              at most N messages per second over SMTP
  --bounce              send the sender a delivery status notification (RFC 3464) on failure
  --hostname FQDN       the domain bounces come from (postmaster@FQDN); default the
                        machine's fully qualified name, else the sender's domain
  --once                deliver what is there now, then exit with a summary
  -h, --help            show this help

Stops gracefully on SIGTERM and SIGINT. Exit codes: 0 done, 1 messages failed (--once), 2 bad arguments.`;

export async function relayCommand(args: readonly string[], io: CliIo, isTty: boolean): Promise<number> {
  const { values } = parseOptions(args, {
    pickup: { type: 'string' },
    smtp: { type: 'string' },
    concurrency: { type: 'string' },
    'retry-base': { type: 'string' },
    'max-age': { type: 'string' },
    'local-domain': { type: 'string', multiple: true },
    drop: { type: 'string' },
    rate: { type: 'string' },
    bounce: { type: 'boolean' },
    hostname: { type: 'string' },
    once: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help === true) {
    io.out(RELAY_USAGE);
    return 0;
  }
  if (values.smtp === undefined) throw new UsageError('--smtp is required');
  const number = (value: string | undefined, name: string, fallback: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got ${JSON.stringify(value)}`);
    return n;
  };
  const counts = { delivered: 0, deferred: 0, failed: 0 };
  const current: { relay?: Relay } = {}; // events may arrive before start() has returned
  const progress = (): void => {
    const stats = current.relay?.stats();
    process.stderr.write(`\rdelivered ${counts.delivered}  retrying ${stats?.retrying ?? 0}  queued ${stats?.queued ?? 0}  failed ${counts.failed}   `);
  };
  const onEvent = (event: RelayEvent): void => {
    if (event.type === 'delivered' || event.type === 'dropped') counts.delivered++;
    else if (event.type === 'deferred') counts.deferred++;
    else counts.failed++;
    if (isTty) progress();
    else io.out(JSON.stringify({ time: new Date().toISOString(), ...event }));
  };
  // Listen before starting: a SIGTERM during start must stop the relay cleanly.
  const stopRequested = new Promise<void>((resolveStop) => {
    process.once('SIGTERM', () => resolveStop());
    process.once('SIGINT', () => resolveStop());
  });
  const relay = await new Relay({
    pickup: values.pickup ?? './mailroot/pickup',
    smtp: values.smtp,
    concurrency: number(values.concurrency, '--concurrency', 10),
    retryBaseMs: number(values['retry-base'], '--retry-base', 60) * 1000,
    maxAgeMs: number(values['max-age'], '--max-age', 48) * 3_600_000,
    localDomains: values['local-domain'] ?? [],
    ...(values.drop === undefined ? {} : { drop: values.drop }),
    ratePerSecond: values.rate === undefined ? 0 : number(values.rate, '--rate', 0),
    bounce: values.bounce === true,
    hostname: values.hostname,
    onEvent,
  }).start();
  current.relay = relay;
  if (values.once === true) {
    await Promise.race([relay.drain(), stopRequested]);
    await relay.close();
    const stats = relay.stats();
    if (isTty) process.stderr.write('\n');
    io.out(`relay: ${stats.delivered} delivered, ${stats.failed} failed, ${stats.queued} waiting to retry`);
    return stats.failed > 0 ? 1 : 0;
  }
  await stopRequested;
  await relay.close();
  if (isTty) process.stderr.write('\n');
  io.out(`relay: stopped; ${relay.stats().delivered} delivered, ${relay.stats().failed} failed`);
  return 0;
}
