import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CdoError } from '../errors/cdo-error.js';
import { createBodyEngines, type BodyEngines, type BodyEnginesOptions } from './body-engines.js';
import { BatchedPool } from './batched-pool.js';
import type { AlternativesTask, ConversionTask } from './conversion-worker.js';
import { AlternativesCache, ConversionCache } from './conversion-cache.js';
import { prepareAlternatives, type AlternativesRequest, type PreparedAlternatives } from './prepare-alternatives.js';

export interface PoolStats {
  /** Worker threads alive. */
  readonly threads: number;
  /** Conversions waiting for a worker. */
  readonly queued: number;
  /** Conversions the pool finished (including failures). */
  readonly completed: number;
  /** Conversions stopped at their deadline. */
  readonly timedOut: number;
  /** Conversions answered from the cache of recent ones. */
  readonly cacheHits: number;
}

export interface PooledEnginesOptions extends BodyEnginesOptions {
  /**
   * Inputs at least this many characters long are converted in a worker thread, starting
   * one if need be; shorter ones go to a worker that is already up, and are converted
   * inline while none is (a one-off send does not wait for a worker to start). Chosen from
   * bench/threshold.bench.ts (see bench/README.md). On a machine with one core the
   * default is `alwaysPoolFrom`, and shorter inputs are always inline: a worker there only
   * competes with the sending thread for that core.
   */
  readonly threshold?: number;
  /** Inputs at least this long always go to the pool (they would stall the event loop). */
  readonly alwaysPoolFrom?: number;
  /** A pooled conversion still running after this is stopped and its worker replaced. */
  readonly deadlineMs?: number;
  readonly maxThreads?: number;
  /**
   * How much lower the workers' scheduling priority is than the sending thread's (Linux
   * nice steps; 0: the same). A send waits on its sending thread, which composes and writes
   * every message; when the cores are all busy, a worker yields to it.
   */
  readonly workerNice?: number;
  /** Tasks a worker holds at once: the next one is already there when it finishes one. */
  readonly tasksPerWorker?: number;
  /** How many recent conversions to remember per direction (0: none). */
  readonly cacheEntries?: number;
  /** The worker module; tests substitute one that misbehaves. */
  readonly workerFilename?: string;
}

export const DEFAULT_POOL_THRESHOLD = 4 * 1024;
export const DEFAULT_TASKS_PER_WORKER = 1;
export const DEFAULT_ALWAYS_POOL_FROM = 64 * 1024;
export const DEFAULT_DEADLINE_MS = 10_000;
export const DEFAULT_WORKER_NICE = 5;
/** Tasks queued behind one that has run this long go to another worker (batched-pool.ts). */
export const DEFAULT_TAKE_BACK_AFTER_MS = 100;
export const DEFAULT_MAX_BATCH = 32;

export interface PooledBodyEngines extends BodyEngines {
  /** A MIME body's text + HTML parts, converted and encoded (see prepareAlternatives). */
  prepare(request: AlternativesRequest): Promise<PreparedAlternatives>;
  poolStats(): PoolStats;
}

/**
 * A preparation, kept from the moment it starts: the senders of one bulk body that arrive
 * while it is being converted wait for that one conversion. `bytes` is an upper bound of
 * what it will hold (both parts encoded, and the text, are at most about three times the
 * body), so the cache's byte bound holds before the result is known.
 */
interface Prepared {
  readonly bytes: number;
  readonly result: Promise<PreparedAlternatives>;
}

function defaultWorkerFilename(): string {
  const js = new URL('./conversion-worker.js', import.meta.url);
  // Built package: the .js is there. Running the TypeScript sources (tests): the .ts is.
  return existsSync(fileURLToPath(js)) ? js.href : new URL('./conversion-worker.ts', import.meta.url).href;
}

/**
 * The engines the host runs: small inputs inline, large ones in a piscina worker pool
 * that this object owns. A pooled conversion past its deadline is aborted, which makes
 * piscina terminate its worker and start a fresh one; its caller gets CDO_E_TIMEOUT and
 * nobody else waits for it. dispose() drains the pool (a stop never abandons a task), then
 * destroys it.
 */
export async function createPooledEngines(options: PooledEnginesOptions = {}): Promise<PooledBodyEngines> {
  const inline = await createBodyEngines(options);
  const { Piscina } = await import('piscina');
  const maxThreads = options.maxThreads ?? Math.max(2, availableParallelism());
  const alwaysPoolFrom = options.alwaysPoolFrom ?? DEFAULT_ALWAYS_POOL_FROM;
  const threshold = options.threshold ?? (availableParallelism() > 1 ? DEFAULT_POOL_THRESHOLD : alwaysPoolFrom);
  const sanitizeMarkdown = options.sanitizeMarkdown !== false;
  const pool = new Piscina({
    filename: options.workerFilename ?? defaultWorkerFilename(),
    minThreads: 0,
    maxThreads,
    idleTimeout: 30_000,
    concurrentTasksPerWorker: options.tasksPerWorker ?? DEFAULT_TASKS_PER_WORKER,
    // piscina applies it through @napi-rs/nice (its optional dependency); where that has no
    // binary for the platform, the workers keep the sending thread's priority.
    niceIncrement: options.workerNice ?? DEFAULT_WORKER_NICE,
  });
  const batches = new BatchedPool<string | PreparedAlternatives>(pool, {
    deadlineMs: options.deadlineMs ?? DEFAULT_DEADLINE_MS,
    takeBackAfterMs: DEFAULT_TAKE_BACK_AFTER_MS,
    workers: maxThreads,
    maxBatch: DEFAULT_MAX_BATCH,
  });
  let disposed = false;
  const cache = new ConversionCache(options.cacheEntries ?? 16);
  const prepared = new AlternativesCache<Prepared>(options.cacheEntries ?? 16);

  // No fallback to inline when the workers are busy: the sending thread is what a send
  // waits on (composing, SMTP), and a conversion it takes over slows every send behind it
  // (bench/README.md, "The inline / pool rule"). In a batch a hand-off costs the sending
  // thread less than converting even a small body, so with more than one core every body
  // goes to a worker that is up; while none is, a small one is converted here (a one-off
  // send does not wait for a worker to start) and a worker is started beside it.
  const usePool = (length: number): boolean => {
    if (length >= Math.min(threshold, alwaysPoolFrom)) return true;
    if (threshold >= alwaysPoolFrom) return false; // one core: a worker would only compete for it
    if (pool.threads.length > 0) return true;
    batches.startWorker();
    return false;
  };

  return {
    convert(input, from, to) {
      if (disposed) throw new CdoError('CDO_E_OBJECT_DELETED', 'the body converter engines were used after they were stopped');
      // Same kind: the inline engines' rule (RTF is still read, anything else returned as is).
      if (from === to) return inline.convert(input, from, to);
      const cached = cache.get(input, from, to);
      if (cached !== undefined) return cached;
      if (!usePool(input.length)) {
        const output = inline.convert(input, from, to) as string;
        cache.set(input, from, to, output);
        return output;
      }
      const task: ConversionTask = { input, from, to, sanitizeMarkdown };
      return (batches.run(task, `converting ${from} to ${to}`) as Promise<string>).then((output) => {
        cache.set(input, from, to, output);
        return output;
      });
    },
    async prepare(request) {
      if (disposed) throw new CdoError('CDO_E_OBJECT_DELETED', 'the body converter engines were used after they were stopped');
      // Everything the parts are made of besides the body itself (the CDOSYS choices included).
      const key = JSON.stringify([request.from, request.codePage, request.htmlHeaders ?? null, request.text ?? null, request.textEncoding ?? null, request.htmlEncoding ?? null]);
      const cached = prepared.get(request.input, key);
      if (cached !== undefined) return cached.result;
      const result =
        !usePool(request.input.length)
          ? prepareAlternatives(inline, request)
          : (batches.run({ alternatives: request, sanitizeMarkdown } satisfies AlternativesTask, `converting ${request.from} to text + html parts`) as Promise<PreparedAlternatives>);
      const entry: Prepared = { bytes: 3 * request.input.length + 1024, result };
      prepared.set(request.input, key, entry);
      result.catch(() => prepared.delete(request.input, key, entry));
      return result;
    },
    poolStats: () => ({ threads: pool.threads.length, queued: batches.queued, completed: batches.completed, timedOut: batches.timedOut, cacheHits: cache.hits + prepared.hits }),
    async dispose() {
      disposed = true;
      batches.flush();
      await pool.close();
      await pool.destroy();
      await inline.dispose();
    },
  };
}
