import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { BatchedPool } from '../src/converter/batched-pool.js';
import { BatchSlots, QUEUED, TAKEN_BACK } from '../src/converter/task-batch.js';
import type { CountedTask } from './support/counting-worker.js';
import { ConverterHost } from '../src/converter/converter-host.js';
import { createBodyEngines } from '../src/converter/body-engines.js';
import { createPooledEngines } from '../src/converter/pooled-engines.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { needsCorpus } from './support/requirement.js';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus');
const HANGING = pathToFileURL(resolve(import.meta.dirname, 'support', 'hanging-worker.ts')).href;

test('inputs below the threshold run inline, larger ones in the pool; results are identical', async () => {
  const host = new ConverterHost({ lingerMs: 0, createEngines: () => createPooledEngines({ threshold: 1000 }) });
  const inline = await createBodyEngines();
  const lease = await host.acquire();
  const small = '<p>Hello <b>small</b></p>';
  const large = `<h1>Report</h1>${'<p>Paragraph with <a href="https://example.com/x">a link</a> and <b>bold</b>.</p>'.repeat(200)}<table class="data"><tr><th>a</th></tr><tr><td>1</td></tr></table>`;
  const markdown = `# Title\n\n${'- item with **bold** and `code`\n'.repeat(200)}\n| a | b |\n|---|---|\n| 1 | 2 |\n`;
  assert.equal(await lease.convert(small, 'html', 'text'), inline.convert(small, 'html', 'text'));
  assert.equal(host.stats().pool.completed, 0, 'small input stayed inline');
  assert.equal(await lease.convert(large, 'html', 'text'), inline.convert(large, 'html', 'text'));
  assert.equal(await lease.convert(large, 'html', 'markdown'), inline.convert(large, 'html', 'markdown'));
  assert.equal(await lease.convert(markdown, 'markdown', 'html'), inline.convert(markdown, 'markdown', 'html'));
  const stats = host.stats();
  assert.equal(stats.pool.completed, 3);
  assert.ok(stats.pool.threads >= 1);
  await lease.release();
  assert.equal(host.stats().state, 'idle');
  assert.equal(host.stats().pool.threads, 0, 'the pool is destroyed with the host');
  assert.equal(host.stats().pool.completed, 3, 'totals survive the stop');
});

test('the corpus converts the same in the pool as inline', { skip: needsCorpus() }, async () => {
  const host = new ConverterHost({ lingerMs: 0, createEngines: () => createPooledEngines({ threshold: 0 }) });
  const inline = await createBodyEngines();
  const lease = await host.acquire();
  for (const [file, from, to] of [
    ['html/mimekit-planet-fitness.html', 'html', 'text'],
    ['html/sendgrid-news_feed.html', 'html', 'markdown'],
    ['markdown/mailkit-README.md', 'markdown', 'html'],
  ] as const) {
    const input = await readFile(resolve(CORPUS, file), 'utf8');
    assert.equal(await lease.convert(input, from, to), inline.convert(input, from, to), file);
  }
  await lease.release();
});

test('a hostile body is stopped at its deadline, its worker replaced, and other senders are not delayed', async () => {
  const host = new ConverterHost({ lingerMs: 0, createEngines: () => createPooledEngines({ threshold: 0, deadlineMs: 1_500, maxThreads: 2, workerFilename: HANGING }) });
  const lease = await host.acquire();
  const started = performance.now();
  let hostileSettled = false;
  const hostile = lease.convert('HANG forever', 'html', 'text').finally(() => (hostileSettled = true));
  const others = await Promise.all(Array.from({ length: 20 }, (_, i) => lease.convert(`fine ${i}`, 'html', 'text')));
  assert.deepEqual(others, Array.from({ length: 20 }, (_, i) => `FINE ${i}`));
  // Not delayed: every other conversion was answered while the hostile one still ran.
  assert.equal(hostileSettled, false, 'the other conversions finished before the hostile one was stopped');
  await assert.rejects(hostile, (error: unknown) => isCdoError(error) && error.code === 'CDO_E_TIMEOUT');
  // At its deadline, not before (the deadline counts from when a worker began it).
  const stoppedAfter = performance.now() - started;
  assert.ok(stoppedAfter >= 1_400, `stopped after ${stoppedAfter.toFixed(0)} ms`);
  assert.equal(host.stats().pool.timedOut, 1);
  assert.equal(await lease.convert('after', 'html', 'text'), 'AFTER', 'the pool still works: the worker was replaced');
  await lease.release();
  assert.equal(host.stats().state, 'idle');
});

test('a stop never abandons a task: release waits for pooled conversions, then the pool drains', async () => {
  const host = new ConverterHost({ lingerMs: 0, createEngines: () => createPooledEngines({ threshold: 0 }) });
  const lease = await host.acquire();
  const work = Array.from({ length: 30 }, (_, i) => lease.convert(`<p>item ${i}</p>`.repeat(100), 'html', 'text'));
  const releasing = lease.release();
  const results = await Promise.all(work);
  await releasing;
  assert.ok(results.every((r, i) => r.startsWith(`item ${i}`)));
  assert.equal(host.stats().pool.completed, 30);
  assert.equal(host.stats().state, 'idle');
});

test('a worker error is a typed error; refs stay right', async () => {
  const host = new ConverterHost({ lingerMs: 0, createEngines: () => createPooledEngines({ threshold: 0 }) });
  const lease = await host.acquire();
  await assert.rejects(lease.convert('not rtf', 'rtf', 'html'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_BAD_DATA');
  await lease.release();
  assert.equal(host.stats().refs, 0);
});

test('a body converted before is answered from the cache of recent conversions (bulk mail)', async () => {
  const host = new ConverterHost({ lingerMs: 0 });
  const lease = await host.acquire();
  const body = '<p>Same newsletter for every subscriber</p>';
  const first = await lease.convert(body, 'html', 'text');
  const again = await Promise.all(Array.from({ length: 10 }, () => lease.convert(body, 'html', 'text')));
  assert.ok(again.every((text) => text === first));
  assert.equal(host.stats().pool.cacheHits, 10);
  await lease.release();
});

test('the deadline counts a conversion\'s run, not its wait for a worker', async () => {
  // One worker, a deadline of 1.5 s, and six conversions of about 0.5 s each handed over
  // at once: the last one waits about 2.5 s, longer than the deadline, yet none of them
  // runs over it. Counting from the hand-off, the last ones would time out.
  const host = new ConverterHost({ lingerMs: 0, createEngines: () => createPooledEngines({ threshold: 0, deadlineMs: 1_500, maxThreads: 1, workerFilename: HANGING }) });
  const lease = await host.acquire();
  // The worker is up before the clock matters (starting one on a loaded machine can take
  // longer than the deadline, which then replaces it: try again until one answers).
  for (let attempt = 0; attempt < 10; attempt++) {
    if ((await lease.convert('warm', 'html', 'text').catch(() => undefined)) === 'WARM') break;
  }
  const timedOutBefore = host.stats().pool.timedOut;
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => lease.convert(`SLEEP500 ${i}`, 'html', 'text')));
  assert.deepEqual(results, Array.from({ length: 6 }, (_, i) => `SLEEP500 ${i}`));
  assert.equal(host.stats().pool.timedOut, timedOutBefore);
  await lease.release();
});

const COUNTING = pathToFileURL(resolve(import.meta.dirname, 'support', 'counting-worker.ts')).href;

/** Runs 400 tasks that keep being taken back; returns the ids not run exactly once. */
async function takeBackRace(createSlots?: (length: number) => BatchSlots): Promise<number[]> {
  // Take-back after 5 ms while tasks sleep 0–12 ms: the sending thread keeps trying to take
  // back tasks just as the worker claims them. A task run twice (taken back after it was
  // claimed) or never (lost between the two) shows in the counters.
  const pool = new Piscina({ filename: COUNTING, minThreads: 2, maxThreads: 2 });
  const batches = new BatchedPool<string>(pool, { deadlineMs: 5_000, takeBackAfterMs: 5, workers: 2, maxBatch: 32, createSlots });
  const count = 400;
  const runs = new SharedArrayBuffer(4 * count);
  try {
    // Every task settles (the deadline bounds a lost one), and close() below waits for the
    // batches still in a worker (all their tasks taken back): a batch answering a destroyed
    // pool is an 'error' event piscina emits, an uncaught exception here.
    const settled = await Promise.allSettled(Array.from({ length: count }, (_, id) => batches.run({ id, sleepMs: id % 13, runs } satisfies CountedTask, `task ${id}`)));
    const failure = settled.find((outcome) => outcome.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    assert.deepEqual(settled.map((outcome) => outcome.status === 'fulfilled' && outcome.value), Array.from({ length: count }, (_, id) => `done ${id}`));
    assert.equal(batches.queued, 0);
    return [...new Int32Array(runs)].flatMap((n, id) => (n === 1 ? [] : [id]));
  } finally {
    await pool.close();
  }
}

test('batched hand-offs: every task runs exactly once, though slow ones make the others be taken back over and over', async () => {
  assert.deepEqual(await takeBackRace(), [], 'tasks not run exactly once');
});

test('the take-back race harness catches a take-back that is not one compare-and-swap', async () => {
  // The broken slots read the state, let time pass (as a preempted thread would), then
  // write TAKEN_BACK: a task the worker claimed meanwhile is run by both sides.
  class CheckThenStore extends BatchSlots {
    override takeBack(index: number): boolean {
      if (this.state(index) !== QUEUED) return false;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      Atomics.store(new Int32Array(this.buffer, 8 * this.length, this.length), index, TAKEN_BACK);
      return true;
    }
  }
  // Caught either way: a task counted twice, or one still queued in a batch that runs it again.
  const caught = await takeBackRace((length) => new CheckThenStore(new SharedArrayBuffer(12 * length), length)).then(
    (notOnce) => notOnce.length > 0,
    () => true,
  );
  assert.ok(caught, 'the harness did not notice broken slots');
});

test('batched hand-offs: a task that kills its worker fails alone; its batch-mates are sent again and succeed', async () => {
  const pool = new Piscina({ filename: COUNTING, minThreads: 1, maxThreads: 1 });
  const batches = new BatchedPool<string>(pool, { deadlineMs: 5_000, takeBackAfterMs: 1_000, workers: 1, maxBatch: 32 });
  const runs = new SharedArrayBuffer(4 * 10);
  try {
    const settled = await Promise.allSettled(Array.from({ length: 10 }, (_, id) => batches.run({ id, sleepMs: 0, crash: id === 3, runs } satisfies CountedTask, `task ${id}`)));
    settled.forEach((outcome, id) => {
      if (id === 3) assert.ok(outcome.status === 'rejected' && isCdoError(outcome.reason) && outcome.reason.code === 'CDO_E_CALL_FAILED', 'the crashing task fails, typed');
      else assert.deepEqual(outcome, { status: 'fulfilled', value: `done ${id}` });
    });
    assert.equal(new Int32Array(runs)[3], 2, 'the crashing task was tried in its batch, then alone');
  } finally {
    await pool.destroy();
  }
});

test('on more than one core a small body goes to a worker once one is up, and a one-off waits for none', { skip: availableParallelism() < 2 ? 'one core: small bodies are always inline' : false }, async () => {
  const engines = await createPooledEngines();
  try {
    const small = '<p>Your code is 1234.</p>';
    await engines.convert(small, 'html', 'text');
    assert.equal(engines.poolStats().completed, 0, 'no worker was up: converted inline');
    for (let i = 0; i < 100 && engines.poolStats().threads === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(engines.poolStats().threads > 0, 'a worker was started beside it');
    assert.equal(await engines.convert(`${small} `, 'html', 'text'), 'Your code is 1234.');
    assert.equal(engines.poolStats().completed, 1, 'with a worker up: in the pool');
  } finally {
    await engines.dispose();
  }
});
