// html → text on whole documents: our engine (src/html-text/) against html-to-text 10's
// compiled convert() with the options the converter used before (the reference), on every
// file of ../shared/corpus/html/ (24 whole e-mail templates and messages, 1–118 KB).
// Both run in this process on the same strings. Each round times, for every file, both
// engines back to back (order alternating between rounds) for at least ROUND_MS each, in
// CPU time of this process (synchronous work: on a quiet machine the same as wall time;
// on a loaded one far less at the mercy of the scheduler); a file's round during which
// other processes took CPU is run again once (support/machine-load.ts).
// A file's speed-up is the median of its same-round ratios; the target (#14) is the median
// over the files: at least 3×.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { htmlToText } from '../src/html-text/html-to-text.js';
import { HTML_MAX_DEPTH, HTML_TO_TEXT_WORDWRAP } from '../src/converter/body-engines.js';
import { referenceHtmlToText } from '../test/support/reference-html-to-text.js';
import { guarded } from './support/machine-load.js';
import { median, table } from './support/stats.js';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus', 'html');
const ROUNDS = Number(process.env['BENCH_HTML_TEXT_ROUNDS'] ?? 7);
const ROUND_MS = Number(process.env['BENCH_HTML_TEXT_ROUND_MS'] ?? 60);

let files: string[];
try {
  files = readdirSync(CORPUS).filter((name) => name.endsWith('.html')).sort();
} catch {
  console.log(`corpus not found at ${CORPUS}; skipping`);
  process.exit(0);
}
const documents = files.map((name) => ({ name, html: readFileSync(resolve(CORPUS, name), 'utf8') }));
const ours = (html: string): string => htmlToText(html, { wordwrap: HTML_TO_TEXT_WORDWRAP, maxDepth: HTML_MAX_DEPTH });

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** CPU milliseconds per call, over at least `minMs`. */
function msPerCall(convert: (html: string) => string, html: string, minMs: number): number {
  let calls = 0;
  let sink = 0;
  const started = cpuMs();
  let elapsed: number;
  do {
    sink += convert(html).length;
    calls++;
    elapsed = cpuMs() - started;
  } while (elapsed < minMs);
  if (sink < 0) console.log(sink);
  return elapsed / calls;
}

// Warm both engines up on every file (JIT), untimed.
for (let i = 0; i < 3; i++) {
  for (const { html } of documents) {
    ours(html);
    referenceHtmlToText(html);
  }
}

const times = documents.map(() => ({ reference: [] as number[], ours: [] as number[], ratios: [] as number[] }));
let discarded = 0;
for (let round = 0; round < ROUNDS; round++) {
  for (const [index, { html }] of documents.entries()) {
    const { value, discarded: again } = await guarded(
      async () => {
        if (round % 2 === 0) {
          const reference = msPerCall(referenceHtmlToText, html, ROUND_MS);
          return [reference, msPerCall(ours, html, ROUND_MS)] as const;
        }
        const own = msPerCall(ours, html, ROUND_MS);
        return [msPerCall(referenceHtmlToText, html, ROUND_MS), own] as const;
      },
      { maxWaitMs: 500, attempts: 2 },
    );
    discarded += again;
    const entry = times[index] as (typeof times)[number];
    entry.reference.push(value[0]);
    entry.ours.push(value[1]);
    entry.ratios.push(value[0] / value[1]);
  }
}

const speedUps = times.map(({ ratios }) => median(ratios));
const rows = documents.map(({ name, html }, index) => {
  const entry = times[index] as (typeof times)[number];
  const sorted = [...entry.ratios].sort((a, b) => a - b);
  return [name, (html.length / 1024).toFixed(1), median(entry.reference).toFixed(3), median(entry.ours).toFixed(3), `${median(entry.ratios).toFixed(2)}× (${(sorted[0] ?? 0).toFixed(1)}–${(sorted.at(-1) ?? 0).toFixed(1)})`];
});
console.log(`html → text, whole corpus (${documents.length} files): html-to-text 10 compiled convert() vs our engine; ${ROUNDS} interleaved rounds of ≥ ${ROUND_MS} ms CPU per engine and file; ${discarded} file rounds run again because other processes were busy; ${cpus().length} cores, Node ${process.version}\n`);
table(['file', 'KB', 'html-to-text (CPU ms/call, median)', 'ours (CPU ms/call)', 'speed-up: median of same-round ratios (range)'], rows);
const total = (key: 'reference' | 'ours'): number => times.reduce((sum, entry) => sum + median(entry[key]), 0);
console.log(`\nmedian per-file speed-up: ${median(speedUps).toFixed(2)}× (target ≥ 3×); slowest file ${Math.min(...speedUps).toFixed(2)}×; whole corpus once: ${total('reference').toFixed(2)} ms → ${total('ours').toFixed(2)} ms`);
