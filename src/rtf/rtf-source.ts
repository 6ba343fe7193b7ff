import { CdoError } from '../errors/cdo-error.js';
import { decompressRtfSync } from './decompress-rtf.js';

const COMPRESSED_TYPES = new Set(['LZFu', 'MELA']);

/**
 * True for the bytes of a compressed RTF stream ([MS-OXRTFCP] header: COMPTYPE at offset
 * 8). Text that starts "{\rtf" is RTF even when it says "LZFu" there ("{\rtf1 {LZFu…"); a
 * stream cannot start so, its first four bytes would claim a 1.9 GB COMPSIZE.
 */
export function isCompressedRtf(bytes: Uint8Array): boolean {
  const header = String.fromCharCode(...bytes.subarray(0, 12));
  return bytes.length >= 16 && !header.startsWith('{\\rtf') && COMPRESSED_TYPES.has(header.slice(8, 12));
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
  const compressed = input.length >= 16 && !input.startsWith('{\\rtf') && COMPRESSED_TYPES.has(input.slice(8, 12)) && isByteString(input);
  const source = compressed ? rtfSourceFromBytes(Buffer.from(input, 'latin1')) : input;
  const start = RTF_START.exec(source.slice(0, 64));
  if (start === null) {
    throw new CdoError('CDO_E_BAD_DATA', 'RTF: the input does not start with "{\\rtf"');
  }
  // From "{\rtf" on: leading text would otherwise hide the \fromhtml1 marker from the reader.
  return start[0].length === 5 ? source : source.slice(start[0].length - 5);
}

// Tolerated before "{\rtf": white space, NULs, a byte order mark (U+FEFF, or UTF-8's
// three bytes read as Latin-1).
// eslint-disable-next-line no-control-regex -- NUL is what some writers pad with
const RTF_START = /^(?:[\s\u0000\ufeff]|\u00ef\u00bb\u00bf)*\{\\rtf/u;

function isByteString(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}
