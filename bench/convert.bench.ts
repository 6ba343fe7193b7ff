// 3. Conversion: markdown→html, html→markdown and html→text on about 2 KB, 100 KB and 1 MB
// documents, the library's lease.convert() against calling marked, turndown and
// html-to-text directly, in the same run (interleaved rounds, medians). Every call gets a
// unique input, so the library's cache of recent conversions never answers here. The
// library sanitizes markdown→html output by default (sanitize-html; a fast path skips it
// for Markdown without '<' or '&', which the corpus file is not), marked alone does not,
// so markdown→html is also compared with marked + sanitize-html with the library's
// options. Each round (every peer once, in alternating order) runs on a quiet machine and
// is run again when other processes took CPU meanwhile (support/machine-load.ts); the
// overhead is the median of the per-round ratios, with their range. Then the
// event-loop delay (p99) while 8 conversions of 1 MB run: through the library (off-thread)
// against the same work inline.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Marked } from 'marked';
import TurndownService from 'turndown';
import { gfm } from '@joplin/turndown-plugin-gfm';
import { compile } from 'html-to-text';
import { ConverterHost } from '../src/converter/converter-host.js';
import sanitizeHtml from 'sanitize-html';
import { HTML_TO_TEXT_WORDWRAP, SANITIZE_OPTIONS } from '../src/converter/body-engines.js';
import { DEFAULT_POOL_THRESHOLD } from '../src/converter/pooled-engines.js';
import { guarded } from './support/machine-load.js';
import { median, percentile, spread, table } from './support/stats.js';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus');
if (!existsSync(CORPUS)) {
  console.log(`corpus not found at ${CORPUS}; skipping`);
  process.exit(0);
}
const read = (path: string): string => readFileSync(resolve(CORPUS, path), 'utf8');
const ROUNDS = Number(process.env['BENCH_CONVERT_ROUNDS'] ?? 5);
const MIN_ROUND_MS = 200;

const marked = new Marked({ gfm: true, async: false });
const turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-', emDelimiter: '_' });
turndown.use(gfm);
turndown.remove(['head', 'style', 'script', 'title']);
const htmlToText = compile({ wordwrap: HTML_TO_TEXT_WORDWRAP });

/** A document of about `bytes`, made of real corpus text. */
function sized(source: string, bytes: number): string {
  let out = '';
  while (Buffer.byteLength(out) < bytes) out += source;
  return out.slice(0, bytes);
}
const html = read('html/mimekit-homedepot-check-inside-now.html');
const markdown = read('markdown/mimekit-ReleaseNotes.md');
const SIZES = { '2 KB': 2 * 1024, '100 KB': 100 * 1024, '1 MB': 1024 * 1024 } as const;

const host = new ConverterHost({ lingerMs: 60_000 });
const lease = await host.acquire();
let unique = 0;
const tag = (): string => `<!--${unique++}-->`;
const mdTag = (): string => `\n\n[//]: # (${unique++})\n`; // a Markdown comment: no '<', no output

async function opsPerSecond(fn: () => unknown, minRoundMs = MIN_ROUND_MS): Promise<number> {
  let n = 0;
  const start = performance.now();
  let elapsed: number;
  do {
    await fn();
    n++;
    elapsed = performance.now() - start;
  } while (elapsed < minRoundMs);
  return (n / elapsed) * 1000;
}

const rows: Array<Array<string | number>> = [];
const percent = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)} %`;
let discarded = 0;
for (const [label, bytes] of Object.entries(SIZES)) {
  const h = sized(html, bytes);
  const m = sized(markdown, bytes);
  const cases = [
    ['markdown→html', 'marked', () => marked.parse(m + mdTag()), () => lease.convert(m + mdTag(), 'markdown', 'html')],
    ['markdown→html', 'marked + sanitize-html, same options', () => sanitizeHtml(marked.parse(m + mdTag()) as string, SANITIZE_OPTIONS), () => lease.convert(m + mdTag(), 'markdown', 'html')],
    ['html→markdown', 'turndown', () => turndown.turndown(h + tag()), () => lease.convert(h + tag(), 'html', 'markdown')],
    ['html→text', 'html-to-text', () => htmlToText(h + tag()), () => lease.convert(h + tag(), 'html', 'text')],
  ] as const;
  for (const [name, peer, direct, library] of cases) {
    const d: number[] = [];
    const l: number[] = [];
    const overheads: number[] = [];
    // 2 KB: twice as many rounds of half the length (same time), since a 5 % target needs
    // a steadier median than the noise of single 200 ms rounds gives.
    const small = bytes <= 4096;
    const rounds = bytes > 200_000 ? 3 : small ? 2 * ROUNDS + 1 : ROUNDS;
    const roundMs = small ? MIN_ROUND_MS / 2 : MIN_ROUND_MS;
    for (let round = 0; round < rounds; round++) {
      const { value, discarded: again } = await guarded(async () => {
        if (round % 2 === 0) {
          const a = await opsPerSecond(direct, roundMs);
          return [a, await opsPerSecond(library, roundMs)] as const;
        }
        const b = await opsPerSecond(library, roundMs);
        return [await opsPerSecond(direct, roundMs), b] as const;
      });
      discarded += again;
      d.push(value[0]);
      l.push(value[1]);
      overheads.push((value[0] / value[1] - 1) * 100);
    }
    const o = [...overheads].sort((a, b) => a - b);
    rows.push([`${name} ${label}`, peer, spread(d, 1), spread(l, 1), `${percent(median(overheads))} (${percent(o[0] ?? 0)} to ${percent(o.at(-1) ?? 0)})`]);
  }
}
console.log(`conversion: direct library calls vs cdonts lease.convert(), ${ROUNDS} interleaved rounds (3 at 1 MB, ${2 * ROUNDS + 1} of half the length at 2 KB); from ${DEFAULT_POOL_THRESHOLD / 1024} KB up the lease runs in the worker pool; ${discarded} rounds run again because other processes were busy\n`);
table(['conversion', 'peer called directly', 'peer (ops/s): median (min–max)', 'cdonts (ops/s)', 'cdonts overhead: median per round (range)'], rows);

// Event-loop delay while 8 conversions of 1 MB HTML → text run.
async function loopDelayP99(run: () => Promise<unknown>): Promise<{ p99: number; max: number; ms: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  const samples: number[] = [];
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    samples.push(now - last - 5);
    last = now;
  }, 5);
  histogram.enable();
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  histogram.disable();
  clearInterval(ticker);
  return { p99: histogram.percentile(99) / 1e6, max: Math.max(0, ...samples), ms };
}
const big = Array.from({ length: 8 }, (_, i) => sized(html, SIZES['1 MB']) + `<!--big ${i}-->`);
const inline = await loopDelayP99(async () => {
  for (const doc of big) {
    htmlToText(doc);
    await new Promise((r) => setImmediate(r));
  }
});
const pooled = await loopDelayP99(() => Promise.all(big.map((doc) => lease.convert(doc, 'html', 'text'))));
console.log('event-loop delay while 8 conversions of 1 MB html→text run\n');
table(['how', 'p99 delay (ms)', 'longest stall (ms)', 'all 8 done in (ms)'], [
  ['inline (html-to-text on the main thread)', inline.p99.toFixed(1), inline.max.toFixed(1), inline.ms.toFixed(0)],
  ['cdonts (worker pool)', pooled.p99.toFixed(1), pooled.max.toFixed(1), pooled.ms.toFixed(0)],
]);
void percentile;
await lease.release();
await host.close();
