// A conversion worker that never returns on the input "HANG": stands in for a hostile body.
// "SPIN ms" keeps its thread busy that long, then answers (a slow but legitimate body).
import { markStarted, type ConversionTask } from '../../src/converter/conversion-worker.js';

export default function convert(task: ConversionTask): string {
  markStarted(task);
  if (task.input.startsWith('HANG')) {
    for (;;) {
      // spin: only terminating the thread stops this
    }
  }
  const spin = /^SPIN (\d+)/u.exec(task.input);
  if (spin !== null) {
    for (const until = performance.now() + Number(spin[1]); performance.now() < until; ) {
      // busy, as a long conversion is
    }
  }
  return task.input.toUpperCase();
}
