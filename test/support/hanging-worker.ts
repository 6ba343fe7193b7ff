// A conversion worker that never returns on the input "HANG" (a hostile body) and takes
// half a second on "SLEEP500" (a slow one).
export default function convert(task: { input: string; started?: SharedArrayBuffer }): string {
  if (task.started !== undefined) new Float64Array(task.started)[0] = Date.now(); // as conversion-worker.ts does
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
