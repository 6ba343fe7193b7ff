// How the pool threshold was chosen: for html→text inputs of growing size, the main-thread
// time one conversion costs inline against the main-thread time it costs to hand it to the
// worker pool (event-loop utilisation × wall time ÷ conversions), and the latency of each.
import { performance } from 'node:perf_hooks';
import { createBodyEngines } from '../src/converter/body-engines.js';
import { createPooledEngines } from '../src/converter/pooled-engines.js';
import { table } from './support/stats.js';

const inline = await createBodyEngines();
const pooledEngines = await createPooledEngines({ threshold: 0 });
const pooled = { convert: (input: string, from: 'html', to: 'text'): Promise<string> => Promise.resolve(pooledEngines.convert(input, from, to)) };
const paragraph = '<p>Dear customer, your order <b>has shipped</b>. <a href="https://example.com/track">Track it</a>.</p>';
const SIZES = [512, 1024, 2 * 1024, 4 * 1024, 8 * 1024, 32 * 1024, 128 * 1024];
const BATCH = 200;
let unique = 0;

const rows: Array<Array<string | number>> = [];
for (const size of SIZES) {
  const base = paragraph.repeat(Math.ceil(size / paragraph.length)).slice(0, size);
  const count = Math.max(20, Math.floor(BATCH * (2048 / size)));
  // inline: the main thread is busy for the whole conversion
  let started = performance.now();
  for (let i = 0; i < count; i++) void inline.convert(`${base}<!--${unique++}-->`, 'html', 'text');
  const inlineMs = (performance.now() - started) / count;
  // pooled: only the hand-off and the result cost main-thread time
  await Promise.all(Array.from({ length: 4 }, () => pooled.convert(`${base}<!--${unique++}-->`, 'html', 'text'))); // warm the workers
  const elu = performance.eventLoopUtilization();
  started = performance.now();
  await Promise.all(Array.from({ length: count }, () => pooled.convert(`${base}<!--${unique++}-->`, 'html', 'text')));
  const wall = performance.now() - started;
  const busy = performance.eventLoopUtilization(elu).utilization * wall;
  rows.push([`${(size / 1024).toFixed(1)} KB`, (inlineMs * 1000).toFixed(0), ((busy / count) * 1000).toFixed(0), ((wall / count) * 1000).toFixed(0)]);
}
await pooledEngines.dispose();
console.log('html→text: main-thread cost per conversion, inline vs handed to the pool\n');
table(['input', 'inline: main thread µs', 'pool: main thread µs', 'pool: wall µs per conversion (batch)'], rows);
