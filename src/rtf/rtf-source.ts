import { CdoError } from '../errors/cdo-error.js';
import { decompressRtfSync } from './decompress-rtf.js';

const COMPRESSED_TYPES = new Set(['LZFu', 'MELA']);

/** True for the bytes of a compressed RTF stream ([MS-OXRTFCP] header: COMPTYPE at offset 8). */
export function isCompressedRtf(bytes: Uint8Array): boolean {
  return bytes.length >= 16 && COMPRESSED_TYPES.has(String.fromCharCode(bytes[8] ?? 0, bytes[9] ?? 0, bytes[10] ?? 0, bytes[11] ?? 0));
}

/**
 * RTF as the converter reads it: a "byte string", one character per byte (Latin-1), so
 * the reader decodes `\'hh` and raw 8-bit text in the document's own code pages.
 * Compressed RTF is decompressed first (strictly: a damaged stream is CDO_E_BAD_DATA).
 */
export function rtfSourceFromBytes(bytes: Uint8Array): string {
  const plain = isCompressedRtf(bytes) ? decompressRtfSync(bytes) : bytes;
  return Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength).toString('latin1');
}

/** A string given as RTF: compressed RTF read as Latin-1 is recognised and decompressed too. */
export function rtfSource(input: string): string {
  const compressed = input.length >= 16 && COMPRESSED_TYPES.has(input.slice(8, 12)) && isByteString(input);
  const source = compressed ? rtfSourceFromBytes(Buffer.from(input, 'latin1')) : input;
  if (!RTF_START.test(source.slice(0, 64))) {
    throw new CdoError('CDO_E_BAD_DATA', 'RTF: the input does not start with "{\\rtf"');
  }
  return source;
}

// Leading white space, NULs and a byte order mark are tolerated before "{\rtf".
// eslint-disable-next-line no-control-regex -- NUL is what some writers pad with
const RTF_START = /^[\s\u0000\ufeff]*\{\\rtf/u;

function isByteString(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}
