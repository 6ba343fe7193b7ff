import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface RemoteSink {
  readonly url: string;
  /** The sink's process id (its CPU is ours, not foreign load). */
  readonly pid: number;
  count(): Promise<number>;
  close(): Promise<void>;
}

/** Starts bench/support/sink-process.ts in a child process on 127.0.0.1:0. */
export async function startRemoteSink(): Promise<RemoteSink> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'sink-process.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const port = Number((await lines.next()).value);
  return {
    url: `smtp://127.0.0.1:${port}`,
    pid: child.pid ?? 0,
    count: async () => {
      child.stdin!.write('count\n');
      return Number((await lines.next()).value);
    },
    close: () =>
      new Promise<void>((done) => {
        child.once('exit', () => done());
        child.stdin!.end();
      }),
  };
}
