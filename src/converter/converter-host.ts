import { Mutex, type MutexInterface } from 'async-mutex';
import { CdoError } from '../errors/cdo-error.js';
import { StateMachine, type TransitionTable } from '../internal/state-machine.js';
import type { BodyEngines, BodyEnginesFactory } from './body-engines.js';
import { createPooledEngines, type PoolStats } from './pooled-engines.js';
import { ConverterLease, type LeaseHost } from './converter-lease.js';

const RESOLVED = Promise.resolve();

export type ConverterState = 'idle' | 'starting' | 'ready' | 'stopping';

const transitions: TransitionTable<ConverterState> = {
  idle: ['starting'],
  starting: ['ready', 'idle'], // idle again when the start failed: the next acquire retries
  ready: ['stopping'],
  stopping: ['idle'],
};

export interface ConverterStats {
  readonly state: ConverterState;
  readonly refs: number;
  readonly starts: number;
  readonly stops: number;
  readonly conversions: number;
  /** The worker pool: live threads and queue now; completed and timed out since the process started. */
  readonly pool: PoolStats;
}

interface WithPoolStats {
  poolStats?(): PoolStats;
}

export interface ConverterHostOptions {
  /** How long the engines stay up after the last lease is released; 0 stops at once. */
  readonly lingerMs?: number;
  /** Builds the engines; tests pass one that fails or counts. */
  readonly createEngines?: BodyEnginesFactory;
  /** Runs `callback` after `ms`; returns a cancel function. Race tests schedule it themselves. */
  readonly scheduleLinger?: (callback: () => void, ms: number) => () => void;
  /** The lifecycle mutex; tests pass a spy to observe that the fast path and conversions never take it. */
  readonly mutex?: MutexInterface;
}

/** The default linger timer: unref'd, so an idle converter never keeps the process alive. */
function lingerTimer(callback: () => void, ms: number): () => void {
  const timer = setTimeout(callback, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

/** Anything NewMail can lease a converter from: the host, or a test double of the KB bug. */
export interface ConverterSource {
  acquire(): Promise<Pick<ConverterLease, 'convert' | 'release'>>;
}

export const DEFAULT_LINGER_MS = 2_000;

/**
 * The body converter, started once under a mutex and reference-counted (the fix for
 * KB Q214685). Acquire on a ready host takes no lock; everything that changes whether
 * engines exist (start, stop) runs under the mutex and re-checks `refs`. A conversion
 * never holds the mutex.
 */
export class ConverterHost implements ConverterSource {
  readonly #lifecycle = new StateMachine<ConverterState>('idle', transitions, 'converter');
  readonly #mutex: MutexInterface;
  readonly #createEngines: BodyEnginesFactory;
  readonly #scheduleLinger: (callback: () => void, ms: number) => () => void;
  #lingerMs: number;
  #engines: BodyEngines | undefined;
  #leaseHost: LeaseHost | undefined;
  #refs = 0;
  #starts = 0;
  #stops = 0;
  #conversions = 0;
  #poolTotals = { completed: 0, timedOut: 0, cacheHits: 0 };
  #cancelLingerTimer: (() => void) | undefined;
  #onDrained: (() => void) | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: ConverterHostOptions = {}) {
    this.#createEngines = options.createEngines ?? (() => createPooledEngines());
    this.#scheduleLinger = options.scheduleLinger ?? lingerTimer;
    this.#mutex = options.mutex ?? new Mutex();
    this.#lingerMs = checkLinger(options.lingerMs ?? DEFAULT_LINGER_MS);
  }

  /** Changes the idle linger; takes effect at the next release. */
  setLinger(lingerMs: number): void {
    this.#lingerMs = checkLinger(lingerMs);
  }

  get lingerMs(): number {
    return this.#lingerMs;
  }

  acquire(): Promise<ConverterLease> {
    if (this.#lifecycle.state === 'ready') {
      return Promise.resolve(this.#lease()); // fast path: no lock
    }
    return this.#mutex.runExclusive(async () => {
      // Under the mutex the state is idle or ready: start and stop both finish before
      // they let go of it, and close() keeps it until the engines are gone.
      if (this.#lifecycle.state === 'idle') await this.#start();
      return this.#lease();
    });
  }

  /**
   * Waits until every lease is released, then stops the engines. Acquires that arrive
   * meanwhile wait and get a freshly started converter afterwards. A caller must not
   * acquire a second lease while holding one across close(): that would wait forever.
   */
  close(): Promise<void> {
    this.#closing ??= this.#mutex
      .runExclusive(async () => {
        this.#cancelLinger();
        if (this.#lifecycle.state !== 'ready') return;
        this.#lifecycle.to('stopping');
        if (this.#refs > 0) await new Promise<void>((resolve) => (this.#onDrained = resolve));
        this.#onDrained = undefined;
        await this.#stopEngines();
      })
      .finally(() => {
        this.#closing = undefined;
      });
    return this.#closing;
  }

  stats(): ConverterStats {
    const live = (this.#engines as (BodyEngines & WithPoolStats) | undefined)?.poolStats?.();
    return {
      state: this.#lifecycle.state,
      refs: this.#refs,
      starts: this.#starts,
      stops: this.#stops,
      conversions: this.#conversions,
      pool: {
        threads: live?.threads ?? 0,
        queued: live?.queued ?? 0,
        completed: this.#poolTotals.completed + (live?.completed ?? 0),
        timedOut: this.#poolTotals.timedOut + (live?.timedOut ?? 0),
        cacheHits: this.#poolTotals.cacheHits + (live?.cacheHits ?? 0),
      },
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #start(): Promise<void> {
    this.#lifecycle.to('starting');
    try {
      this.#engines = await this.#createEngines();
      this.#leaseHost = this.#makeLeaseHost(this.#engines);
    } catch (error) {
      this.#lifecycle.to('idle');
      throw new CdoError('CDO_E_CALL_FAILED', 'the body converter failed to start', { cause: error });
    }
    this.#starts++;
    this.#lifecycle.to('ready');
  }

  #lease(): ConverterLease {
    const leaseHost = this.#leaseHost;
    if (leaseHost === undefined) throw new CdoError('CDO_E_CALL_FAILED', 'converter: ready without engines');
    if (this.#cancelLingerTimer !== undefined) this.#cancelLinger();
    this.#refs++;
    return new ConverterLease(leaseHost);
  }

  /** What every lease of one engine generation shares: built once per start, not per lease. */
  #makeLeaseHost(engines: BodyEngines): LeaseHost {
    return {
      engines,
      onConversion: () => {
        this.#conversions++;
      },
      onRelease: () => this.#release(),
    };
  }

  #release(): Promise<void> {
    this.#refs--;
    if (this.#refs < 0) return Promise.reject(new CdoError('CDO_E_CALL_FAILED', 'converter: reference count went negative'));
    if (this.#refs > 0) return RESOLVED;
    if (this.#onDrained !== undefined) {
      this.#onDrained(); // close() is waiting for exactly this
      return RESOLVED;
    }
    if (this.#lifecycle.state !== 'ready') return RESOLVED;
    if (this.#lingerMs === 0) return this.#stopIfUnused();
    this.#cancelLinger();
    const cancel = this.#scheduleLinger(() => {
      if (this.#cancelLingerTimer !== cancel) return; // cancelled, or replaced by a newer one
      this.#cancelLingerTimer = undefined;
      void this.#stopIfUnused();
    }, this.#lingerMs);
    this.#cancelLingerTimer = cancel;
    return RESOLVED;
  }

  /** The linger stop: only under the mutex, and only if nobody took a lease meanwhile. */
  async #stopIfUnused(): Promise<void> {
    await this.#mutex.runExclusive(async () => {
      if (this.#refs !== 0 || this.#lifecycle.state !== 'ready' || this.#cancelLingerTimer !== undefined) return;
      this.#lifecycle.to('stopping');
      await this.#stopEngines();
    });
  }

  async #stopEngines(): Promise<void> {
    const engines = this.#engines as (BodyEngines & WithPoolStats) | undefined;
    this.#engines = undefined;
    this.#leaseHost = undefined;
    try {
      await engines?.dispose();
    } finally {
      const last = engines?.poolStats?.();
      this.#poolTotals = {
        completed: this.#poolTotals.completed + (last?.completed ?? 0),
        timedOut: this.#poolTotals.timedOut + (last?.timedOut ?? 0),
        cacheHits: this.#poolTotals.cacheHits + (last?.cacheHits ?? 0),
      };
      this.#stops++;
      this.#lifecycle.to('idle');
    }
  }

  #cancelLinger(): void {
    this.#cancelLingerTimer?.();
    this.#cancelLingerTimer = undefined;
  }
}

function checkLinger(lingerMs: number): number {
  if (!Number.isFinite(lingerMs) || lingerMs < 0) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `linger must be a non-negative number of milliseconds, got ${lingerMs}`);
  }
  return lingerMs;
}
