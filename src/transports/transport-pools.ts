import type { GetSocketHandler } from 'nodemailer/lib/mailer';
import { converter } from '../converter/converter.js';
import { StateMachine, type TransitionTable } from '../internal/state-machine.js';
import type { DkimOptions } from '../dkim-options.js';
import { Mailer } from '../mailer.js';
import type { TransportSpec } from './create-transport.js';
import { unrefSocket } from './unref-socket.js';

/** What a pool is for: the transport spec, its key, and a description without secrets. */
export interface PoolRequest {
  /** Equal keys share one pool: derived from every effective setting, secrets hashed. */
  readonly key: string;
  /** Shown by transportStats(); never holds a password. */
  readonly settings: Readonly<Record<string, string | number | boolean>>;
  readonly transport: TransportSpec;
  readonly attachmentRoot?: string | undefined;
  readonly smtputf8?: boolean | undefined;
  /** configure({ dkim }): a pool signs as the default Mailer does. */
  readonly dkim?: DkimOptions | undefined;
}

export interface PoolStats {
  readonly settings: Readonly<Record<string, string | number | boolean>>;
  readonly state: PoolState;
  /** Senders holding the pool now. */
  readonly leases: number;
  /** Sockets the pool has open now (SMTP; 0 for pickup). */
  readonly sockets: number;
  /** Sockets it has opened in all. */
  readonly socketsOpened: number;
  readonly sends: number;
}

/** `leased` while someone holds it, `idle` while its linger runs, then `closing`, `closed`. */
export type PoolState = 'leased' | 'idle' | 'closing' | 'closed';

const transitions: TransitionTable<PoolState> = {
  leased: ['idle', 'closing'],
  idle: ['leased', 'closing'],
  closing: ['closed'],
  closed: [],
};

/** A sender's hold on a shared pool. `release()` is idempotent. */
export interface PoolLease {
  readonly mailer: Mailer;
  release(): void;
}

class Pool {
  readonly #lifecycle = new StateMachine<PoolState>('leased', transitions, 'transport pool');
  readonly request: PoolRequest;
  readonly mailer: Mailer;
  refs = 0;
  sends = 0;
  sockets = 0;
  socketsOpened = 0;
  cancelLinger: (() => void) | undefined;
  closed: Promise<void> | undefined;

  constructor(request: PoolRequest) {
    this.request = request;
    const transport = typeof request.transport === 'object' && request.transport !== null && !('sendMail' in request.transport) && !('send' in request.transport) && request.settings['kind'] === 'smtp'
      ? { ...request.transport, getSocket: this.#countingSocket }
      : request.transport;
    this.mailer = new Mailer({ transport, attachmentRoot: request.attachmentRoot, smtputf8: request.smtputf8, dkim: request.dkim });
  }

  get state(): PoolState {
    return this.#lifecycle.state;
  }

  to(next: PoolState): void {
    this.#lifecycle.to(next);
  }

  /** unref'd sockets as every pooled socket of ours, counted while open. */
  readonly #countingSocket: GetSocketHandler = (options, callback) => {
    unrefSocket(options, (error, result) => {
      const socket = typeof result === 'object' ? result.connection : undefined;
      if (error === null && socket !== undefined) {
        this.sockets++;
        this.socketsOpened++;
        socket.once('close', () => this.sockets--);
      }
      callback(error, result);
    });
  };
}

export interface TransportPoolsOptions {
  /** The idle linger (ms); the converter's linger by default, so configure({ converterLingerMs }) sets both. */
  readonly lingerMs?: () => number;
  /** Test seam, as the converter's: schedules the linger, returns its cancel. */
  readonly scheduleLinger?: (callback: () => void, ms: number) => () => void;
}

/**
 * The registry of shared transport pools (DESIGN §2): one Mailer per distinct effective
 * configuration, leased and reference-counted like the converter. A pool whose last lease
 * goes lingers, then closes; a lease taken meanwhile keeps it. A pool is never closed
 * while a lease on it is live, except by close() at shutdown, which drains sends first.
 */
export class TransportPools {
  readonly #pools = new Map<string, Pool>();
  readonly #closing = new Set<Promise<void>>();
  readonly #lingerMs: () => number;
  readonly #scheduleLinger: (callback: () => void, ms: number) => () => void;

  constructor(options: TransportPoolsOptions = {}) {
    this.#lingerMs = options.lingerMs ?? (() => converter.lingerMs);
    this.#scheduleLinger = options.scheduleLinger ?? lingerTimer;
  }

  /** Takes a lease on the pool for `request.key`, opening it on first use. */
  lease(request: PoolRequest): PoolLease {
    let pool = this.#pools.get(request.key);
    if (pool === undefined) {
      pool = new Pool(request); // throws on a bad transport before anything is registered
      this.#pools.set(request.key, pool);
    } else if (pool.state === 'idle') {
      pool.cancelLinger?.();
      pool.cancelLinger = undefined;
      pool.to('leased');
    }
    pool.refs++;
    pool.sends++;
    const owner = pool;
    let released = false;
    return {
      mailer: owner.mailer,
      release: () => {
        if (released) return;
        released = true;
        this.#release(owner);
      },
    };
  }

  #release(pool: Pool): void {
    if (--pool.refs > 0 || pool.state !== 'leased') return;
    pool.to('idle');
    const ms = this.#lingerMs();
    if (ms === 0) {
      this.#retire(pool);
      return;
    }
    pool.cancelLinger = this.#scheduleLinger(() => {
      pool.cancelLinger = undefined;
      // A lease taken since moved it back to 'leased': then the timer is moot.
      if (pool.state === 'idle' && pool.refs === 0) this.#retire(pool);
    }, ms);
  }

  #retire(pool: Pool): void {
    pool.cancelLinger?.();
    pool.cancelLinger = undefined;
    if (this.#pools.get(pool.request.key) === pool) this.#pools.delete(pool.request.key);
    pool.to('closing');
    const closing = pool.mailer
      .close()
      .catch(() => undefined)
      .then(() => pool.to('closed'));
    this.#closing.add(closing);
    void closing.then(() => this.#closing.delete(closing));
  }

  stats(): PoolStats[] {
    return [...this.#pools.values()].map((pool) => ({
      settings: pool.request.settings,
      state: pool.state,
      leases: pool.refs,
      sockets: pool.sockets,
      socketsOpened: pool.socketsOpened,
      sends: pool.sends,
    }));
  }

  /** Closes every pool: sends in flight finish first. Pools open again on next use. */
  async close(): Promise<void> {
    for (const pool of [...this.#pools.values()]) this.#retire(pool);
    while (this.#closing.size > 0) await Promise.allSettled([...this.#closing]);
  }
}

function lingerTimer(callback: () => void, ms: number): () => void {
  const timer = setTimeout(callback, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

/** The process-wide registry. Nothing is opened until the first lease. */
export const transportPools = new TransportPools();

/** The shared transport pools: settings (no secrets), leases, sockets. */
export function transportStats(): PoolStats[] {
  return transportPools.stats();
}
