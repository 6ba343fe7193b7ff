// A conversion worker that never returns on the input "HANG" (a hostile body) and takes
// half a second on "SLEEP500" (a slow one). It takes batches as conversion-worker.ts does.
import { runBatch, type TaskBatch } from '../../src/converter/task-batch.js';

function convert(task: { input: string }): string {
  if (task.input.startsWith('HANG')) {
    for (;;) {
      // spin: only terminating the thread stops this
    }
  }
  if (task.input.startsWith('SLEEP500')) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500); // busy for half a second
  }
  return task.input.toUpperCase();
}

export default function convertBatch(batch: TaskBatch<{ input: string }>): Promise<Array<string | null>> {
  return runBatch(batch, convert);
}
