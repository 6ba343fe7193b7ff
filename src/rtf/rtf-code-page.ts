import iconv from 'iconv-lite';

/** Turns the bytes of one run of text into characters. */
export type ByteDecoder = (bytes: Uint8Array) => string;

/** The code page of the RTF symbol fonts (`\fcharset2`): bytes are glyph numbers, kept as they are. */
export const SYMBOL_CODE_PAGE = 42;

// Multi-byte pages: TextDecoder (Node ships full ICU). Its single-byte decoders are not
// used: Node 20 decodes "windows-1252" as Latin-1 (0x80 gives U+0080, not €).
const TEXT_DECODER_LABELS = new Map<number, string>([
  [932, 'shift_jis'],
  [936, 'gbk'],
  [949, 'euc-kr'],
  [950, 'big5'],
  [1200, 'utf-16le'],
  [1201, 'utf-16be'],
  [20127, 'utf-8'],
  [20932, 'euc-jp'],
  [51932, 'euc-jp'],
  [50220, 'iso-2022-jp'],
  [50221, 'iso-2022-jp'],
  [50222, 'iso-2022-jp'],
  [54936, 'gb18030'],
]);

// Single-byte pages, by iconv-lite name.
const ICONV_NAMES = new Map<number, string>([
  ...[874, 1250, 1251, 1252, 1253, 1254, 1255, 1256, 1257, 1258].map((cp): [number, string] => [cp, `windows-${cp}`]),
  ...[2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16].map((n): [number, string] => [28590 + n, `iso-8859-${n}`]),
  ...[437, 720, 737, 775, 850, 852, 855, 857, 858, 860, 861, 862, 863, 864, 865, 866, 869].map((cp): [number, string] => [cp, `cp${cp}`]),
  [10000, 'macintosh'],
  [10006, 'macgreek'],
  [10007, 'maccyrillic'],
  [10010, 'macromania'],
  [10017, 'macukraine'],
  [10021, 'macthai'],
  [10029, 'maccenteuro'],
  [10081, 'macturkish'],
  [10082, 'maccroatian'],
  [20866, 'koi8-r'],
  [21866, 'koi8-u'],
]);

// \fcharsetN → code page (RTF 1.9.1). 1 means "the document default", handled by the caller.
const CHARSET_CODE_PAGES = new Map<number, number>([
  [0, 1252], [2, SYMBOL_CODE_PAGE], [77, 10000], [78, 10001], [79, 10003], [80, 10008], [81, 10002],
  [83, 10005], [84, 10004], [85, 10006], [86, 10081], [87, 10021], [88, 10029], [89, 10007],
  [128, 932], [129, 949], [130, 1361], [134, 936], [136, 950], [161, 1253], [162, 1254],
  [163, 1258], [177, 1255], [178, 1256], [186, 1257], [204, 1251], [222, 874], [238, 1250],
  [254, 437], [255, 850],
]);

/** The code page a font's `\fcharsetN` stands for; undefined for 1 (default) and unknown sets. */
export function codePageOfCharset(charset: number): number | undefined {
  if (CHARSET_CODE_PAGES.has(charset)) return CHARSET_CODE_PAGES.get(charset);
  // Seen in the wild: a code page written where the charset belongs.
  return charset === 65001 || TEXT_DECODER_LABELS.has(charset) || ICONV_NAMES.has(charset) ? charset : undefined;
}

const latin1: ByteDecoder = (bytes) => {
  let out = '';
  for (const byte of bytes) out += String.fromCharCode(byte);
  return out;
};

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `\ansicpg65001`: UTF-8, except where the bytes are not UTF-8. Those are characters a
 * caller already decoded (an RTF string holding "¤" as U+00A4, not as C2 A4); they are
 * kept as they are instead of becoming U+FFFD.
 */
const utf8OrLatin1: ByteDecoder = (bytes) => {
  try {
    return fatalUtf8.decode(bytes);
  } catch {
    let out = '';
    let i = 0;
    while (i < bytes.length) {
      const length = utf8SequenceLength(bytes, i);
      out += length === 0 ? String.fromCharCode(bytes[i] ?? 0) : fatalUtf8.decode(bytes.subarray(i, i + length));
      i += Math.max(1, length);
    }
    return out;
  }
};

/** The length of the well-formed UTF-8 sequence at `i` (RFC 3629), 0 if there is none. */
function utf8SequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i] ?? 0;
  if (lead < 0x80) return 1;
  let length: number;
  let min: number;
  let max = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) [length, min] = [2, 0x80];
  else if (lead >= 0xe0 && lead <= 0xef) [length, min, max] = [3, lead === 0xe0 ? 0xa0 : 0x80, lead === 0xed ? 0x9f : 0xbf];
  else if (lead >= 0xf0 && lead <= 0xf4) [length, min, max] = [4, lead === 0xf0 ? 0x90 : 0x80, lead === 0xf4 ? 0x8f : 0xbf];
  else return 0;
  if (i + length > bytes.length) return 0;
  const second = bytes[i + 1] ?? 0;
  if (second < min || second > max) return 0;
  for (let k = 2; k < length; k++) {
    const next = bytes[i + k] ?? 0;
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return length;
}

const decoders = new Map<number, ByteDecoder>();

/**
 * A decoder for a Windows code page. 28591 is decoded as true Latin-1 (the WHATWG label
 * "iso-8859-1" means windows-1252). A page nobody here knows decodes as windows-1252,
 * the most likely intent of a mail body, rather than failing the whole document.
 */
export function decoderForCodePage(codePage: number): ByteDecoder {
  let decoder = decoders.get(codePage);
  if (decoder !== undefined) return decoder;
  const label = TEXT_DECODER_LABELS.get(codePage);
  const iconvName = ICONV_NAMES.get(codePage);
  if (codePage === SYMBOL_CODE_PAGE || codePage === 28591) {
    decoder = latin1;
  } else if (codePage === 65001) {
    decoder = utf8OrLatin1;
  } else if (label !== undefined) {
    const textDecoder = new TextDecoder(label);
    decoder = (bytes) => textDecoder.decode(bytes);
  } else if (iconvName !== undefined) {
    decoder = (bytes) => iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), iconvName);
  } else {
    decoder = decoderForCodePage(1252);
  }
  decoders.set(codePage, decoder);
  return decoder;
}
