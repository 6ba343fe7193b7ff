import { codePageOfCharset, decoderForCodePage } from './rtf-code-page.js';
import { RtfTokenizer } from './rtf-tokenizer.js';
import { symbolFontCharacter, type SymbolFontName } from './symbol-fonts.js';

/**
 * Groups deeper than this are not saved: they share the state of the group at this depth,
 * so memory stays bounded whatever the input (a state is a few dozen bytes; real bodies
 * nest a few thousand deep at most — Outlook leaves `\htmlrtf {` groups open, and one
 * public sample reaches 2,714). A destination opened that deep is skipped whole.
 */
export const MAX_RTF_GROUP_DEPTH = 65_536;
/** `\ucN` larger than this would swallow the document; no writer needs more. */
const MAX_UC = 16;
const COLOR_COMPONENTS = ['red', 'green', 'blue'];

/** Where the text of a group goes. Readers add destinations of their own. */
export type Destination = 'body' | 'skip' | 'fonttbl' | 'colortbl' | (string & Record<never, never>);

/** The character state RTF scopes to a group: saved at `{`, restored at `}`. */
export interface GroupState {
  destination: Destination;
  /** How many fallback characters follow each `\uN` (`\ucN`). */
  uc: number;
  /** The current font (`\fN`): it decides the code page of the text. */
  font: number | undefined;
}

// Destinations that never show text (RTF 1.9.1), skipped with everything inside them.
const INVISIBLE_DESTINATIONS = new Set([
  'info', 'stylesheet', 'header', 'headerl', 'headerr', 'headerf', 'footer', 'footerl', 'footerr', 'footerf',
  'footnote', 'annotation', 'atnid', 'atnauthor', 'atnicn', 'pict', 'object', 'objdata', 'objclass', 'objname',
  'pntext', 'pntxta', 'pntxtb', 'listtext', 'listtable', 'listoverridetable', 'revtbl', 'rsidtbl', 'xmlnstbl',
  'filetbl', 'fldinst', 'txe', 'xe', 'tc', 'template', 'userprops', 'docvar', 'nonshppict', 'shpinst', 'sp', 'sn',
  'sv', 'pgdsctbl', 'latentstyles', 'themedata', 'colorschememapping', 'datastore', 'generator', 'mmathPr',
  'bkmkstart', 'bkmkend', 'field_', 'result', 'datafield', 'ftnsep', 'ftnsepc', 'aftnsep', 'aftnsepc', 'comment',
  'title', 'subject', 'author', 'operator', 'keywords', 'doccomm', 'company', 'buptim', 'creatim', 'revtim', 'printim',
]);

/**
 * The part of RTF every reader shares: groups and their state, the font and colour
 * tables, document and font code pages, byte runs decoded together (so a double-byte
 * character split over `\'hh` escapes or raw bytes comes out whole), `\uN` with `\ucN`
 * fallback skipping, and skipped destinations. Subclasses decide what text and control
 * words mean in their own destinations.
 */
export abstract class RtfReader<S extends GroupState> {
  protected state: S;
  /** `\ansicpgN` (or `\ansi`, `\mac`, `\pc`, `\pca`). */
  protected ansiCodePage = 1252;
  protected defaultFont: number | undefined;
  /** The colour table: index → `#rrggbb` (undefined: "auto"). */
  protected readonly colors: (string | undefined)[] = [];

  readonly #stack: S[] = [];
  readonly #fontCharsets = new Map<number, number | undefined>();
  readonly #fontCodePages = new Map<number, number>();
  readonly #fontNames = new Map<number, string>();
  #fontEntry: number | undefined;
  /** The name of the font-table entry being read, up to its ';'. */
  #fontName = '';
  #rgb: number[] | undefined;
  #bytes = new Uint8Array(256);
  #byteCount = 0;
  /** Fallback characters still to skip after a `\uN`. */
  #skip = 0;
  /** Groups opened past MAX_RTF_GROUP_DEPTH and not closed yet. */
  #overflow = 0;
  /** When past the cap a destination opened: the #overflow depth at which it closes. */
  #overflowSkipUntil = 0;

  protected constructor(initial: S) {
    this.state = initial;
  }

  /** Decoded text in a destination of the subclass (or 'body'). */
  protected abstract text(chars: string): void;
  /** A control word in a destination of the subclass (or 'body'). */
  protected abstract controlWord(name: string, param: number | undefined): void;
  /** A control symbol (`\~`, `\{`, `\-`…). */
  protected abstract controlSymbol(symbol: string): void;

  /** Claims a destination group (`{\name` or `{\*\name`); undefined leaves the default rule. */
  protected destination(_name: string, _ignorable: boolean): Destination | undefined {
    return undefined;
  }

  /** A group closed; `closed` is the state it had. */
  protected groupEnded(_closed: S): void {}

  /** `\binN` data in a destination of the subclass. */
  protected binary(_data: string): void {}

  protected get depth(): number {
    return this.#stack.length;
  }

  /**
   * The symbol font whose glyph numbers text in this state is, if it is to be read through
   * that font's table (undefined: bytes decode in the code page). None by default.
   */
  protected symbolFont(_state: S): SymbolFontName | undefined {
    return undefined;
  }

  /** The name the current font has in the font table. */
  protected fontName(state: S): string | undefined {
    const font = state.font ?? this.defaultFont;
    return font === undefined ? undefined : this.#fontNames.get(font);
  }

  /** The code page text in this state is decoded with: the current font's, else the document's. */
  protected codePageFor(state: S): number {
    const font = state.font ?? this.defaultFont;
    if (font === undefined) return this.ansiCodePage;
    const explicit = this.#fontCodePages.get(font);
    if (explicit !== undefined) return explicit;
    return this.#fontCharsets.get(font) ?? this.ansiCodePage;
  }

  protected read(source: string): void {
    const tokens = new RtfTokenizer(source);
    let fresh = false; // right after '{': a destination word may follow
    let ignorable = false; // '{\*'
    for (;;) {
      const type = tokens.next();
      if (type === 'end') break;
      if (this.#overflowSkipUntil > 0 && type !== 'groupStart' && type !== 'groupEnd') continue;
      if (type === 'text' || type === 'hex') {
        if (this.state.destination === 'skip') continue;
        if (fresh && ignorable) {
          fresh = false;
          // '{\*' followed by text: an ignorable group with no name, skipped whole.
          if (this.#overflow > 0) this.#overflowSkipUntil = this.#overflow;
          else this.state.destination = 'skip';
          continue;
        }
        fresh = false;
        if (type === 'hex') {
          if (this.#skip > 0) this.#skip--;
          else this.#byte(tokens.byte);
        } else {
          this.#plainText(tokens.text);
        }
        continue;
      }
      this.#flush();
      if (type === 'groupStart') {
        this.#skip = 0;
        if (this.#stack.length >= MAX_RTF_GROUP_DEPTH) {
          this.#overflow++;
          fresh = this.#overflowSkipUntil === 0;
          ignorable = false;
          continue;
        }
        this.#stack.push(this.state);
        this.state = { ...this.state };
        fresh = true;
        ignorable = false;
        continue;
      }
      if (type === 'groupEnd') {
        this.#skip = 0;
        fresh = false;
        if (this.#overflow > 0) {
          if (this.#overflow === this.#overflowSkipUntil) this.#overflowSkipUntil = 0;
          this.#overflow--;
          continue;
        }
        const outer = this.#stack.pop();
        // A stray '}' at the top (Outlook writes some) closes nothing.
        if (outer === undefined) continue;
        const closed = this.state;
        this.state = outer;
        this.groupEnded(closed);
        // The document's own group closed: whatever follows is not part of it.
        if (this.#stack.length === 0) break;
        continue;
      }
      if (this.state.destination === 'skip') continue;
      if (type === 'symbol' && tokens.symbol === '*') {
        if (fresh) ignorable = true;
        continue;
      }
      if (fresh) {
        fresh = false;
        if (type === 'word') {
          const destination = this.#destinationOf(tokens.name, ignorable);
          if (destination !== undefined && this.#overflow > 0) {
            // No state of its own to hold a destination: skip the group whole.
            this.#overflowSkipUntil = this.#overflow;
            continue;
          }
          if (destination !== undefined) {
            this.state.destination = destination;
            if (destination !== 'skip') this.#word(tokens.name, tokens.param);
            continue;
          }
        } else if (ignorable) {
          if (this.#overflow > 0) this.#overflowSkipUntil = this.#overflow;
          else this.state.destination = 'skip';
          continue;
        }
      }
      if (this.#skip > 0) {
        this.#skip--;
        continue;
      }
      if (type === 'word') this.#word(tokens.name, tokens.param);
      else if (type === 'symbol') this.#symbol(tokens.symbol);
      else this.binary(tokens.text);
    }
    this.#flush();
  }

  #destinationOf(name: string, ignorable: boolean): Destination | undefined {
    if (name === 'fonttbl' || name === 'colortbl') return name;
    const claimed = this.destination(name, ignorable);
    if (claimed !== undefined) return claimed;
    return ignorable || INVISIBLE_DESTINATIONS.has(name) ? 'skip' : undefined;
  }

  #word(name: string, param: number | undefined): void {
    const destination = this.state.destination;
    if (destination === 'fonttbl') return this.#fontTableWord(name, param);
    if (destination === 'colortbl') return this.#colorTableWord(name, param);
    switch (name) {
      case 'u': {
        const code = (param ?? 0) & 0xffff;
        const symbolFont = this.symbolFont(this.state);
        this.text((symbolFont === undefined ? undefined : symbolFontCharacter(symbolFont, code)) ?? String.fromCharCode(code));
        this.#skip = this.state.uc;
        return;
      }
      case 'uc':
        this.state.uc = Math.max(0, Math.min(MAX_UC, param ?? 1));
        return;
      case 'ansicpg':
        this.ansiCodePage = param !== undefined && param > 0 ? param : 1252;
        return;
      case 'ansi':
        this.ansiCodePage = 1252;
        return;
      case 'mac':
        this.ansiCodePage = 10000;
        return;
      case 'pc':
        this.ansiCodePage = 437;
        return;
      case 'pca':
        this.ansiCodePage = 850;
        return;
      case 'deff':
        this.defaultFont = param;
        return;
      case 'f':
        this.state.font = param;
        return;
      default:
        this.controlWord(name, param);
    }
  }

  #symbol(symbol: string): void {
    if (this.state.destination === 'fonttbl' || this.state.destination === 'colortbl') return;
    this.controlSymbol(symbol);
  }

  #fontTableWord(name: string, param: number | undefined): void {
    if (name === 'f') {
      this.#fontEntry = param;
      this.#fontName = '';
    } else if (name === 'fcharset' && this.#fontEntry !== undefined && param !== undefined) {
      this.#fontCharsets.set(this.#fontEntry, codePageOfCharset(param));
    } else if (name === 'cpg' && this.#fontEntry !== undefined && param !== undefined && param > 0) {
      this.#fontCodePages.set(this.#fontEntry, param);
    }
  }

  #colorTableWord(name: string, param: number | undefined): void {
    const index = COLOR_COMPONENTS.indexOf(name);
    if (index < 0) return;
    this.#rgb ??= [0, 0, 0];
    this.#rgb[index] = Math.max(0, Math.min(255, param ?? 0));
  }

  #plainText(text: string): void {
    const destination = this.state.destination;
    if (destination === 'fonttbl') {
      this.#fontTableText(text);
      return;
    }
    if (destination === 'colortbl') {
      for (const char of text) {
        if (char !== ';') continue;
        this.colors.push(this.#rgb === undefined ? undefined : `#${this.#rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`);
        this.#rgb = undefined;
      }
      return;
    }
    let start = 0;
    if (this.#skip > 0) {
      start = Math.min(this.#skip, text.length);
      this.#skip -= start;
    }
    for (let i = start; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code <= 0xff) {
        this.#byte(code);
      } else {
        // Not a byte: the source was already decoded text; keep the character.
        this.#flush();
        this.text(text[i] ?? '');
      }
    }
  }

  #fontTableText(text: string): void {
    if (this.#fontEntry === undefined) return;
    const end = text.indexOf(';');
    // Names are short; a longer "name" is not one the symbol tables would know anyway.
    if (this.#fontName.length < 64) this.#fontName += end < 0 ? text : text.slice(0, end);
    if (end >= 0) {
      this.#fontNames.set(this.#fontEntry, this.#fontName.trim());
      this.#fontName = '';
    }
  }

  #byte(byte: number): void {
    if (this.state.destination === 'fonttbl' || this.state.destination === 'colortbl') return;
    if (this.#byteCount === this.#bytes.length) {
      const grown = new Uint8Array(this.#bytes.length * 2);
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    this.#bytes[this.#byteCount++] = byte;
  }

  #flush(): void {
    if (this.#byteCount === 0) return;
    const bytes = this.#bytes.subarray(0, this.#byteCount);
    this.#byteCount = 0;
    const symbolFont = this.symbolFont(this.state);
    if (symbolFont === undefined) {
      this.text(decoderForCodePage(this.codePageFor(this.state))(bytes));
      return;
    }
    let text = '';
    for (const byte of bytes) text += symbolFontCharacter(symbolFont, byte) ?? String.fromCharCode(byte);
    this.text(text);
  }
}
