import type { TextLine } from './text-line.js';

/** A list item's marker or a quote's '> ': shown on the first line begun inside it, indent after. */
interface PrefixFrame {
  readonly marker: string;
  readonly indent: string;
  used: boolean;
}

const COLLAPSIBLE = /[ \t\n\r\f\u200b]+/gu;
const isCollapsible = (code: number): boolean => code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d || code === 0x0c || code === 0x200b;
const BLANK: TextLine = { prefix: '', indent: '', text: '', wrap: false };

/**
 * Collects the text of one flow (the document, or one table cell) as logical lines.
 * Block boundaries are requested lazily (`block(n)`: at least n line breaks before the
 * next content) so nested blocks never stack blank lines, and breaks asked for before
 * the first or after the last content are kept aside (`leading`, `trailing`) for the
 * flow that takes these lines in.
 */
export class TextBuilder {
  readonly lines: TextLine[] = [];
  /** Breaks asked for before any content. */
  leading = 0;
  #pending = 0;
  #started = false;
  #lineOpen = false;
  #text = '';
  #prefix = '';
  #indent = '';
  #wrap = true;
  #space = false;
  #frames: PrefixFrame[] = [];
  #capture: string | undefined;
  /** Set when block content (a paragraph, list, heading, nested table…) was put in. */
  hasBlock = false;

  /** Inline text: whitespace runs collapse to one space, as a browser shows them. */
  inline(text: string): void {
    let start = 0;
    let end = text.length;
    while (start < end && isCollapsible(text.charCodeAt(start))) start++;
    if (start > 0) this.#space = true;
    if (start === end) return;
    while (isCollapsible(text.charCodeAt(end - 1))) end--;
    this.#put((start > 0 || end < text.length ? text.slice(start, end) : text).replace(COLLAPSIBLE, ' '));
    if (end < text.length) this.#space = true;
  }

  /** Whitespace between words. */
  space(): void {
    this.#space = true;
  }

  /** Preformatted text: spaces kept, each newline a line break, never re-wrapped. */
  preformatted(text: string): void {
    let from = 0;
    for (;;) {
      const newline = text.indexOf('\n', from);
      const segment = text.slice(from, newline < 0 ? text.length : newline).replace(/\r$/u, '');
      if (segment !== '') this.#put(segment, false);
      if (newline < 0) return;
      if (this.#started) this.#pending++;
      from = newline + 1;
    }
  }

  /** A word of our own (a link target): set apart from what precedes it. */
  word(text: string): void {
    this.#space = true;
    this.#put(text);
  }

  /** At least `breaks` line breaks before the next content (2: a blank line). */
  block(breaks: number): void {
    if (this.#started) {
      if (breaks > this.#pending) this.#pending = breaks;
    } else if (breaks > this.leading) this.leading = breaks;
  }

  /** A hard line break (<br>): every one counts. */
  lineBreak(): void {
    if (this.#started) this.#pending++;
  }

  pushPrefix(marker: string, indent: string): void {
    this.#frames.push({ marker, indent, used: false });
  }

  popPrefix(): void {
    this.#frames.pop();
  }

  /** Starts recording the text put in (a link's text); the previous recording is returned by endCapture. */
  beginCapture(): string | undefined {
    const outer = this.#capture;
    this.#capture = '';
    return outer;
  }

  endCapture(outer: string | undefined): string {
    const captured = this.#capture ?? '';
    this.#capture = outer === undefined ? undefined : outer + captured;
    return captured;
  }

  /** Takes in another flow's lines (a table cell, a formatted table) as one block. */
  append(lines: readonly TextLine[], leading: number, trailing: number): void {
    if (lines.length === 0) return;
    this.block(leading);
    this.#newLine(true);
    this.#lineOpen = false;
    const prefix = this.#prefix;
    const indent = this.#indent;
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index] as TextLine;
      if (line.text === '') this.lines.push(BLANK);
      else if (prefix === '' && indent === '') this.lines.push(line);
      else this.lines.push({ prefix: (index === 0 ? prefix : indent) + line.prefix, indent: indent + line.indent, text: line.text, wrap: line.wrap });
    }
    this.#pending = trailing;
  }

  /** Ends the flow: its lines, and the breaks asked for after its last content. */
  finish(): { readonly lines: TextLine[]; readonly leading: number; readonly trailing: number } {
    if (this.#lineOpen) this.lines.push({ prefix: this.#prefix, indent: this.#indent, text: this.#text, wrap: this.#wrap });
    this.#lineOpen = false;
    return { lines: this.lines, leading: this.leading, trailing: this.#pending };
  }

  /** The width prefixes take on the line being written (what a table has left). */
  prefixWidth(): number {
    let width = 0;
    for (const frame of this.#frames) width += frame.indent.length;
    return width;
  }

  #put(text: string, wrap = true): void {
    if (!this.#lineOpen || this.#pending > 0) this.#newLine(wrap);
    else if (this.#space && this.#text !== '') {
      this.#text += ' ';
      if (this.#capture !== undefined) this.#capture += ' ';
    }
    if (!wrap) this.#wrap = false;
    this.#text += text;
    if (this.#capture !== undefined) this.#capture += text;
    this.#space = false;
  }

  #newLine(wrap: boolean): void {
    if (!this.#started) {
      this.#started = true;
    } else {
      if (this.#lineOpen) this.lines.push({ prefix: this.#prefix, indent: this.#indent, text: this.#text, wrap: this.#wrap });
      for (let index = 1; index < this.#pending; index++) this.lines.push(BLANK);
    }
    this.#pending = 0;
    let prefix = '';
    let indent = '';
    for (const frame of this.#frames) {
      prefix += frame.used ? frame.indent : frame.marker;
      indent += frame.indent;
      frame.used = true;
    }
    this.#prefix = prefix;
    this.#indent = indent;
    this.#text = '';
    this.#wrap = wrap;
    this.#space = false;
    this.#lineOpen = true;
  }
}
