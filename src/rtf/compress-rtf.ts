// Writing compressed RTF ([MS-OXRTFCP] 2.1.3.1, 2.3). The LZFu writer picks the same
// tokens as the spec's writer (2.3.3.2) — longest match, and on a tie the oldest
// dictionary position, i.e. the first strictly longer match in the spec's scan order —
// so it reproduces the spec's examples byte for byte, but finds them through hash
// chains instead of scanning all 4096 positions for every token.
import { CdoError } from '../errors/cdo-error.js';
import { rtfCrc } from './rtf-crc.js';
import {
  COMPSIZE_EXTRA,
  COMPTYPE_LZFU,
  COMPTYPE_MELA,
  DICTIONARY_MASK,
  DICTIONARY_SIZE,
  HEADER_LENGTH,
  MAX_MATCH,
  MIN_MATCH,
  PRELOAD_LENGTH,
  RTF_PRELOAD,
  asBytes,
  asOptions,
  writeHeader,
} from './compressed-rtf-format.js';

export type RtfCompression = 'LZFu' | 'MELA';

export interface CompressRtfOptions {
  /** "LZFu" (compressed, the default) or "MELA" (stored as is, as some stores write it). */
  readonly compression?: RtfCompression;
}

const WHO = 'compressRtf';
const MAX_UINT32 = 0xffffffff;

/** A PR_RTF_COMPRESSED stream holding `bytes` (the RTF, as bytes). */
export function compressRtfSync(bytes: Uint8Array | ArrayBuffer, options?: CompressRtfOptions): Uint8Array {
  const input = asBytes(bytes, WHO);
  const { compression = 'LZFu' } = asOptions(options, WHO);
  if (compression !== 'LZFu' && compression !== 'MELA') {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `${WHO}: compression must be "LZFu" or "MELA", got ${String(compression)}`);
  }
  // COMPSIZE and RAWSIZE are DWORDs.
  if (maxCompressedLength(input.length) - 4 > MAX_UINT32) {
    throw new CdoError('CDO_E_STRING_TOO_LONG', `${WHO}: ${input.length} bytes do not fit the 32-bit size fields`);
  }
  return compression === 'MELA' ? storeMela(input) : compressLzfu(input);
}

/** Promise form of {@link compressRtfSync}: every failure is a rejection. */
export async function compressRtf(bytes: Uint8Array | ArrayBuffer, options?: CompressRtfOptions): Promise<Uint8Array> {
  return compressRtfSync(bytes, options);
}

/** Header, every byte a literal, one control byte per 8 tokens, and the end marker. */
function maxCompressedLength(n: number): number {
  return HEADER_LENGTH + n + 2 + Math.ceil((n + 1) / 8);
}

function storeMela(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH + input.length);
  writeHeader(out, { compSize: input.length + COMPSIZE_EXTRA, rawSize: input.length, compType: COMPTYPE_MELA, crc: 0 });
  out.set(input, HEADER_LENGTH);
  return out;
}

// Hash chains: one list per 2-byte prefix of the absolute positions in the window,
// oldest first, so the first 17-byte match ends the search and ties go to the oldest.
// The tables are made on first use (not at import) and shared across calls — the writer
// is synchronous, so never re-entered — and `head` is left all -1 after each call.
// `next` is a ring because the window never holds 4096 positions.
interface Chains {
  readonly head: Int32Array;
  readonly tail: Int32Array;
  readonly next: Int32Array;
}
let chains: Chains | undefined;

function compressLzfu(input: Uint8Array): Uint8Array {
  const { head, tail, next } = (chains ??= { head: new Int32Array(1 << 16).fill(-1), tail: new Int32Array(1 << 16), next: new Int32Array(DICTIONARY_SIZE) });
  // The virtual stream S = preload ++ input; absolute index i lives at dictionary
  // position i % 4096, and the writer is at absolute `cur`.
  const total = PRELOAD_LENGTH + input.length;
  const s = new Uint8Array(total);
  s.set(RTF_PRELOAD);
  s.set(input, PRELOAD_LENGTH);
  const out = new Uint8Array(maxCompressedLength(input.length));

  let inserted = 0; // positions below this are in the chains
  let removed = 0; // positions below this have left the window
  let cur = PRELOAD_LENGTH;
  let o = HEADER_LENGTH;
  let controlAt = o++;
  let control = 0;
  let bit = 0;
  for (;;) {
    if (bit === 8) {
      out[controlAt] = control;
      controlAt = o++;
      control = 0;
      bit = 0;
    }
    if (cur >= total) {
      // End marker: a reference to the write position (length 0).
      const word = (cur & DICTIONARY_MASK) << 4;
      out[o++] = word >>> 8;
      out[o++] = word & 0xff;
      out[controlAt] = control | (1 << bit);
      break;
    }
    const maxLength = Math.min(MAX_MATCH, total - cur);
    let bestLength = 0;
    let bestFrom = 0;
    if (maxLength >= MIN_MATCH) {
      // Candidates: absolute positions [cur - 4095, cur - 1], the spec's scan range.
      for (const low = cur - (DICTIONARY_SIZE - 1); removed < low; removed++) {
        // The oldest position of all is the head of its chain. Removing before
        // inserting frees the ring slot the new position takes.
        head[(s[removed]! << 8) | s[removed + 1]!] = next[removed & DICTIONARY_MASK]!;
      }
      for (; inserted < cur; inserted++) {
        const h = (s[inserted]! << 8) | s[inserted + 1]!;
        next[inserted & DICTIONARY_MASK] = -1;
        if (head[h]! < 0) head[h] = inserted;
        else next[tail[h]! & DICTIONARY_MASK] = inserted;
        tail[h] = inserted;
      }
      bestLength = 1;
      for (let from = head[(s[cur]! << 8) | s[cur + 1]!]!; from >= 0; from = next[from & DICTIONARY_MASK]!) {
        // Only a strictly longer match counts, so it must agree at index bestLength.
        // Reads past `cur` are the overlap the reader copies byte by byte.
        if (s[from + bestLength] !== s[cur + bestLength]) continue;
        let length = MIN_MATCH;
        while (length < maxLength && s[from + length] === s[cur + length]) length++;
        if (length > bestLength) {
          bestLength = length;
          bestFrom = from;
          if (length === maxLength) break;
        }
      }
    }
    if (bestLength >= MIN_MATCH) {
      const word = ((bestFrom & DICTIONARY_MASK) << 4) | (bestLength - MIN_MATCH);
      out[o++] = word >>> 8;
      out[o++] = word & 0xff;
      control |= 1 << bit;
      cur += bestLength;
    } else {
      out[o++] = s[cur++]!;
    }
    bit++;
  }
  // Leave `head` all -1 for the next call: only the live positions can be set.
  for (let a = removed; a < inserted; a++) head[(s[a]! << 8) | s[a + 1]!] = -1;

  writeHeader(out, { compSize: o - 4, rawSize: input.length, compType: COMPTYPE_LZFU, crc: rtfCrc(out, HEADER_LENGTH, o) });
  return out.slice(0, o);
}
