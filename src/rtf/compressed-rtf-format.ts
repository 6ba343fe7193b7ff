// The layout of a compressed RTF stream ([MS-OXRTFCP] 2.1.3.1), shared by the reader
// and the writer.
import { CdoError } from '../errors/cdo-error.js';

/** Header: COMPSIZE, RAWSIZE, COMPTYPE, CRC, each a little-endian DWORD. */
export const HEADER_LENGTH = 16;
/** COMPSIZE counts the CONTENTS plus the 12 header bytes that follow COMPSIZE itself. */
export const COMPSIZE_EXTRA = 12;
/** COMPTYPE "LZFu": CONTENTS is compressed. */
export const COMPTYPE_LZFU = 0x75465a4c;
/** COMPTYPE "MELA": CONTENTS is the RTF as is, and CRC must be 0. */
export const COMPTYPE_MELA = 0x414c454d;

/** The ring buffer is 4096 bytes; a reference holds a 12-bit absolute position in it. */
export const DICTIONARY_SIZE = 4096;
export const DICTIONARY_MASK = DICTIONARY_SIZE - 1;
/** A reference copies 2..17 bytes (4-bit length + 2). */
export const MIN_MATCH = 2;
export const MAX_MATCH = 17;

// Preloaded at positions 0..206 (2.1.2.1). Bytes 168/169 are CR LF, as the spec's
// 3.1.1.3 lists them; Apache POI's copy has them swapped.
const PRELOAD_TEXT =
  '{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor ' +
  'MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n' +
  '\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx';

/** The 207 preloaded dictionary bytes. Treat as read-only. */
export const RTF_PRELOAD: Uint8Array = Uint8Array.from(PRELOAD_TEXT, (c) => c.charCodeAt(0));
export const PRELOAD_LENGTH = 207;

export interface CompressedRtfHeader {
  readonly compSize: number;
  readonly rawSize: number;
  readonly compType: number;
  readonly crc: number;
}

export function readUint32LE(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

export function writeUint32LE(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = (value >>> 16) & 0xff;
  bytes[offset + 3] = (value >>> 24) & 0xff;
}

/** The header of a stream known to hold at least 16 bytes. */
export function readHeader(bytes: Uint8Array): CompressedRtfHeader {
  return { compSize: readUint32LE(bytes, 0), rawSize: readUint32LE(bytes, 4), compType: readUint32LE(bytes, 8), crc: readUint32LE(bytes, 12) };
}

export function writeHeader(bytes: Uint8Array, header: CompressedRtfHeader): void {
  writeUint32LE(bytes, 0, header.compSize);
  writeUint32LE(bytes, 4, header.rawSize);
  writeUint32LE(bytes, 8, header.compType);
  writeUint32LE(bytes, 12, header.crc);
}

/** COMPTYPE as text for messages: "LZFu", or hex when it is not printable. */
export function describeCompType(compType: number): string {
  const chars = [compType & 0xff, (compType >>> 8) & 0xff, (compType >>> 16) & 0xff, compType >>> 24];
  return chars.every((c) => c >= 0x20 && c < 0x7f) ? `"${String.fromCharCode(...chars)}"` : `0x${compType.toString(16).padStart(8, '0')}`;
}

/**
 * A Uint8Array, Buffer or ArrayBuffer as a plain Uint8Array view (Buffer's own `slice`
 * shares memory, the typed array's copies); anything else is refused.
 */
export function asBytes(value: unknown, caller: string): Uint8Array {
  if (value instanceof Uint8Array) return value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.length);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new CdoError('CDO_E_INVALID_PARAMETER', `${caller}: expected a Uint8Array, Buffer or ArrayBuffer, got ${describe(value)}`);
}

/** The options argument: undefined means none; anything but an object is refused. */
export function asOptions<T extends object>(value: T | undefined, caller: string): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw new CdoError('CDO_E_INVALID_PARAMETER', `${caller}: options must be an object, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return typeof value;
}
