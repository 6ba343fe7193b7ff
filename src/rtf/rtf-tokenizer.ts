/** What the tokenizer found; its fields hold the details until the next call. */
export type RtfTokenType = 'groupStart' | 'groupEnd' | 'word' | 'symbol' | 'hex' | 'text' | 'binary' | 'end';

const MAX_WORD_LENGTH = 32;
const MAX_PARAM_DIGITS = 10;

/**
 * Splits RTF into tokens. The source is a "byte string": each character up to U+00FF is
 * one byte of the file (read a file with `latin1`); a character above U+00FF cannot be a
 * byte, so it passes through as text and the reader keeps it as Unicode.
 *
 * One object, reused: `next()` returns the type and sets `name`/`param` (control word),
 * `symbol` (control symbol), `byte` (`\'hh`), `text` (a run of plain text) or `binaryLength`
 * and `text` (`\binN` and its data). Nothing here throws: malformed escapes become text or
 * nothing, so any input reaches the end in one linear pass.
 */
export class RtfTokenizer {
  readonly #source: string;
  #pos = 0;
  name = '';
  param: number | undefined = undefined;
  symbol = '';
  byte = 0;
  text = '';
  binaryLength = 0;

  constructor(source: string) {
    this.#source = source;
  }

  next(): RtfTokenType {
    const s = this.#source;
    for (;;) {
      if (this.#pos >= s.length) return 'end';
      const c = s.charCodeAt(this.#pos);
      if (c === 0x7b /* { */) {
        this.#pos++;
        return 'groupStart';
      }
      if (c === 0x7d /* } */) {
        this.#pos++;
        return 'groupEnd';
      }
      if (c === 0x5c /* \ */) {
        const type = this.#control();
        if (type !== undefined) return type;
        continue;
      }
      // RTF ignores raw CR, LF and NUL (Outlook bodies often end with a NUL).
      if (c === 0x0d || c === 0x0a || c === 0) {
        this.#pos++;
        continue;
      }
      return this.#plainText();
    }
  }

  #plainText(): 'text' {
    const s = this.#source;
    const start = this.#pos;
    let end = start;
    while (end < s.length) {
      const c = s.charCodeAt(end);
      if (c === 0x7b || c === 0x7d || c === 0x5c || c === 0x0d || c === 0x0a || c === 0) break;
      end++;
    }
    this.#pos = end;
    this.text = s.slice(start, end);
    return 'text';
  }

  /** After a backslash. Undefined: nothing to report (a lone backslash at the end). */
  #control(): RtfTokenType | undefined {
    const s = this.#source;
    const at = this.#pos + 1;
    if (at >= s.length) {
      this.#pos = at;
      return undefined;
    }
    const c = s.charCodeAt(at);
    if (isLetter(c)) return this.#word(at);
    if (c === 0x27 /* ' */) {
      const hi = hexValue(s.charCodeAt(at + 1));
      const lo = hexValue(s.charCodeAt(at + 2));
      if (hi < 0 || lo < 0) {
        // A broken \' escape: drop the two characters and read on.
        this.#pos = at + 1;
        return undefined;
      }
      this.#pos = at + 3;
      this.byte = (hi << 4) | lo;
      return 'hex';
    }
    this.#pos = at + 1;
    // A backslash before a line break is a paragraph mark.
    if (c === 0x0d || c === 0x0a) {
      this.name = 'par';
      this.param = undefined;
      return 'word';
    }
    this.symbol = s[at] ?? '';
    return 'symbol';
  }

  #word(start: number): RtfTokenType {
    const s = this.#source;
    let end = start;
    while (end < s.length && end - start < MAX_WORD_LENGTH && isLetter(s.charCodeAt(end))) end++;
    this.name = s.slice(start, end);
    const signStart = end;
    if (s.charCodeAt(end) === 0x2d /* - */ && isDigit(s.charCodeAt(end + 1))) end++;
    const numberStart = end;
    while (end < s.length && end - numberStart < MAX_PARAM_DIGITS && isDigit(s.charCodeAt(end))) end++;
    this.param = end > numberStart ? Math.max(-0x80000000, Math.min(0x7fffffff, Number(s.slice(signStart, end)))) : undefined;
    // One space delimits a control word and is part of it.
    if (s.charCodeAt(end) === 0x20) end++;
    this.#pos = end;
    if (this.name === 'bin') {
      const length = Math.max(0, Math.min(this.param ?? 0, s.length - end));
      this.binaryLength = length;
      this.text = s.slice(end, end + length);
      this.#pos = end + length;
      return 'binary';
    }
    return 'word';
  }
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}
