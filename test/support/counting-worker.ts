// A worker for BatchedPool tests: each task counts its runs in a shared counter, sleeps
// as long as it says, and "CRASH" ends the worker's thread (as an out-of-memory would).
import { runBatch, type TaskBatch } from '../../src/converter/task-batch.js';

export interface CountedTask {
  readonly id: number;
  readonly sleepMs: number;
  readonly crash?: boolean;
  /** One Int32 per task id: how many times a worker ran it. */
  readonly runs: SharedArrayBuffer;
}

function run(task: CountedTask): string {
  Atomics.add(new Int32Array(task.runs), task.id, 1);
  if (task.crash === true) process.exit(1);
  if (task.sleepMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, task.sleepMs);
  return `done ${task.id}`;
}

export default function runCounted(batch: TaskBatch<CountedTask>): Promise<Array<string | null>> {
  return runBatch(batch, run);
}
