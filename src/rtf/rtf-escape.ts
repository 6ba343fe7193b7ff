import { decoderForCodePage } from './rtf-code-page.js';

/**
 * Writes text as RTF that our reader (and Outlook's) gives back exactly: ASCII as is,
 * `\ { }` escaped, CR LF as `\par`, windows-1252 characters as `\'hh`, anything else as
 * `\uN` with a `?` fallback (`\uc1`), one UTF-16 unit at a time so that even a lone
 * surrogate survives. A lone CR or LF is written as a byte escape: `\par` would come back
 * as CR LF.
 */
export function escapeRtf(text: string, loneBreak: (char: '\r' | '\n') => string = byteEscapeOf): string {
  let out = '';
  let plainStart = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code < 0x7f && code !== 0x5c && code !== 0x7b && code !== 0x7d) continue;
    out += text.slice(plainStart, i);
    if (code === 0x0d && text.charCodeAt(i + 1) === 0x0a) {
      out += '\\par\r\n';
      i++;
    } else if (code === 0x0d || code === 0x0a) {
      out += loneBreak(code === 0x0d ? '\r' : '\n');
    } else if (code === 0x09) {
      out += '\\tab ';
    } else if (code === 0x5c || code === 0x7b || code === 0x7d) {
      out += `\\${text[i] ?? ''}`;
    } else {
      out += escapeCharacter(code);
    }
    plainStart = i + 1;
  }
  return out + text.slice(plainStart);
}

/**
 * RTF typed as text (a command-line argument): its non-ASCII characters are meant as
 * characters, not as bytes of the document's code page, so each becomes `{\uc1\uN?}`.
 */
export function escapeNonAsciiInRtf(rtf: string): string {
  let out = '';
  for (let i = 0; i < rtf.length; i++) {
    const code = rtf.charCodeAt(i);
    out += code < 0x80 ? rtf[i] : `{\\uc1\\u${code > 0x7fff ? code - 0x10000 : code}?}`;
  }
  return out;
}

function byteEscapeOf(char: '\r' | '\n'): string {
  return char === '\r' ? "\\'0d" : "\\'0a";
}

const WINDOWS_1252_BYTES = windows1252Bytes();

function escapeCharacter(code: number): string {
  if (code < 0x20 || code === 0x7f) return `\\'${code.toString(16).padStart(2, '0')}`;
  const byte = WINDOWS_1252_BYTES.get(code);
  if (byte !== undefined) return `\\'${byte.toString(16)}`;
  return `\\u${code > 0x7fff ? code - 0x10000 : code}?`;
}

/** Character → byte for 0x80–0xFF of windows-1252, as our reader decodes it (undefined bytes left out). */
function windows1252Bytes(): Map<number, number> {
  const decode = decoderForCodePage(1252);
  const map = new Map<number, number>();
  for (let byte = 0x80; byte <= 0xff; byte++) {
    const char = decode(Uint8Array.of(byte));
    if (char.length === 1 && char !== '\ufffd') map.set(char.charCodeAt(0), byte);
  }
  return map;
}
