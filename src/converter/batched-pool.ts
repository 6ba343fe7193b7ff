import type { Piscina } from 'piscina';
import { CdoError } from '../errors/cdo-error.js';
import { BatchSlots, TAKEN_BACK, QUEUED, type TaskBatch, type TaskFailure } from './task-batch.js';

export interface BatchedPoolOptions {
  /** A task still running after this is stopped (its worker is replaced): CDO_E_TIMEOUT. */
  readonly deadlineMs: number;
  /** Tasks queued behind one that has run this long are taken back and sent elsewhere. */
  readonly takeBackAfterMs: number;
  /** Batches a flush makes at most (one per worker). */
  readonly workers: number;
  /** Tasks in one batch at most. */
  readonly maxBatch: number;
  /** Makes a batch's shared slots; tests substitute slots that misbehave. */
  readonly createSlots?: ((length: number) => BatchSlots) | undefined;
}

interface Entry<R> {
  readonly task: unknown;
  /** What the task does, for the timeout message ("converting html to text"). */
  readonly what: string;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
  /** Sent again in a batch of its own after its batch failed: a failure now is its own. */
  alone: boolean;
}

interface Dispatched<R> {
  readonly entries: ReadonlyArray<Entry<R>>;
  readonly slots: BatchSlots;
}

/**
 * Hands tasks to a piscina pool in batches: the tasks asked for during one turn of the
 * event loop leave together at the end of it, split evenly over the workers (task-batch.ts).
 * Each task keeps the guarantees a task of its own had:
 * - its deadline counts its own run, not its wait; past it, the batch's worker is
 *   terminated (piscina replaces it), the task fails with CDO_E_TIMEOUT and the other
 *   unfinished tasks of the batch are sent again;
 * - a slow task does not hold up the others: once it has run `takeBackAfterMs`, the tasks
 *   queued behind it are taken back and sent to another worker;
 * - a batch whose worker fails (crash, out of memory) is sent again one task per batch, so
 *   only the task that makes a worker fail fails.
 */
export class BatchedPool<R> {
  readonly #pool: Piscina;
  readonly #options: BatchedPoolOptions;
  #pending: Array<Entry<R>> = [];
  #flushScheduled = false;
  readonly #live = new Set<Dispatched<R>>();
  #completed = 0;
  #timedOut = 0;
  #starting = false;

  constructor(pool: Piscina, options: BatchedPoolOptions) {
    this.#pool = pool;
    this.#options = options;
  }

  /** Tasks finished, failures included. */
  get completed(): number {
    return this.#completed;
  }

  get timedOut(): number {
    return this.#timedOut;
  }

  /** Tasks not started yet: waiting for the end of the turn, or for their worker. */
  get queued(): number {
    let queued = this.#pending.length;
    for (const batch of this.#live) for (let i = 0; i < batch.entries.length; i++) if (batch.slots.state(i) === QUEUED) queued++;
    return queued;
  }

  /**
   * Starts a worker without giving it anything to do (an empty batch), unless one is up
   * or starting: the next tasks then find it ready.
   */
  startWorker(): void {
    if (this.#pool.threads.length > 0 || this.#starting) return;
    this.#starting = true;
    const done = (): void => void (this.#starting = false);
    this.#pool.run({ tasks: [], slots: new SharedArrayBuffer(0) } satisfies TaskBatch<never>).then(done, done);
  }

  run(task: unknown, what: string): Promise<R> {
    return new Promise<R>((resolve, reject) => this.#enqueue({ task, what, resolve, reject, alone: false }));
  }

  /** Sends what is waiting now instead of at the end of the turn (before the pool closes). */
  flush(): void {
    const pending = this.#pending;
    this.#pending = [];
    if (pending.length === 0) return;
    const batches = Math.max(Math.min(this.#options.workers, pending.length), Math.ceil(pending.length / this.#options.maxBatch));
    const size = Math.ceil(pending.length / batches);
    for (let start = 0; start < pending.length; start += size) this.#dispatch(pending.slice(start, start + size));
  }

  #enqueue(entry: Entry<R>): void {
    this.#pending.push(entry);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.flush();
    });
  }

  #dispatch(entries: Array<Entry<R>>): void {
    const slots = (this.#options.createSlots ?? BatchSlots.create)(entries.length);
    const batch: Dispatched<R> = { entries, slots };
    const controller = new AbortController();
    let blamed: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const { deadlineMs, takeBackAfterMs } = this.#options;
    const watch = (): void => {
      const running = slots.running();
      const ranFor = running === undefined ? 0 : Date.now() - running.startedAt;
      if (running !== undefined && ranFor >= deadlineMs) {
        blamed = running.index;
        controller.abort();
        return;
      }
      if (running !== undefined && ranFor >= takeBackAfterMs) this.#takeBack(batch, running.index + 1);
      const next = running === undefined ? takeBackAfterMs : ranFor < takeBackAfterMs ? takeBackAfterMs - ranFor : deadlineMs - ranFor;
      timer = setTimeout(watch, Math.max(1, next));
      timer.unref();
    };
    this.#live.add(batch);
    watch();
    const message: TaskBatch<unknown> = { tasks: entries.map((e) => e.task), slots: slots.buffer };
    (this.#pool.run(message, { signal: controller.signal }) as Promise<Array<R | TaskFailure | null>>).then(
      (results) => {
        this.#settle(batch, timer);
        entries.forEach((entry, i) => {
          if (slots.state(i) === TAKEN_BACK) return; // another batch settles it
          const result = results[i];
          this.#completed++;
          if (result === null || result === undefined) entry.reject(new CdoError('CDO_E_CALL_FAILED', `${entry.what}: the worker returned no result`));
          else if (typeof result === 'object' && 'failed' in result) entry.reject(new CdoError(result.failed.code, result.failed.message));
          else entry.resolve(result);
        });
      },
      (error: unknown) => {
        this.#settle(batch, timer);
        entries.forEach((entry, i) => {
          if (slots.state(i) === TAKEN_BACK) return;
          if (blamed !== undefined) {
            if (i !== blamed) return this.#enqueue(entry); // its result was lost with the worker
            this.#completed++;
            this.#timedOut++;
            return entry.reject(new CdoError('CDO_E_TIMEOUT', `${entry.what} took longer than ${deadlineMs} ms and was stopped`));
          }
          if (entries.length > 1 && !entry.alone) {
            entry.alone = true;
            return this.#dispatch([entry]);
          }
          this.#completed++;
          entry.reject(error instanceof CdoError ? error : new CdoError('CDO_E_CALL_FAILED', `${entry.what} failed in a worker`, { cause: error }));
        });
      },
    );
  }

  /** Takes back the batch's tasks from `from` on that its worker has not started. */
  #takeBack(batch: Dispatched<R>, from: number): void {
    for (let i = from; i < batch.entries.length; i++) if (batch.slots.takeBack(i)) this.#enqueue(batch.entries[i]!);
  }

  #settle(batch: Dispatched<R>, timer: NodeJS.Timeout | undefined): void {
    clearTimeout(timer);
    this.#live.delete(batch);
  }
}
