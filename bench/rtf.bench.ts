// Compressed RTF ([MS-OXRTFCP]): compress and decompress throughput on ~100 KB and 1 MB
// RTF documents made of the corpus's RTF files (read at run time), against
// @kenjiuno/decompressrtf for decompression (the only npm codec; decompress-only), in the
// same run (interleaved rounds, medians). For compression, the spec's own search (a
// literal transcription, the tests' oracle) on 100 KB shows what the hash chains buy.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compressRtfSync } from '../src/rtf/compress-rtf.js';
import { decompressRtfSync } from '../src/rtf/decompress-rtf.js';
import { specLzfuCompress } from '../test/support/spec-lzfu-writer.js';
import { extractHtmlFromRtf } from '../src/rtf/deencapsulate-rtf.js';
import { encapsulatedKind } from '../src/rtf/encapsulated-kind.js';
import { renderRtfToHtml } from '../src/rtf/render-rtf.js';
import { median, table } from './support/stats.js';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus', 'rtf');
if (!existsSync(CORPUS)) {
  console.log(`corpus not found at ${CORPUS}; skipping`);
  process.exit(0);
}
const ROUNDS = 5;
const MIN_ROUND_MS = 200;

const peer = await import('@kenjiuno/decompressrtf').catch(() => undefined);
const deEncapsulator = await import('rtf-stream-parser').catch(() => undefined);
const iconv = (await import('iconv-lite')).default;

// Every corpus RTF file in turn, repeated until the size is reached. Repeats lie far
// outside the 4 KB window, so they compress no better than fresh RTF would.
const files = readdirSync(CORPUS)
  .filter((name) => name.endsWith('.rtf'))
  .sort()
  .map((name) => readFileSync(resolve(CORPUS, name)));
function sized(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let at = 0, i = 0; at < bytes; i++) {
    const file = files[i % files.length]!;
    out.set(file.subarray(0, bytes - at), at);
    at += file.length;
  }
  return out;
}
const SIZES = { '100 KB': 100 * 1024, '1 MB': 1024 * 1024 } as const;

function opsPerSecond(fn: () => unknown): number {
  let n = 0;
  const start = performance.now();
  let elapsed: number;
  do {
    fn();
    n++;
    elapsed = performance.now() - start;
  } while (elapsed < MIN_ROUND_MS);
  return (n / elapsed) * 1000;
}

/** Medians of interleaved rounds, in MB/s of uncompressed RTF. */
function race(bytes: number, contenders: ReadonlyArray<() => unknown>, rounds = ROUNDS): number[] {
  const samples = contenders.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    const order = contenders.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) samples[i]!.push((opsPerSecond(contenders[i]!) * bytes) / 1e6);
  }
  return samples.map((s) => median(s));
}

const mbs = (value: number): string => value.toFixed(1);
const rows: Array<Array<string | number>> = [];
for (const [label, bytes] of Object.entries(SIZES)) {
  const rtf = sized(bytes);
  const compressed = compressRtfSync(rtf);
  if (Buffer.compare(decompressRtfSync(compressed), rtf) !== 0) throw new Error('round trip failed');
  const ratio = `${((compressed.length / rtf.length) * 100).toFixed(1)} %`;

  if (bytes <= 200 * 1024) {
    const spec = specLzfuCompress(rtf);
    const [ours, literal] = race(bytes, [() => compressRtfSync(rtf), () => specLzfuCompress(rtf)], 1);
    const same = Buffer.compare(spec, compressed) === 0 ? 'same bytes' : `differs, spec ${((spec.length / rtf.length) * 100).toFixed(1)} %`;
    rows.push([`compress ${label}`, mbs(ours!), `${mbs(literal!)} (spec's search)`, `${(ours! / literal!).toFixed(1)}×`, `${ratio} (spec's search: ${same})`]);
  } else {
    const [ours] = race(bytes, [() => compressRtfSync(rtf)]);
    rows.push([`compress ${label}`, mbs(ours!), '—', '—', ratio]);
  }

  if (peer) {
    const asArray = Array.from(compressed); // its input type; converted once, outside the timing
    if (Buffer.compare(Uint8Array.from(peer.decompressRTF(asArray)), rtf) !== 0) throw new Error('@kenjiuno/decompressrtf disagrees');
    const [ours, theirs] = race(bytes, [() => decompressRtfSync(compressed), () => peer.decompressRTF(asArray)]);
    rows.push([`decompress ${label}`, mbs(ours!), `${mbs(theirs!)} (@kenjiuno/decompressrtf)`, `${(ours! / theirs!).toFixed(1)}×`, ratio]);
  } else {
    const [ours] = race(bytes, [() => decompressRtfSync(compressed)]);
    rows.push([`decompress ${label}`, mbs(ours!), '— (@kenjiuno/decompressrtf not installed)', '—', ratio]);
  }
}
console.log(`compressed RTF: MB/s of uncompressed RTF, medians of ${ROUNDS} interleaved rounds (1 round for the spec's search)\n`);
table(['operation', 'cdonts (MB/s)', 'peer (MB/s)', 'cdonts ÷ peer', 'compressed size'], rows);

// De-encapsulation ([MS-OXRTFEX]) of the corpus's real Outlook bodies, against
// rtf-stream-parser (the npm de-encapsulator, given iconv-lite for code pages), and the
// plain-RTF renderer on the rest of the corpus (no Node peer renders RTF without a DOM).
const outlook = readdirSync(CORPUS)
  .filter((name) => name.endsWith('.rtf'))
  .sort()
  .map((name) => ({ name, rtf: readFileSync(resolve(CORPUS, name), 'latin1') }));
const rows2: Array<Array<string | number>> = [];
for (const { name, rtf } of outlook) {
  const bytes = rtf.length;
  if (encapsulatedKind(rtf) === 'html') {
    if (!deEncapsulator) continue;
    const buffer = Buffer.from(rtf, 'latin1');
    const options = { decode: (b: Buffer, encoding: string) => iconv.decode(b, encoding), mode: 'html' as const };
    if (deEncapsulator.deEncapsulateSync(buffer, options).text !== extractHtmlFromRtf(rtf)) throw new Error(`${name}: outputs differ`);
    const [ours, theirs] = race(bytes, [() => extractHtmlFromRtf(rtf), () => deEncapsulator.deEncapsulateSync(buffer, options)]);
    rows2.push([`de-encapsulate ${name} (${Math.round(bytes / 1024)} KB)`, mbs(ours!), `${mbs(theirs!)} (rtf-stream-parser)`, `${(ours! / theirs!).toFixed(1)}×`]);
  } else if (bytes > 20 * 1024) {
    const [ours] = race(bytes, [() => renderRtfToHtml(rtf)]);
    rows2.push([`render ${name} (${Math.round(bytes / 1024)} KB)`, mbs(ours!), '—', '—']);
  }
}
console.log(`\nRTF → HTML: MB/s of RTF, medians of ${ROUNDS} interleaved rounds, same output checked first\n`);
table(['operation', 'cdonts (MB/s)', 'peer (MB/s)', 'cdonts ÷ peer'], rows2);
