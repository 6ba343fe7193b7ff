// A conversion worker that never returns on the input "HANG": stands in for a hostile body.
export default function convert(task: { input: string }): string {
  if (task.input.startsWith('HANG')) {
    for (;;) {
      // spin: only terminating the thread stops this
    }
  }
  return task.input.toUpperCase();
}
