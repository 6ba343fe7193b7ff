import { randomInt } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CdoError } from '../errors/cdo-error.js';
import { StateMachine, type TransitionTable } from '../internal/state-machine.js';
import { createTransport, type ResolvedTransport, type TransportSpec } from '../transports/create-transport.js';
import { deliverRaw } from '../transports/deliver-raw.js';
import { readPickupFile } from './pickup-envelope.js';
import { buildDeliveryStatus } from './delivery-status.js';
import { checkReportingDomain, reportingDomain } from './reporting-domain.js';
import { isLocal, writeDropFile } from './drop-folder.js';
import { isProcessAlive } from '../internal/is-process-alive.js';

export interface RelayOptions {
  /** The pickup directory to watch; queue/ and badmail/ are created beside it. */
  readonly pickup: string;
  /** Where to deliver: an SMTP URL or options (anything configure() accepts). */
  readonly smtp: TransportSpec;
  /** Messages delivered at once. Default 10. */
  readonly concurrency?: number;
  /** First retry delay; doubles each attempt (with ±50 % jitter). Default 60 s. */
  readonly retryBaseMs?: number;
  /** Longest retry delay. Default 1 h. */
  readonly retryMaxDelayMs?: number;
  /** A message still undelivered this long after it was first claimed goes to badmail. Default 48 h. */
  readonly maxAgeMs?: number;
  /** How often the folders are scanned besides file-system events. Default 1 s. */
  readonly scanIntervalMs?: number;
  /** Recipients in these domains are written to the drop folder instead of SMTP, as IIS did for local domains. */
  readonly localDomains?: readonly string[];
  /** Where local mail goes; default drop/ beside the pickup directory. */
  readonly drop?: string;
  /** Send a delivery status notification (RFC 3464) to the sender when a message fails for good. */
  readonly bounce?: boolean;
  /**
   * The domain bounces come from (postmaster@…): a fully qualified name. Default: the
   * machine's fully qualified name, else the domain of the message's envelope sender.
   */
  readonly hostname?: string | undefined;
  /** At most this many messages handed to SMTP per second (0 or absent: no limit). */
  readonly ratePerSecond?: number;
  /** Called for every event; the CLI prints them. */
  readonly onEvent?: (event: RelayEvent) => void;
}

export type RelayEvent =
  | { readonly type: 'delivered'; readonly file: string; readonly recipients: readonly string[]; readonly response: string }
  | { readonly type: 'dropped'; readonly file: string; readonly recipients: readonly string[]; readonly path: string }
  | { readonly type: 'deferred'; readonly file: string; readonly reason: string; readonly retryInMs: number; readonly attempts: number }
  | { readonly type: 'failed'; readonly file: string; readonly reason: string };

export interface RelayStats {
  readonly state: RelayState;
  readonly delivered: number;
  readonly retrying: number;
  readonly failed: number;
  readonly queued: number;
  readonly inFlight: number;
}

export type RelayState = 'running' | 'stopping' | 'stopped';
const transitions: TransitionTable<RelayState> = { running: ['stopping'], stopping: ['stopped'], stopped: [] };

/** Bookkeeping kept beside a queued message (queue/NAME.json), written atomically. */
interface QueueRecord {
  firstClaimed: number;
  attempts: number;
  nextAttempt: number;
  done: string[];
  failed: Array<{ recipient: string; reason: string }>;
}

const OWNER = process.pid.toString(36);

/**
 * The IIS SMTP service's half of CDONTS: takes each message from the pickup directory by
 * an atomic rename into queue/ (so several relays can share one pickup directory and no
 * file is sent twice), delivers it over pooled SMTP to its envelope recipients, retries
 * temporary failures with exponential back-off and jitter, and moves permanent failures
 * to badmail/ with a reason file.
 *
 * A message being delivered is renamed to NAME.PID.sending; if that relay dies, the next
 * scan by any relay gives it back to the queue. Recipients already accepted are recorded
 * in NAME.json and never sent again; only a crash between the server's acceptance and
 * that record can send a message twice.
 */
export class Relay {
  readonly #lifecycle = new StateMachine<RelayState>('running', transitions, 'Relay');
  readonly pickup: string;
  readonly queue: string;
  readonly badmail: string;
  readonly drop: string;
  readonly #localDomains: ReadonlySet<string>;
  readonly #ratePerSecond: number;
  readonly #bounce: boolean;
  readonly #hostname: string | undefined;
  readonly #recentStarts: number[] = [];
  readonly #transport: ResolvedTransport;
  readonly #concurrency: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxDelayMs: number;
  readonly #maxAgeMs: number;
  readonly #onEvent: (event: RelayEvent) => void;
  readonly #inFlight = new Set<string>();
  readonly #waiting = new Map<string, number>(); // queued name → next attempt time
  #delivered = 0;
  #failed = 0;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #scanning: Promise<void> | undefined;
  #rescan = false;
  #stopping: Promise<void> | undefined;
  readonly #idleWaiters: Array<() => void> = [];

  constructor(options: RelayOptions) {
    this.pickup = resolve(options.pickup);
    this.queue = join(dirname(this.pickup), 'queue');
    this.badmail = join(dirname(this.pickup), 'badmail');
    this.drop = resolve(options.drop ?? join(dirname(this.pickup), 'drop'));
    this.#localDomains = new Set((options.localDomains ?? []).map((d) => d.toLowerCase()));
    this.#ratePerSecond = options.ratePerSecond ?? 0;
    this.#bounce = options.bounce ?? false;
    this.#hostname = checkReportingDomain(options.hostname);
    this.#transport = createTransport(options.smtp);
    this.#concurrency = options.concurrency ?? 10;
    this.#retryBaseMs = options.retryBaseMs ?? 60_000;
    this.#retryMaxDelayMs = options.retryMaxDelayMs ?? 3_600_000;
    this.#maxAgeMs = options.maxAgeMs ?? 48 * 3_600_000;
    this.#onEvent = options.onEvent ?? (() => undefined);
    const interval = options.scanIntervalMs ?? 1_000;
    this.#timer = setInterval(() => this.#kick(), interval);
  }

  /** Creates the folders, recovers orphans, starts watching. */
  async start(): Promise<this> {
    await Promise.all([mkdir(this.pickup, { recursive: true }), mkdir(this.queue, { recursive: true }), mkdir(this.badmail, { recursive: true })]);
    if (this.#localDomains.size > 0) await mkdir(this.drop, { recursive: true });
    this.#watcher = watch(this.pickup, () => this.#kick());
    this.#watcher.on('error', () => undefined);
    this.#kick();
    return this;
  }

  get state(): RelayState {
    return this.#lifecycle.state;
  }

  stats(): RelayStats {
    return {
      state: this.#lifecycle.state,
      delivered: this.#delivered,
      failed: this.#failed,
      retrying: [...this.#waiting.values()].filter((t) => t > Date.now()).length,
      queued: this.#waiting.size,
      inFlight: this.#inFlight.size,
    };
  }

  /**
   * Resolves when the pickup directory is empty and nothing is due: every message was
   * delivered, failed, or is waiting for a retry later (`--once`).
   */
  async drain(): Promise<void> {
    for (;;) {
      await this.#scan();
      const due = [...this.#waiting.values()].some((t) => t <= Date.now());
      const pickupEmpty = (await readdir(this.pickup)).every((n) => !n.endsWith('.eml'));
      if (this.#inFlight.size === 0 && !due && pickupEmpty) return;
      await new Promise<void>((done) => this.#idleWaiters.push(done));
    }
  }

  /** Stops claiming, lets the deliveries in flight finish, closes the SMTP pool. */
  close(): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#lifecycle.state === 'running') this.#lifecycle.to('stopping');
      clearInterval(this.#timer);
      this.#watcher?.close();
      // SMTP sockets are unref'd; hold the process open until the deliveries in flight end.
      const hold = setInterval(() => undefined, 1 << 30);
      try {
        while (this.#inFlight.size > 0 || this.#scanning !== undefined) {
          await new Promise<void>((done) => this.#idleWaiters.push(done));
        }
        await this.#transport.close();
      } finally {
        clearInterval(hold);
      }
      this.#lifecycle.to('stopped');
    })();
    return this.#stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #kick(): void {
    if (this.#lifecycle.state !== 'running') return;
    if (this.#scanning !== undefined) {
      this.#rescan = true;
      return;
    }
    void this.#scan();
  }

  #scan(): Promise<void> {
    this.#scanning ??= (async () => {
      try {
        do {
          this.#rescan = false;
          await this.#claimPickup();
          await this.#recoverOrphans();
          await this.#dispatch();
        } while (this.#rescan && this.#lifecycle.state === 'running');
      } catch {
        // a folder vanished or was unreadable: the next scan tries again
      } finally {
        this.#scanning = undefined;
        this.#wake();
      }
    })();
    return this.#scanning;
  }

  /** pickup/NAME.eml → queue/NAME.eml: whoever renames first owns it. */
  async #claimPickup(): Promise<void> {
    for (const name of (await readdir(this.pickup)).filter((n) => n.endsWith('.eml')).sort()) {
      if (this.#lifecycle.state !== 'running') return;
      try {
        await rename(join(this.pickup, name), join(this.queue, name));
      } catch {
        continue; // another relay took it
      }
      const record: QueueRecord = { firstClaimed: Date.now(), attempts: 0, nextAttempt: 0, done: [], failed: [] };
      await writeRecord(this.queue, name, record);
      this.#waiting.set(name, 0);
    }
  }

  /** Messages whose delivering relay died go back to the queue; queued ones are learnt. */
  async #recoverOrphans(): Promise<void> {
    for (const name of await readdir(this.queue)) {
      const temporary = /\.([0-9a-z]+)\.tmp$/u.exec(name);
      if (temporary !== null && !isProcessAlive(Number.parseInt(temporary[1] ?? '', 36))) {
        await unlink(join(this.queue, name)).catch(() => undefined); // a record write cut short
        continue;
      }
      const sending = /^(.+\.eml)\.([0-9a-z]+)\.sending$/u.exec(name);
      if (sending !== null) {
        const [, original = '', owner = ''] = sending;
        if (owner !== OWNER && !isProcessAlive(Number.parseInt(owner, 36))) {
          const back = await rename(join(this.queue, name), join(this.queue, original)).then(
            () => true,
            () => false,
          );
          // Learnt now, not at the next scan: drain() (--once) would otherwise end without it.
          if (back && !this.#waiting.has(original) && !this.#inFlight.has(original)) {
            this.#waiting.set(original, (await readRecord(this.queue, original))?.nextAttempt ?? 0);
          }
        }
        continue;
      }
      if (name.endsWith('.eml') && !this.#waiting.has(name) && !this.#inFlight.has(name)) {
        const record = await readRecord(this.queue, name);
        this.#waiting.set(name, record?.nextAttempt ?? 0);
      }
    }
  }

  async #dispatch(): Promise<void> {
    const now = Date.now();
    const due = [...this.#waiting].filter(([, at]) => at <= now).sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [name] of due) {
      if (this.#inFlight.size >= this.#concurrency || this.#lifecycle.state !== 'running') return;
      if (this.#ratePerSecond > 0) {
        // a sliding one-second window: the limit holds across every connection of the pool
        while (this.#recentStarts.length > 0 && (this.#recentStarts[0] ?? 0) <= Date.now() - 1_000) this.#recentStarts.shift();
        if (this.#recentStarts.length >= this.#ratePerSecond) return; // the periodic scan resumes
        this.#recentStarts.push(Date.now());
      }
      this.#waiting.delete(name);
      this.#inFlight.add(name);
      void this.#deliver(name).finally(() => {
        this.#inFlight.delete(name);
        this.#wake();
        this.#kick();
      });
    }
  }

  async #deliver(name: string): Promise<void> {
    const owned = join(this.queue, `${name}.${OWNER}.sending`);
    try {
      await rename(join(this.queue, name), owned);
    } catch {
      return; // another relay is delivering it
    }
    const record = (await readRecord(this.queue, name)) ?? { firstClaimed: Date.now(), attempts: 0, nextAttempt: 0, done: [], failed: [] };
    let parsed;
    try {
      parsed = readPickupFile(await readFile(owned));
    } catch (error) {
      await this.#toBadmail(name, owned, record, `unreadable message: ${(error as Error).message}`);
      return;
    }
    const pending = parsed.recipients.filter((r) => !record.done.includes(r) && !record.failed.some((f) => f.recipient === r));
    if (parsed.from === '' && pending.length === 0) {
      await this.#toBadmail(name, owned, record, 'no sender and no recipients (no X-Sender/X-Receiver lines and no From/To headers)');
      return;
    }
    const bounceTo = parsed.from;
    const headersOf = (): string => {
      const end = parsed.message.indexOf('\r\n\r\n');
      return parsed.message.toString('utf8', 0, end < 0 ? parsed.message.length : end + 2);
    };
    record.attempts++;
    let temporary: string | undefined;
    const local = pending.filter((r) => isLocal(r, this.#localDomains));
    if (local.length > 0) {
      const path = await writeDropFile(this.drop, name, parsed.from, local, parsed.message);
      record.done.push(...local);
      await writeRecord(this.queue, name, record);
      this.#onEvent({ type: 'dropped', file: name, recipients: local, path });
    }
    const remote = pending.filter((r) => !local.includes(r));
    pending.length = 0;
    pending.push(...remote);
    if (pending.length > 0) {
      const outcome = await deliverRaw(this.#transport.transporter, parsed.from, pending, parsed.message);
      record.done.push(...outcome.accepted);
      record.failed.push(...outcome.failed);
      temporary = outcome.deferred[0]?.reason;
      if (outcome.accepted.length > 0) this.#onEvent({ type: 'delivered', file: name, recipients: outcome.accepted, response: outcome.response });
    }
    if (temporary !== undefined) {
      if (Date.now() - record.firstClaimed > this.#maxAgeMs) {
        const reason = `gave up after ${record.attempts} attempts: ${temporary}`;
        const unreached = pending.filter((r) => !record.done.includes(r) && !record.failed.some((f) => f.recipient === r));
        record.failed.push(...unreached.map((recipient) => ({ recipient, reason: temporary ?? reason })));
        if (this.#bounce && bounceTo !== '') await this.#sendBounce(name, bounceTo, record, headersOf());
        await this.#toBadmail(name, owned, record, reason);
        return;
      }
      const delay = this.#retryDelay(record.attempts);
      record.nextAttempt = Date.now() + delay;
      await writeRecord(this.queue, name, record);
      await rename(owned, join(this.queue, name));
      this.#waiting.set(name, record.nextAttempt);
      this.#onEvent({ type: 'deferred', file: name, reason: temporary, retryInMs: delay, attempts: record.attempts });
      return;
    }
    if (record.failed.length > 0) {
      if (this.#bounce && bounceTo !== '') await this.#sendBounce(name, bounceTo, record, headersOf());
      await this.#toBadmail(name, owned, record, record.failed.map((f) => `${f.recipient}: ${f.reason}`).join('\n'));
      return;
    }
    await unlink(owned);
    await unlink(recordPath(this.queue, name)).catch(() => undefined);
    this.#delivered++;
  }

  /**
   * The bounce goes into the pickup directory like any message, from the null sender
   * (X-Sender empty), so this relay delivers it and it can never bounce in turn.
   */
  async #sendBounce(name: string, to: string, record: QueueRecord, originalHeaders: string): Promise<void> {
    const bytes = await buildDeliveryStatus({ to, failed: record.failed, originalHeaders, arrival: new Date(record.firstClaimed), reportingMta: reportingDomain(this.#hostname, to) });
    const file = `${basename(name, '.eml')}-dsn.eml`;
    const temporary = join(this.pickup, `${file}.${OWNER}.tmp`);
    await writeFile(temporary, Buffer.concat([Buffer.from(`X-Sender: \r\nX-Receiver: ${to}\r\n`), bytes]));
    await rename(temporary, join(this.pickup, file));
  }


  #retryDelay(attempts: number): number {
    const exponential = Math.min(this.#retryMaxDelayMs, this.#retryBaseMs * 2 ** (attempts - 1));
    return Math.round(exponential * (0.5 + randomInt(0, 1_000_001) / 1_000_000)); // ±50 % jitter
  }

  async #toBadmail(name: string, owned: string, record: QueueRecord, reason: string): Promise<void> {
    const delivered = record.done.length > 0 ? `\nDelivered to: ${record.done.join(', ')}` : '';
    await writeFile(join(this.badmail, `${basename(name, '.eml')}.reason.txt`), `${reason}${delivered}\nAttempts: ${record.attempts}\n`);
    await rename(owned, join(this.badmail, name));
    await unlink(recordPath(this.queue, name)).catch(() => undefined);
    this.#failed++;
    this.#onEvent({ type: 'failed', file: name, reason });
  }

  #wake(): void {
    for (const waiter of this.#idleWaiters.splice(0)) waiter();
  }
}

/** Starts a relay: `await startRelay({ pickup, smtp })`; `await relay.close()` stops it. */
export async function startRelay(options: RelayOptions): Promise<Relay> {
  if (typeof options.pickup !== 'string' || options.pickup === '') throw new CdoError('CDO_E_INVALID_PARAMETER', 'startRelay needs a pickup directory');
  return new Relay(options).start();
}

function recordPath(queue: string, name: string): string {
  return join(queue, `${name}.json`);
}

async function readRecord(queue: string, name: string): Promise<QueueRecord | undefined> {
  try {
    return JSON.parse(await readFile(recordPath(queue, name), 'utf8')) as QueueRecord;
  } catch {
    return undefined;
  }
}

async function writeRecord(queue: string, name: string, record: QueueRecord): Promise<void> {
  const temporary = `${recordPath(queue, name)}.${OWNER}.tmp`;
  await writeFile(temporary, JSON.stringify(record));
  await rename(temporary, recordPath(queue, name));
}

