// 4. Lease fast path: acquire + release pairs per second on a ready converter, against a
// design that takes the mutex on every acquire and every release (same engines, same
// counting), in the same run.
import { performance } from 'node:perf_hooks';
import { Mutex } from 'async-mutex';
import { ConverterHost } from '../src/converter/converter-host.js';
import { median, table } from './support/stats.js';

const PAIRS = 200_000;
const ROUNDS = 5;

/** The alternative design: every acquire and release under the mutex. */
class MutexEveryCall {
  readonly #mutex = new Mutex();
  refs = 0;
  acquire(): Promise<{ release(): Promise<void> }> {
    return this.#mutex.runExclusive(() => {
      this.refs++;
      let released = false;
      return {
        release: () =>
          this.#mutex.runExclusive(() => {
            if (released) return;
            released = true;
            this.refs--;
          }),
      };
    });
  }
}

const host = new ConverterHost({ lingerMs: 60_000 });
const warm = await host.acquire(); // keep it ready, as under load
const naive = new MutexEveryCall();

async function pairsPerSecond(source: { acquire(): Promise<{ release(): Promise<void> }> }): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    const lease = await source.acquire();
    await lease.release();
  }
  return (PAIRS / (performance.now() - started)) * 1000;
}

const fast: number[] = [];
const locked: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  if (round % 2 === 0) {
    fast.push(await pairsPerSecond(host));
    locked.push(await pairsPerSecond(naive));
  } else {
    locked.push(await pairsPerSecond(naive));
    fast.push(await pairsPerSecond(host));
  }
}
await warm.release();
await host.close();
console.log(`lease fast path: ${PAIRS} acquire+release pairs, ${ROUNDS} interleaved rounds\n`);
table(['design', 'pairs/s (median)', 'ratio'], [
  ['cdonts converter (lock-free when ready)', median(fast).toFixed(0), (median(fast) / median(locked)).toFixed(2)],
  ['mutex on every acquire and release', median(locked).toFixed(0), '1.00'],
]);
