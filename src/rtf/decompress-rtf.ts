// Reading compressed RTF ([MS-OXRTFCP] 2.1.3.1, 2.2). Strict by default: every header
// field, the CRC and the end marker are checked, and nothing is guessed. `lenient`
// salvages what a damaged stream still holds, but never reads past the input and never
// makes up a byte (no zero padding, no reads of never-written dictionary bytes).
import { CdoError } from '../errors/cdo-error.js';
import { MAX_CONVERT_INPUT_LENGTH } from '../converter/converter-lease.js';
import { rtfCrc } from './rtf-crc.js';
import {
  COMPSIZE_EXTRA,
  COMPTYPE_LZFU,
  COMPTYPE_MELA,
  DICTIONARY_MASK,
  HEADER_LENGTH,
  MIN_MATCH,
  PRELOAD_LENGTH,
  RTF_PRELOAD,
  asBytes,
  asOptions,
  describeCompType,
  readHeader,
} from './compressed-rtf-format.js';

export interface DecompressRtfOptions {
  /**
   * Salvage a damaged stream instead of refusing it: the CRC is not checked, COMPSIZE is
   * used only when it fits the input, decoding stops at the end of the input, at the end
   * marker or at the first reference to a never-written dictionary byte, and the output
   * is clipped to RAWSIZE (it may be shorter). A header that is too short or has an
   * unknown COMPTYPE is still an error. Default false.
   */
  readonly lenient?: boolean;
  /**
   * A RAWSIZE above this is refused with CDO_E_STRING_TOO_LONG before anything is
   * allocated. Default: the converter's input cap (16 MiB).
   */
  readonly maxOutputBytes?: number;
}

const WHO = 'decompressRtf';

function bad(message: string): CdoError {
  return new CdoError('CDO_E_BAD_DATA', `${WHO}: ${message}`);
}

/**
 * The RTF held by a PR_RTF_COMPRESSED stream (LZFu or MELA), as bytes.
 *
 * Strict mode (the default) requires: at least 16 bytes; COMPTYPE "LZFu" or "MELA";
 * COMPSIZE + 4 equal to the stream length (the spec's PADDING lies inside COMPSIZE, so
 * bytes after it are refused); for LZFu the CRC of bytes [16, COMPSIZE + 4), an end
 * marker, no reference to a never-written dictionary byte, and exactly RAWSIZE bytes of
 * output (bytes after the end marker are PADDING and allowed); for MELA a CRC field of 0
 * and RAWSIZE equal to the content length. Failures are CDO_E_BAD_DATA naming the field
 * or the offset.
 */
export function decompressRtfSync(bytes: Uint8Array | ArrayBuffer, options?: DecompressRtfOptions): Uint8Array {
  const input = asBytes(bytes, WHO);
  const { lenient = false, maxOutputBytes = MAX_CONVERT_INPUT_LENGTH } = asOptions(options, WHO);
  if (typeof lenient !== 'boolean') throw new CdoError('CDO_E_INVALID_PARAMETER', `${WHO}: lenient must be a boolean`);
  if (typeof maxOutputBytes !== 'number' || !(maxOutputBytes >= 0)) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `${WHO}: maxOutputBytes must be a number ≥ 0`);
  }

  if (input.length < HEADER_LENGTH) throw bad(`the stream is ${input.length} bytes long, shorter than the 16-byte header`);
  const header = readHeader(input);
  if (header.compType !== COMPTYPE_LZFU && header.compType !== COMPTYPE_MELA) {
    throw bad(`unknown COMPTYPE ${describeCompType(header.compType)} at offset 8 (expected "LZFu" or "MELA")`);
  }
  if (header.rawSize > maxOutputBytes) {
    throw new CdoError('CDO_E_STRING_TOO_LONG', `${WHO}: RAWSIZE ${header.rawSize} is larger than the limit of ${maxOutputBytes} bytes`);
  }

  // Where CONTENTS ends. Strict: exactly at the end of the input. Lenient: where COMPSIZE
  // says when that is plausible, else at the end of the input.
  const declaredEnd = header.compSize + 4;
  let end = input.length;
  if (declaredEnd !== input.length) {
    if (!lenient) {
      throw bad(
        header.compSize < COMPSIZE_EXTRA
          ? `COMPSIZE ${header.compSize} at offset 0 is less than 12`
          : `COMPSIZE ${header.compSize} at offset 0 says the stream is ${declaredEnd} bytes long, but it is ${input.length}`,
      );
    }
    if (declaredEnd >= HEADER_LENGTH && declaredEnd < input.length) end = declaredEnd;
  }

  if (header.compType === COMPTYPE_MELA) {
    const available = end - HEADER_LENGTH;
    if (!lenient) {
      if (header.crc !== 0) throw bad(`the CRC field at offset 12 of an uncompressed (MELA) stream must be 0, found 0x${hex(header.crc)}`);
      if (header.rawSize !== available) throw bad(`RAWSIZE ${header.rawSize} at offset 4 differs from the ${available} content bytes of the uncompressed (MELA) stream`);
    }
    return input.slice(HEADER_LENGTH, HEADER_LENGTH + Math.min(header.rawSize, available));
  }

  if (!lenient) {
    const crc = rtfCrc(input, HEADER_LENGTH, end);
    if (crc !== header.crc) throw bad(`CRC mismatch: the header at offset 12 says 0x${hex(header.crc)}, the content bytes [16, ${end}) give 0x${hex(crc)}`);
  }
  return decodeLzfu(input, end, header.rawSize, lenient);
}

/** Promise form of {@link decompressRtfSync}: every failure is a rejection. */
export async function decompressRtf(bytes: Uint8Array | ArrayBuffer, options?: DecompressRtfOptions): Promise<Uint8Array> {
  return decompressRtfSync(bytes, options);
}

/** At most 17 output bytes per 2 input bytes (a reference); a bound for the allocation. */
function maxDecodedLength(contentLength: number): number {
  return Math.floor(contentLength / 2) * 17 + (contentLength % 2);
}

function decodeLzfu(input: Uint8Array, end: number, rawSize: number, lenient: boolean): Uint8Array {
  const bound = maxDecodedLength(end - HEADER_LENGTH);
  if (rawSize > bound && !lenient) throw bad(`RAWSIZE ${rawSize} at offset 4 cannot come out of ${end - HEADER_LENGTH} content bytes`);
  const capacity = Math.min(rawSize, bound);
  const out = new Uint8Array(capacity);
  // Positions are absolute in the virtual stream preload ++ output: dictionary position
  // p holds the newest absolute index ≡ p (mod 4096), so a reference needs no ring.
  let written = 0;
  let at = HEADER_LENGTH;
  for (;;) {
    if (at >= end) {
      if (lenient) break;
      throw bad(`no end marker: the content ends at offset ${end} after ${written} of ${rawSize} bytes`);
    }
    const control = input[at++]!;
    for (let bit = 0; bit < 8; bit++) {
      if ((control & (1 << bit)) === 0) {
        if (at >= end) {
          if (lenient) return out.slice(0, written);
          throw bad(`truncated: a literal is due at offset ${at} but the content ends there (after ${written} bytes of output)`);
        }
        if (written >= capacity) {
          if (lenient) return out;
          throw bad(`the literal at offset ${at} goes past RAWSIZE ${rawSize}`);
        }
        out[written++] = input[at++]!;
        continue;
      }
      if (at + 2 > end) {
        if (lenient) return out.slice(0, written);
        throw bad(`truncated: a 2-byte reference is due at offset ${at} but the content ends at ${end}`);
      }
      const word = (input[at]! << 8) | input[at + 1]!;
      const offset = word >>> 4;
      const cur = PRELOAD_LENGTH + written;
      const distance = (cur - offset) & DICTIONARY_MASK;
      if (distance === 0) {
        // The end marker: a reference to the write position. PADDING may follow.
        if (written === rawSize || lenient) return written === capacity ? out : out.slice(0, written);
        throw bad(`the end marker at offset ${at} comes after ${written} bytes, but RAWSIZE is ${rawSize}`);
      }
      const from = cur - distance;
      if (from < 0) {
        if (lenient) return out.slice(0, written);
        throw bad(`the reference at offset ${at} reads dictionary position ${offset}, which has never been written (write position ${cur})`);
      }
      let length = (word & 0xf) + MIN_MATCH;
      if (written + length > capacity) {
        if (!lenient) throw bad(`the reference at offset ${at} goes past RAWSIZE ${rawSize}`);
        length = capacity - written;
      }
      at += 2;
      // Byte by byte: a reference may overlap the bytes it produces.
      let src = from;
      for (const stop = written + length; written < stop; src++) {
        out[written++] = src < PRELOAD_LENGTH ? RTF_PRELOAD[src]! : out[src - PRELOAD_LENGTH]!;
      }
      if (lenient && written === capacity) return out;
    }
  }
  return out.slice(0, written);
}

function hex(value: number): string {
  return value.toString(16).padStart(8, '0');
}
