import iconv from 'iconv-lite';
import Encoding from 'encoding-japanese';
import { CdoError } from './errors/cdo-error.js';
import { primitive } from './internal/primitive.js';

/** Code page → MIME charset label and the encoder that writes it. */
interface CodePage {
  readonly charset: string;
  readonly encode: (text: string) => Buffer;
  readonly decode: (bytes: Buffer) => string;
}

function viaIconv(charset: string, name = charset): CodePage {
  return { charset, encode: (text) => iconv.encode(text, name), decode: (bytes) => iconv.decode(bytes, name) };
}

// ISO-2022-JP is stateful: iconv-lite has no encoder for it, encoding-japanese does.
const iso2022jp: CodePage = {
  charset: 'ISO-2022-JP',
  encode: (text) => Buffer.from(Encoding.convert(Encoding.stringToCode(text), { to: 'JIS', from: 'UNICODE' })),
  decode: (bytes) => Encoding.codeToString(Encoding.convert([...bytes], { to: 'UNICODE', from: 'JIS' })),
};

// windows-1258 holds the Vietnamese tone marks as combining characters: a precomposed
// letter such as "ế" goes out as "ê" + U+0301, the way Windows writes it.
const windows1258: CodePage = {
  charset: 'windows-1258',
  encode: (text) => iconv.encode(splitToneMarks(text), 'windows-1258'),
  decode: (bytes) => iconv.decode(bytes, 'windows-1258').normalize('NFC'),
};

const TONE_MARKS = ['\u0300', '\u0301', '\u0303', '\u0309', '\u0323'];

function fitsIn1258(text: string): boolean {
  return iconv.decode(iconv.encode(text, 'windows-1258'), 'windows-1258') === text;
}

function splitToneMarks(text: string): string {
  let out = '';
  for (const char of text.normalize('NFC')) {
    const decomposed = char.normalize('NFD');
    const mark = fitsIn1258(char) ? undefined : TONE_MARKS.find((m) => decomposed.includes(m) && fitsIn1258(decomposed.replace(m, '').normalize('NFC')));
    out += mark === undefined ? char : decomposed.replace(mark, '').normalize('NFC') + mark;
  }
  return out;
}

const CODE_PAGES = new Map<number, CodePage>([
  [65001, viaIconv('UTF-8')],
  [20127, viaIconv('US-ASCII', 'ascii')],
  [1258, windows1258],
  ...[1250, 1251, 1252, 1253, 1254, 1255, 1256, 1257].map((cp): [number, CodePage] => [cp, viaIconv(`windows-${cp}`)]),
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((n): [number, CodePage] => [28590 + n, viaIconv(`ISO-8859-${n}`)]),
  [932, viaIconv('Shift_JIS', 'cp932')],
  [936, viaIconv('GBK')],
  [949, viaIconv('EUC-KR', 'cp949')],
  [950, viaIconv('Big5', 'cp950')],
  [50220, iso2022jp],
  [51932, viaIconv('EUC-JP')],
]);

export const DEFAULT_CODE_PAGE = 65001;

/** The code pages SetLocaleIDs accepts, in ascending order. */
export const supportedCodePages: readonly number[] = [...CODE_PAGES.keys()].sort((a, b) => a - b);

export function assertCodePage(given: unknown): number {
  const value = primitive(given);
  if (typeof value !== 'number' || !CODE_PAGES.has(value)) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `SetLocaleIDs: unknown code page ${JSON.stringify(value)}; supported: ${supportedCodePages.join(', ')}`);
  }
  return value;
}

export function charsetOf(codePage: number): string {
  return codePage_(codePage).charset;
}

/** Encodes text in the code page; refuses (never replaces) a character it cannot hold. */
export function encodeInCodePage(text: string, codePage: number, what: string): Buffer {
  const page = codePage_(codePage);
  const bytes = page.encode(text);
  if (page.decode(bytes) !== (codePage === 1258 ? text.normalize('NFC') : text)) {
    const bad = [...text.normalize('NFC')].find((c) => page.decode(page.encode(c)) !== c) ?? '?';
    throw new CdoError(
      'CDO_E_INVALID_PARAMETER',
      `${what}: ${JSON.stringify(bad)} (U+${(bad.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}) cannot be written in code page ${codePage} (${page.charset})`,
    );
  }
  return bytes;
}

/**
 * RFC 2047 encoded words ("B" encoding) in the code page, each at most 75 characters,
 * split between characters, never inside one. ASCII-only text is returned unchanged.
 */
export function encodeWords(text: string, codePage: number, what: string): string {
  if (/^[\u0020-\u007e]*$/u.test(text)) return text;
  const page = codePage_(codePage);
  encodeInCodePage(text, codePage, what); // the same refusal as the body
  const prefix = `=?${page.charset}?B?`;
  const maxBytes = Math.floor((75 - prefix.length - 2) / 4) * 3;
  const words: string[] = [];
  let chunk = '';
  for (const char of text) {
    const candidate = chunk + char;
    if (chunk !== '' && page.encode(candidate).length > maxBytes) {
      words.push(`${prefix}${page.encode(chunk).toString('base64')}?=`);
      chunk = char;
    } else {
      chunk = candidate;
    }
  }
  if (chunk !== '') words.push(`${prefix}${page.encode(chunk).toString('base64')}?=`);
  return words.join('\r\n ');
}

function codePage_(codePage: number): CodePage {
  const page = CODE_PAGES.get(codePage);
  if (page === undefined) throw new CdoError('CDO_E_INVALID_PARAMETER', `unknown code page ${codePage}`);
  return page;
}
