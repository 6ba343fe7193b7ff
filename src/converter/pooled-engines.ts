import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CdoError } from '../errors/cdo-error.js';
import { createBodyEngines, type BodyEngines, type BodyEnginesOptions } from './body-engines.js';
import type { BodyKind } from './body-kind.js';
import type { AlternativesTask, ConversionFailure, ConversionTask } from './conversion-worker.js';
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
   * Inputs at least this many characters long are converted in a worker thread; shorter
   * ones inline. Chosen from bench/threshold.bench.ts (see bench/README.md). On a
   * machine with one core the default is `alwaysPoolFrom`: a worker there only competes
   * with the sending thread for that core.
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
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const alwaysPoolFrom = options.alwaysPoolFrom ?? DEFAULT_ALWAYS_POOL_FROM;
  const threshold = options.threshold ?? (availableParallelism() > 1 ? DEFAULT_POOL_THRESHOLD : alwaysPoolFrom);
  const sanitizeMarkdown = options.sanitizeMarkdown !== false;
  const pool = new Piscina<ConversionTask | AlternativesTask, string | PreparedAlternatives | ConversionFailure>({
    filename: options.workerFilename ?? defaultWorkerFilename(),
    minThreads: 0,
    maxThreads: options.maxThreads ?? Math.max(2, availableParallelism()),
    idleTimeout: 30_000,
    concurrentTasksPerWorker: options.tasksPerWorker ?? DEFAULT_TASKS_PER_WORKER,
    // piscina applies it through @napi-rs/nice (its optional dependency); where that has no
    // binary for the platform, the workers keep the sending thread's priority.
    niceIncrement: options.workerNice ?? DEFAULT_WORKER_NICE,
  });
  let timedOut = 0;
  let disposed = false;
  const cache = new ConversionCache(options.cacheEntries ?? 16);
  const prepared = new AlternativesCache<Prepared>(options.cacheEntries ?? 16);

  // No fallback to inline when the workers are busy: the sending thread is what a send
  // waits on (composing, SMTP), and a conversion it takes over slows every send behind it
  // (bench/README.md, "The inline / pool rule").
  const usePool = (length: number): boolean => length >= Math.min(threshold, alwaysPoolFrom);

  // The deadline limits a conversion's own run, not its wait for a worker: under load,
  // bodies queued behind others must not fail for the queue's sake. The worker writes the
  // time it starts a task into a shared slot (conversion-worker.ts); the timer, when it
  // fires, looks there and waits on for what is left of the deadline.
  const runPooled = async <T extends string | PreparedAlternatives>(task: ConversionTask | AlternativesTask, from: BodyKind, to: string): Promise<T> => {
    const controller = new AbortController();
    const started = new SharedArrayBuffer(8);
    const startedAt = new Float64Array(started);
    let timer: NodeJS.Timeout | undefined;
    const check = (): void => {
      const since = startedAt[0] === 0 ? 0 : Date.now() - startedAt[0]!;
      if (since >= deadlineMs) {
        controller.abort(new CdoError('CDO_E_TIMEOUT', `converting ${from} to ${to} took longer than ${deadlineMs} ms and was stopped`));
        return;
      }
      timer = setTimeout(check, deadlineMs - since);
      timer.unref();
    };
    check();
    try {
      const result = await pool.run({ ...task, started }, { signal: controller.signal });
      if (typeof result === 'object' && 'failed' in result) throw new CdoError(result.failed.code, result.failed.message);
      return result as T;
    } catch (error) {
      if (controller.signal.aborted) {
        timedOut++;
        throw controller.signal.reason;
      }
      throw error instanceof CdoError ? error : new CdoError('CDO_E_CALL_FAILED', `converting ${from} to ${to} failed in a worker`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
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
      return runPooled<string>({ input, from, to, sanitizeMarkdown }, from, to).then((output) => {
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
          : runPooled<PreparedAlternatives>({ alternatives: request, sanitizeMarkdown }, request.from, 'text + html parts');
      const entry: Prepared = { bytes: 3 * request.input.length + 1024, result };
      prepared.set(request.input, key, entry);
      result.catch(() => prepared.delete(request.input, key, entry));
      return result;
    },
    poolStats: () => ({ threads: pool.threads.length, queued: pool.queueSize, completed: pool.completed, timedOut, cacheHits: cache.hits + prepared.hits }),
    async dispose() {
      disposed = true;
      await pool.close();
      await pool.destroy();
      await inline.dispose();
    },
  };
}
