// Converter overhead: the library's lease.convert() against calling marked, turndown and
// html-to-text directly, on real documents from ../shared/corpus, in the same run.
// Interleaved rounds, median per round; prints a table and the ratios. A benchmark, not
// a test: no pass/fail thresholds here.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Marked } from 'marked';
import TurndownService from 'turndown';
import { gfm } from '@joplin/turndown-plugin-gfm';
import { compile } from 'html-to-text';
import { ConverterHost } from '../src/converter/converter-host.js';
import { HTML_TO_TEXT_WORDWRAP } from '../src/converter/body-engines.js';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus');
if (!existsSync(CORPUS)) {
  console.log(`corpus not found at ${CORPUS}; skipping`);
  process.exit(0);
}
const read = (path: string): string => readFileSync(resolve(CORPUS, path), 'utf8');

const ROUNDS = 7;
const MIN_ROUND_MS = 150;

interface Case {
  readonly name: string;
  readonly direct: () => unknown;
  readonly viaLibrary: () => Promise<unknown>;
}

const host = new ConverterHost({ lingerMs: 60_000 });
const lease = await host.acquire();

const marked = new Marked({ gfm: true, async: false });
const turndown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-', emDelimiter: '_' });
turndown.use(gfm);
turndown.remove(['head', 'style', 'script', 'title']);
const htmlToText = compile({
  wordwrap: HTML_TO_TEXT_WORDWRAP,
  selectors: [
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'table.data', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
});

const smallHtml = read('html/talon-ms_outlook_2010.html');
const mediumHtml = read('html/mimekit-homedepot-check-inside-now.html');
const smallMd = read('markdown/dayjs-README-ja.md');
const mediumMd = read('markdown/mimekit-ReleaseNotes.md');

const cases: Case[] = [
  { name: `html→text ${kb(smallHtml)}`, direct: () => htmlToText(smallHtml), viaLibrary: () => lease.convert(smallHtml, 'html', 'text') },
  { name: `html→text ${kb(mediumHtml)}`, direct: () => htmlToText(mediumHtml), viaLibrary: () => lease.convert(mediumHtml, 'html', 'text') },
  { name: `markdown→html ${kb(smallMd)}`, direct: () => marked.parse(smallMd), viaLibrary: () => lease.convert(smallMd, 'markdown', 'html') },
  { name: `markdown→html ${kb(mediumMd)}`, direct: () => marked.parse(mediumMd), viaLibrary: () => lease.convert(mediumMd, 'markdown', 'html') },
  { name: `html→markdown ${kb(smallHtml)}`, direct: () => turndown.turndown(smallHtml), viaLibrary: () => lease.convert(smallHtml, 'html', 'markdown') },
];

function kb(text: string): string {
  return `${(Buffer.byteLength(text) / 1024).toFixed(0)} KB`;
}

async function opsPerSecond(fn: () => unknown): Promise<number> {
  let n = 0;
  const start = performance.now();
  let elapsed: number;
  do {
    await fn();
    n++;
    elapsed = performance.now() - start;
  } while (elapsed < MIN_ROUND_MS);
  return (n / elapsed) * 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

console.log(`node ${process.version}, ${ROUNDS} interleaved rounds of ≥${MIN_ROUND_MS} ms each\n`);
console.log('| case | direct (ops/s) | cdonts lease (ops/s) | cdonts / direct |');
console.log('|---|---:|---:|---:|');
for (const c of cases) {
  const direct: number[] = [];
  const library: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // alternate the order so neither side always runs warm
    if (round % 2 === 0) {
      direct.push(await opsPerSecond(c.direct));
      library.push(await opsPerSecond(c.viaLibrary));
    } else {
      library.push(await opsPerSecond(c.viaLibrary));
      direct.push(await opsPerSecond(c.direct));
    }
  }
  const d = median(direct);
  const l = median(library);
  console.log(`| ${c.name} | ${d.toFixed(0)} | ${l.toFixed(0)} | ${(l / d).toFixed(3)} |`);
}
await lease.release();
await host.close();
