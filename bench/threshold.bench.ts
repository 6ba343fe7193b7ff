// How the inline / pool rule was chosen. What a MIME send asks of the converter is one
// preparation: HTML → text, and both parts encoded (converter/prepare-alternatives.ts).
// For bodies of growing size, and for the corpus's whole templates, a batch of
// preparations (50 at a time, as 50 concurrent senders would ask) runs three ways:
// all inline, all in the worker pool, and with the default rule (pool from the size
// threshold while fewer than DEFAULT_QUEUE_DEPTH wait for a worker, inline otherwise).
// Reported: the main thread's time per message (event-loop utilisation × wall ÷ count),
// the main thread's CPU time per message (/proc, Linux) and the batch's wall time per
// message. Interleaved rounds, medians.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createPooledEngines, DEFAULT_POOL_THRESHOLD, DEFAULT_QUEUE_DEPTH, type PooledBodyEngines } from '../src/converter/pooled-engines.js';
import { median, pool, table } from './support/stats.js';

const ROUNDS = Number(process.env['BENCH_THRESHOLD_ROUNDS'] ?? 3);
const CONCURRENCY = 50;
const paragraph = '<p>Dear customer, your order <b>has shipped</b>. <a href="https://example.com/track">Track it</a>.</p>\n';
const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus', 'html');
const templates = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((name) => /^(postmark|sendgrid|cerberus|leemunroe|govcy)-/u.test(name))
      .map((name) => readFileSync(resolve(CORPUS, name), 'utf8'))
  : [];

function mainThreadTicks(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return Number.NaN;
  }
}

const variants = {
  inline: await createPooledEngines({ threshold: Number.POSITIVE_INFINITY }),
  pool: await createPooledEngines({ threshold: 0, queueDepth: Number.POSITIVE_INFINITY, alwaysPoolFrom: 0 }),
  'default rule': await createPooledEngines(),
} as const satisfies Record<string, PooledBodyEngines>;
let unique = 0;

async function measure(engines: PooledBodyEngines, bodies: readonly string[], count: number): Promise<{ main: number; cpu: number; wall: number }> {
  const inputs = Array.from({ length: count }, (_, i) => `${bodies[i % bodies.length]!}<!--${unique++}-->`); // never a cache hit
  const elu = performance.eventLoopUtilization();
  const ticks = mainThreadTicks();
  const started = performance.now();
  await pool(count, CONCURRENCY, (i) => engines.prepare({ input: inputs[i]!, from: 'html', codePage: 65001 }));
  const wall = performance.now() - started;
  const busy = performance.eventLoopUtilization(elu).utilization * wall;
  return { main: (busy / count) * 1000, cpu: ((mainThreadTicks() - ticks) * 10_000) / count, wall: (wall / count) * 1000 };
}

const workloads: Array<[string, string[]]> = [0.5, 2, 4, 8, 16, 32, 128].map((kb) => [`${kb} KB`, [paragraph.repeat(Math.ceil((kb * 1024) / paragraph.length)).slice(0, kb * 1024)]]);
if (templates.length > 0) workloads.push([`${templates.length} whole templates`, templates]);
const rows: Array<Array<string | number>> = [];
for (const [label, bodies] of workloads) {
  const size = bodies.reduce((sum, b) => sum + b.length, 0) / bodies.length;
  const count = Math.max(50, Math.min(1000, Math.floor(400_000 / size)));
  for (const engines of Object.values(variants)) await measure(engines, bodies, CONCURRENCY); // warm
  const samples = new Map<string, Array<{ main: number; cpu: number; wall: number }>>();
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? Object.entries(variants) : Object.entries(variants).reverse();
    for (const [name, engines] of order) samples.set(name, [...(samples.get(name) ?? []), await measure(engines, bodies, count)]);
  }
  const cell = (name: string, key: 'main' | 'cpu' | 'wall'): string => median((samples.get(name) ?? []).map((s) => s[key])).toFixed(0);
  rows.push([label, ...Object.keys(variants).flatMap((name) => [`${cell(name, 'main')} / ${cell(name, 'cpu')}`, cell(name, 'wall')])]);
}
for (const engines of Object.values(variants)) await engines.dispose();
console.log(
  `MIME body preparation (HTML → text, both parts encoded), batches of ${CONCURRENCY} at a time, medians of ${ROUNDS} interleaved rounds, ${availableParallelism()} cores; ` +
    `default rule: pool from ${DEFAULT_POOL_THRESHOLD / 1024} KB while fewer than ${DEFAULT_QUEUE_DEPTH} wait\n`,
);
table(
  ['input', 'inline: main µs/msg (ELU / CPU)', 'inline: wall µs/msg', 'pool: main µs/msg (ELU / CPU)', 'pool: wall µs/msg', 'default rule: main µs/msg (ELU / CPU)', 'default rule: wall µs/msg'],
  rows,
);
