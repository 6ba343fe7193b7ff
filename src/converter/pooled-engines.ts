import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CdoError } from '../errors/cdo-error.js';
import { createBodyEngines, type BodyEngines, type BodyEnginesOptions } from './body-engines.js';
import type { BodyKind } from './body-kind.js';
import type { ConversionFailure, ConversionTask } from './conversion-worker.js';
import { ConversionCache } from './conversion-cache.js';

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
   * ones inline. Chosen from bench/threshold.bench.ts (see bench/README.md).
   */
  readonly threshold?: number;
  /** A pooled conversion still running after this is stopped and its worker replaced. */
  readonly deadlineMs?: number;
  readonly maxThreads?: number;
  /** How many recent conversions to remember per direction (0: none). */
  readonly cacheEntries?: number;
  /** The worker module; tests substitute one that misbehaves. */
  readonly workerFilename?: string;
}

export const DEFAULT_POOL_THRESHOLD = 8 * 1024;
export const DEFAULT_DEADLINE_MS = 10_000;

export interface PooledBodyEngines extends BodyEngines {
  poolStats(): PoolStats;
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
  const threshold = options.threshold ?? DEFAULT_POOL_THRESHOLD;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const sanitizeMarkdown = options.sanitizeMarkdown !== false;
  const pool = new Piscina<ConversionTask, string>({
    filename: options.workerFilename ?? defaultWorkerFilename(),
    minThreads: 0,
    maxThreads: options.maxThreads ?? Math.max(2, availableParallelism()),
    idleTimeout: 30_000,
  });
  let timedOut = 0;
  let disposed = false;
  const cache = new ConversionCache(options.cacheEntries ?? 16);

  const runPooled = async (input: string, from: BodyKind, to: BodyKind): Promise<string> => {
    const controller = new AbortController();
    // The deadline counts the conversion itself, from the moment a worker begins it (the worker
    // writes that moment here): waiting for a free thread, or for a new one to start on a
    // loaded machine, is not the body's fault. Until it begins, look again every tenth.
    const startedAt = new BigInt64Array(new SharedArrayBuffer(8));
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number): void => {
      timer = setTimeout(check, ms);
      timer.unref();
    };
    const check = (): void => {
      const began = Number(Atomics.load(startedAt, 0));
      if (began === 0) return arm(Math.max(deadlineMs / 10, 10));
      const left = began + deadlineMs - (performance.timeOrigin + performance.now());
      if (left > 0) return arm(left);
      controller.abort(new CdoError('CDO_E_TIMEOUT', `converting ${from} to ${to} took longer than ${deadlineMs} ms and was stopped`));
    };
    arm(deadlineMs);
    try {
      const result = (await pool.run({ input, from, to, sanitizeMarkdown, startedAt }, { signal: controller.signal })) as string | ConversionFailure;
      if (typeof result !== 'string') throw new CdoError(result.failed.code, result.failed.message);
      return result;
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
      if (input.length < threshold) {
        const output = inline.convert(input, from, to) as string;
        cache.set(input, from, to, output);
        return output;
      }
      return runPooled(input, from, to).then((output) => {
        cache.set(input, from, to, output);
        return output;
      });
    },
    poolStats: () => ({ threads: pool.threads.length, queued: pool.queueSize, completed: pool.completed, timedOut, cacheHits: cache.hits }),
    async dispose() {
      disposed = true;
      await pool.close();
      await pool.destroy();
      await inline.dispose();
    },
  };
}
