// How the inline / pool rule was chosen (issue #14, item 4). Two measurements:
//
// 1. A MIME body's preparation alone (HTML → text, both parts encoded;
//    converter/prepare-alternatives.ts), for bodies of growing size and the corpus's whole
//    templates, in batches of 50 (as 50 concurrent senders would ask): all inline, all in
//    the worker pool, and by the default rule. Reported: the main thread's time per
//    message (event-loop utilisation × wall ÷ count, and its CPU time from /proc) and the
//    batch's wall time per message. This is what the hand-off saves the sending thread.
// 2. Whole sends (NewMail → nodemailer, build only and over pooled SMTP to a sink
//    process), the templates and the 2 KB synthetic, personalised, with the converter
//    all inline, by the default rule and all pooled: msg/s, and each ÷ all inline in the
//    same round. A batch must never be slower than the same sends inline.
// Interleaved rounds after untimed warm-up rounds, medians.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { ConverterHost, Mailer } from '../src/index.js';
import { createPooledEngines, DEFAULT_ALWAYS_POOL_FROM, DEFAULT_POOL_THRESHOLD, type PooledBodyEngines, type PooledEnginesOptions } from '../src/converter/pooled-engines.js';
import { SYNTHETIC, personalise, templates } from './support/documents.js';
import { guarded } from './support/machine-load.js';
import { html, sendNewMails } from './support/send-new-mails.js';
import { startRemoteSink } from './support/sink.js';
import { median, pool, spread, table } from './support/stats.js';

const ROUNDS = Number(process.env['BENCH_THRESHOLD_ROUNDS'] ?? 3);
const SEND_ROUNDS = Number(process.env['BENCH_THRESHOLD_SEND_ROUNDS'] ?? 5);
const CONCURRENCY = 50;
const paragraph = '<p>Dear customer, your order <b>has shipped</b>. <a href="https://example.com/track">Track it</a>.</p>\n';

function mainThreadTicks(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return Number.NaN;
  }
}

const RULES: Record<string, PooledEnginesOptions> = {
  'all inline': { threshold: Number.POSITIVE_INFINITY, alwaysPoolFrom: Number.POSITIVE_INFINITY },
  'default rule': {},
  'all pooled': { threshold: 0 },
};
const ruleText = `default rule: pool from ${(availableParallelism() > 1 ? DEFAULT_POOL_THRESHOLD : DEFAULT_ALWAYS_POOL_FROM) / 1024} KB, never back to the sending thread`;

// 1. The preparation alone.
const variants = Object.fromEntries(await Promise.all(Object.entries(RULES).map(async ([name, options]) => [name, await createPooledEngines(options)] as const))) as Record<string, PooledBodyEngines>;
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
// Warm-up: a worker thread reaches its steady speed only after about a thousand whole
// templates (its JIT is its own), so every variant first prepares 2,000 of them untimed.
if (templates.length > 0) for (const engines of Object.values(variants)) await measure(engines, templates, 2_000);
const workloads: Array<[string, string[]]> = [0.5, 2, 4, 8, 16, 32, 128].map((kb) => [`${kb} KB`, [paragraph.repeat(Math.ceil((kb * 1024) / paragraph.length)).slice(0, kb * 1024)]]);
if (templates.length > 0) workloads.push([`${templates.length} whole templates`, templates]);
const rows: Array<Array<string | number>> = [];
for (const [label, bodies] of workloads) {
  const size = bodies.reduce((sum, b) => sum + b.length, 0) / bodies.length;
  const count = Math.max(50, Math.min(1000, Math.floor(400_000 / size)));
  for (const engines of Object.values(variants)) await measure(engines, bodies, count); // warm
  const samples = new Map<string, Array<{ main: number; cpu: number; wall: number }>>();
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? Object.entries(variants) : Object.entries(variants).reverse();
    for (const [name, engines] of order) samples.set(name, [...(samples.get(name) ?? []), await measure(engines, bodies, count)]);
  }
  const cell = (name: string, key: 'main' | 'cpu' | 'wall'): string => median((samples.get(name) ?? []).map((s) => s[key])).toFixed(0);
  rows.push([label, ...Object.keys(variants).flatMap((name) => [`${cell(name, 'main')} / ${cell(name, 'cpu')}`, cell(name, 'wall')])]);
}
for (const engines of Object.values(variants)) await engines.dispose();
console.log(`1. MIME body preparation alone (HTML → text, both parts encoded), batches of ${CONCURRENCY} at a time, medians of ${ROUNDS} interleaved rounds, ${availableParallelism()} cores; ${ruleText}\n`);
table(
  ['input', ...Object.keys(RULES).flatMap((name) => [`${name}: main µs/msg (ELU / CPU)`, `${name}: wall µs/msg`])],
  rows,
);

// 2. Whole sends.
if (templates.length === 0) {
  console.log('corpus not found; whole sends skipped');
  process.exit(0);
}
const sink = await startRemoteSink();
const hosts = Object.fromEntries(Object.entries(RULES).map(([name, options]) => [name, new ConverterHost({ lingerMs: 600_000, createEngines: () => createPooledEngines(options) })]));
async function sendRound(host: ConverterHost, transport: string, bodies: readonly string[]): Promise<number> {
  const mailer = new Mailer({ transport, converter: host });
  const ms = await sendNewMails(mailer, html(bodies), CONCURRENCY);
  await mailer.close();
  return (bodies.length / ms) * 1000;
}
const sendRows: Array<Array<string>> = [];
for (const [label, documents, count] of [
  ['templates', templates, 400],
  ['synthetic 2 KB', [SYNTHETIC], 1000],
] as const) {
  for (const [transportName, transport] of [
    ['build only', 'stream:'],
    ['SMTP', sink.url],
  ] as const) {
    const bodies = (round: number): string[] => Array.from({ length: count }, (_, i) => personalise(documents[i % documents.length]!, `r${round}-${i}`));
    for (let k = 0; k < 2; k++) for (const host of Object.values(hosts)) await sendRound(host, transport, bodies(-1 - k)); // warm
    const rates = new Map<string, number[]>();
    for (let round = 0; round < SEND_ROUNDS; round++) {
      const order = round % 2 === 0 ? Object.entries(hosts) : Object.entries(hosts).reverse();
      const input = bodies(round);
      for (const [name, host] of order) rates.set(name, [...(rates.get(name) ?? []), (await guarded(() => sendRound(host, transport, input), { pids: () => [sink.pid] })).value]);
    }
    const inline = rates.get('all inline')!;
    sendRows.push([label, transportName, ...Object.keys(RULES).map((name) => (name === 'all inline' ? spread(inline) : `${spread(rates.get(name)!)}; ${spread(rates.get(name)!.map((v, i) => v / inline[i]!), 2)}×`))]);
  }
}
for (const host of Object.values(hosts)) await host.close();
await sink.close();
console.log(`2. Whole sends, personalised, concurrency ${CONCURRENCY}: msg/s median (min–max) of ${SEND_ROUNDS} interleaved rounds after 2 untimed ones, and ÷ all inline in the same round\n`);
table(['workload', 'transport', ...Object.keys(RULES)], sendRows);
