import type { ErrorCode } from '../errors/error-codes.js';

/**
 * Several conversions handed to one worker in one message: one hand-off costs the sending
 * thread about 45 µs (piscina's postTask, structured clone, a deadline timer), a task in a
 * batch about 6 µs (bench/README.md, "Batched hand-offs").
 *
 * The sending thread and the worker share one slot per task, so that a slow task never
 * holds up the tasks queued behind it in its batch: the worker claims each task just
 * before it runs it, and the sending thread can take back any task not claimed yet and
 * hand it to another worker. Both sides change a slot's state only by compare-and-swap,
 * so a task is run by exactly one of them.
 */
export interface TaskBatch<T> {
  readonly tasks: readonly T[];
  /** Per task: the time its run started (Float64, ms), then its state (Int32). */
  readonly slots: SharedArrayBuffer;
}

/** A typed failure as a worker returns it: a thrown CdoError would arrive as a plain Error. */
export interface TaskFailure {
  readonly failed: { readonly code: ErrorCode; readonly message: string };
}

export const QUEUED = 0;
export const RUNNING = 1;
export const DONE = 2;
export const TAKEN_BACK = 3;

export class BatchSlots {
  readonly #startedAt: Float64Array;
  readonly #states: Int32Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly length: number,
  ) {
    this.#startedAt = new Float64Array(buffer, 0, length);
    this.#states = new Int32Array(buffer, 8 * length, length);
  }

  static create(length: number): BatchSlots {
    return new BatchSlots(new SharedArrayBuffer(12 * length), length);
  }

  /** Worker: true when the task is still ours to run (its start time is written first). */
  claim(index: number): boolean {
    this.#startedAt[index] = Date.now();
    return Atomics.compareExchange(this.#states, index, QUEUED, RUNNING) === QUEUED;
  }

  /** Worker: the task's run is over, whatever its outcome. */
  finish(index: number): void {
    Atomics.store(this.#states, index, DONE);
  }

  /** Sending thread: true when the worker had not claimed the task; it never will now. */
  takeBack(index: number): boolean {
    return Atomics.compareExchange(this.#states, index, QUEUED, TAKEN_BACK) === QUEUED;
  }

  state(index: number): number {
    return Atomics.load(this.#states, index);
  }

  /** The task running now and when it started (a batch runs one task at a time). */
  running(): { readonly index: number; readonly startedAt: number } | undefined {
    for (let index = 0; index < this.length; index++) {
      // The start time was written before the state turned RUNNING (claim), so it is seen.
      if (Atomics.load(this.#states, index) === RUNNING) return { index, startedAt: this.#startedAt[index]! };
    }
    return undefined;
  }
}

/**
 * Worker side: runs, in order, every task of the batch that was not taken back; a task
 * taken back gets `null` in its place (another worker runs it).
 */
export async function runBatch<T, R>(batch: TaskBatch<T>, run: (task: T) => R | Promise<R>): Promise<Array<R | null>> {
  const slots = new BatchSlots(batch.slots, batch.tasks.length);
  const results: Array<R | null> = [];
  for (let index = 0; index < batch.tasks.length; index++) {
    if (!slots.claim(index)) {
      results.push(null);
      continue;
    }
    try {
      results.push(await run(batch.tasks[index]!));
    } finally {
      slots.finish(index);
    }
  }
  return results;
}
