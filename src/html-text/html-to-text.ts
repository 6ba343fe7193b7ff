// Our html → text engine: one pass over the markup (scanHtml), no DOM. What it keeps
// and how it lays text out follows html-to-text 10 with the converter's options (the
// reference its tests hold it to); tables and depth are where it differs on purpose.
import { readAttribute, scanHtml, type HtmlScanHandler } from './scan-html.js';
import { renderLines } from './render-lines.js';
import { renderTable, type TableContent } from './render-table.js';
import { TextBuilder } from './text-builder.js';

export interface HtmlToTextOptions {
  /** Wrap lines at this many columns. Default 78. */
  readonly wordwrap?: number;
  /**
   * Elements nested deeper than this are flattened: their text is kept, their structure
   * (block breaks aside) is not. Bounds the work per tag, never the content. Default 256.
   */
  readonly maxDepth?: number;
}

// Line breaks before and after each block element.
const BLOCKS = new Map<string, readonly [number, number]>([
  ['p', [2, 2]], ['blockquote', [2, 2]], ['pre', [2, 2]], ['ul', [2, 2]], ['ol', [2, 2]], ['dl', [2, 2]], ['table', [2, 2]],
  ['h1', [3, 2]], ['h2', [3, 2]], ['h3', [3, 2]], ['h4', [3, 2]], ['h5', [3, 2]], ['h6', [3, 2]],
  ...['div', 'section', 'article', 'header', 'footer', 'nav', 'main', 'aside', 'address', 'figure', 'figcaption', 'center', 'form',
    'fieldset', 'legend', 'details', 'summary', 'dialog', 'menu', 'dir', 'dt', 'dd', 'li', 'caption', 'tr', 'td', 'th', 'thead',
    'tbody', 'tfoot', 'option', 'optgroup', 'select', 'hgroup', 'search', 'noscript'].map((name) => [name, [1, 1]] as const),
]);
const VOID = new Set(['area', 'base', 'basefont', 'bgsound', 'br', 'col', 'embed', 'frame', 'hr', 'img', 'input', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr', 'image']);
// Opening one of these ends an open <p> (HTML's "close a p element").
const CLOSES_P = new Set(['address', 'article', 'aside', 'blockquote', 'center', 'details', 'dialog', 'dir', 'div', 'dl', 'fieldset', 'figcaption', 'figure',
  'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr', 'li', 'dd', 'dt', 'main', 'menu', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'ul']);
// Content that makes a table cell part of a layout, not a value in a grid.
const LAYOUT_CONTENT = new Set(['table', 'ul', 'ol', 'dl', 'blockquote', 'pre', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
// What may stand in <head>; anything else ends it, as in HTML.
const HEAD_CONTENT = new Set(['meta', 'link', 'base', 'basefont', 'bgsound', 'style', 'script', 'title', 'noscript', 'template']);
const MAX_RULES = 1000;
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const TABLE_PARTS = new Set(['td', 'th', 'tr', 'thead', 'tbody', 'tfoot', 'caption']);

// Scopes for matching end tags (an end tag never closes across its scope's edge):
// inline tags stay inside their block, blocks inside their cell, cells inside their table.
const Scope = { block: 0, cell: 1, table: 2, list: 3, definitions: 4 } as const;
type Scope = (typeof Scope)[keyof typeof Scope];
const SCOPE_EDGES: ReadonlyArray<ReadonlySet<string>> = [
  new Set([...BLOCKS.keys()]),
  new Set(['td', 'th', 'caption', 'table']),
  new Set(['table']),
  new Set(['ul', 'ol', 'td', 'th', 'caption', 'table']),
  new Set(['dl', 'td', 'th', 'caption', 'table']),
];

// Everything the converter asks about a tag name, in one lookup.
const F = { block: 1, void: 2, closesP: 4, layout: 8, headContent: 16, heading: 32, tablePart: 64 } as const;
const SCOPE_FLAG = [1 << 8, 1 << 9, 1 << 10, 1 << 11, 1 << 12] as const;
const FLAGS = new Map<string, number>();
const flag = (names: Iterable<string>, bit: number): void => {
  for (const name of names) FLAGS.set(name, (FLAGS.get(name) ?? 0) | bit);
};
flag(BLOCKS.keys(), F.block);
flag(VOID, F.void);
flag(CLOSES_P, F.closesP);
flag(LAYOUT_CONTENT, F.layout);
flag(HEAD_CONTENT, F.headContent);
flag(HEADINGS, F.heading);
flag(TABLE_PARTS, F.tablePart);
SCOPE_EDGES.forEach((names, scope) => flag(names, SCOPE_FLAG[scope] as number));

interface LinkFrame {
  readonly kind: 'link';
  readonly href: string | undefined;
  readonly into: TextBuilder;
  readonly outer: string | undefined;
}
interface ListFrame {
  readonly kind: 'list';
  readonly ordered: boolean;
  next: number;
}
interface PrefixFrame {
  readonly kind: 'prefix';
  readonly into: TextBuilder;
}
interface TableFrame {
  readonly kind: 'table';
  readonly table: TableContent;
  row: TableContent['rows'][number] | undefined;
}
interface CellFrame {
  readonly kind: 'cell';
  readonly owner: TableFrame;
  readonly caption: boolean;
}
type FrameData = LinkFrame | ListFrame | PrefixFrame | TableFrame | CellFrame | undefined;

/** Converts HTML to plain text. Linear in the input; throws nothing for any string. */
export function htmlToText(html: string, options: HtmlToTextOptions = {}): string {
  const converter = new HtmlTextConverter(options.wordwrap ?? 78, options.maxDepth ?? 256, html);
  scanHtml(html, converter);
  return converter.finish();
}

class HtmlTextConverter implements HtmlScanHandler {
  readonly #width: number;
  readonly #maxDepth: number;
  readonly #html: string;
  readonly #names: string[] = [];
  readonly #data: FrameData[] = [];
  /** For each open element and scope: the index of the nearest element at or below it that bounds the scope. */
  readonly #edges: number[][] = SCOPE_EDGES.map(() => []);
  /** Indexes of the open elements of each name, innermost last. */
  readonly #open = new Map<string, number[]>();
  readonly #builders: TextBuilder[] = [new TextBuilder()];
  #builder: TextBuilder = this.#builders[0] as TextBuilder;
  /** Levels opened past maxDepth, not on the stack. */
  #flattened = 0;
  #inHead = false;
  #pre = 0;
  #preStart = false;
  #rules = 0;

  constructor(width: number, maxDepth: number, html: string) {
    this.#width = width;
    this.#maxDepth = Math.max(1, maxDepth);
    this.#html = html;
  }

  whitespace(from: number, to: number): void {
    // Indentation between tags, mostly: a space at most, except in <pre>.
    if (this.#pre > 0 && !this.#inHead) this.text(this.#html.slice(from, to));
    else this.#builder.space();
  }

  text(text: string): void {
    this.#inHead = false;
    const cellAt = this.#edge(Scope.cell);
    const loose = cellAt >= 0 ? this.#data[cellAt] : undefined;
    if (loose?.kind === 'table') {
      // Text in a table but in no cell (template loops, stray words): a row of its own, where it stands.
      this.#looseRow(loose, text);
      return;
    }
    if (this.#pre > 0) {
      // A newline right after <pre> belongs to the markup, not the text.
      if (this.#preStart) text = text.replace(/^\r?\n/u, '');
      this.#preStart = false;
      this.#builder.preformatted(text);
    } else this.#builder.inline(text);
  }

  rawText(_name: string, text: string): void {
    this.#builder.preformatted(text);
  }

  open(name: string, attributesFrom: number, attributesTo: number): void {
    const flags = FLAGS.get(name) ?? 0;
    if (this.#inHead && (flags & F.headContent) === 0) this.#inHead = false;
    this.#preStart = false;
    switch (name) {
      case 'html':
        return;
      case 'head':
        this.#inHead = true;
        return;
      case 'body':
        this.#inHead = false;
        return;
      case 'br':
        this.#builder.lineBreak();
        return;
      case 'hr':
        this.#closeIfOpen('p', Scope.cell);
        this.#builder.hasBlock = true;
        // A rule is 4 bytes of markup and a line of output: past a budget, rules are plain breaks (bounded output).
        if (this.#rules++ < MAX_RULES) {
          this.#builder.append([{ prefix: '', indent: '', text: '-'.repeat(Math.max(1, this.#width - this.#builder.prefixWidth())), wrap: false }], 2, 2);
        } else this.#builder.block(2);
        return;
    }
    if ((flags & F.void) !== 0) return;
    const block = (flags & F.block) !== 0 ? BLOCKS.get(name) : undefined;
    if (this.#names.length >= this.#maxDepth) {
      // Past the depth cap: the level is flattened. Its text stays; a block still breaks the line.
      this.#flattened++;
      if (block !== undefined) this.#builder.block(1);
      return;
    }
    if ((flags & F.layout) !== 0) this.#builder.hasBlock = true;
    if ((flags & F.closesP) !== 0) this.#closeIfOpen('p', Scope.cell);
    let data: FrameData;
    switch (name) {
      case 'a': {
        this.#closeIfOpen('a', Scope.cell);
        const href = readAttribute(this.#html, attributesFrom, attributesTo, 'href');
        const into = this.#builder;
        data = { kind: 'link', href, into, outer: into.beginCapture() };
        break;
      }
      case 'ul':
      case 'ol': {
        const start = name === 'ol' ? Number.parseInt(readAttribute(this.#html, attributesFrom, attributesTo, 'start') ?? '1', 10) : 1;
        data = { kind: 'list', ordered: name === 'ol', next: Number.isFinite(start) ? start : 1 };
        const nested = (this.#open.get('li')?.length ?? 0) > 0;
        this.#builder.block(nested ? 1 : 2);
        break;
      }
      case 'li': {
        this.#closeIfOpen('li', Scope.list);
        const listAt = this.#edge(Scope.list);
        const list = listAt >= 0 ? this.#data[listAt] : undefined;
        let marker = ' * ';
        if (list?.kind === 'list' && list.ordered) marker = ` ${list.next++}. `;
        this.#builder.block(1);
        this.#builder.pushPrefix(marker, ' '.repeat(marker.length));
        data = { kind: 'prefix', into: this.#builder };
        break;
      }
      case 'dt':
      case 'dd':
        this.#closeIfOpen('dt', Scope.definitions);
        this.#closeIfOpen('dd', Scope.definitions);
        this.#builder.block(1);
        break;
      case 'blockquote':
        this.#builder.block(2);
        this.#builder.pushPrefix('> ', '> ');
        data = { kind: 'prefix', into: this.#builder };
        break;
      case 'pre':
        this.#builder.block(2);
        this.#pre++;
        this.#preStart = true;
        break;
      case 'table': {
        // Only a class naming "data" matters: look for the word before reading attributes.
        const mentionsData = this.#html.slice(attributesFrom, attributesTo).includes('data');
        const classes = mentionsData ? readAttribute(this.#html, attributesFrom, attributesTo, 'class') : undefined;
        const marked = classes !== undefined && /(?:^|\s)data(?:\s|$)/u.test(classes);
        data = { kind: 'table', table: { rows: [], captions: [], marked }, row: undefined };
        break;
      }
      case 'thead':
      case 'tbody':
      case 'tfoot':
      case 'tr':
      case 'td':
      case 'th':
      case 'caption': {
        const tableAt = this.#edge(Scope.table);
        const table = tableAt >= 0 ? this.#data[tableAt] : undefined;
        if (table?.kind !== 'table') {
          // A table part outside any table: a plain block.
          this.#builder.block(1);
          break;
        }
        this.#closeIfOpen('td', Scope.table);
        this.#closeIfOpen('th', Scope.table);
        this.#closeIfOpen('caption', Scope.table);
        if (name === 'tr' || name === 'thead' || name === 'tbody' || name === 'tfoot') {
          this.#closeIfOpen('tr', Scope.table);
          if (name === 'thead') table.table.marked = true;
          if (name === 'tr') {
            table.row = [];
            table.table.rows.push(table.row);
          }
          break;
        }
        if (name === 'th') table.table.marked = true;
        if (name !== 'caption' && table.row === undefined) {
          table.row = [];
          table.table.rows.push(table.row);
        }
        this.#builder = new TextBuilder();
        this.#builders.push(this.#builder);
        data = { kind: 'cell', owner: table, caption: name === 'caption' };
        break;
      }
      default:
        if ((flags & F.heading) !== 0) {
          const top = this.#names[this.#names.length - 1];
          if (top !== undefined && ((FLAGS.get(top) ?? 0) & F.heading) !== 0) this.#popTo(this.#names.length - 1);
        }
        if (block !== undefined) this.#builder.block(block[0]);
    }
    this.#push(name, flags, data);
  }

  close(name: string): void {
    this.#preStart = false;
    switch (name) {
      case 'html':
      case 'body':
        return;
      case 'head':
        this.#inHead = false;
        return;
      case 'br':
        this.#builder.lineBreak();
        return;
    }
    const flags = FLAGS.get(name) ?? 0;
    if ((flags & F.void) !== 0) return;
    if (this.#flattened > 0) {
      this.#flattened--;
      if ((flags & F.block) !== 0) this.#builder.block(1);
      return;
    }
    let scope: Scope | undefined;
    if (name === 'table') scope = undefined;
    else if ((flags & F.tablePart) !== 0) scope = Scope.table;
    else if (name === 'li') scope = Scope.list;
    else if (name === 'dt' || name === 'dd') scope = Scope.definitions;
    else if ((flags & F.block) !== 0) scope = Scope.cell;
    else scope = Scope.block;
    this.#closeIfOpen(name, scope);
  }

  #looseRow(frame: TableFrame, text: string): void {
    const flow = new TextBuilder();
    flow.inline(text);
    const done = flow.finish();
    frame.table.rows.push([{ lines: done.lines, leading: 0, trailing: 0, layout: false }]);
    if (frame.row !== undefined) {
      frame.row = [];
      frame.table.rows.push(frame.row);
    }
  }

  finish(): string {
    this.#popTo(0);
    return renderLines(this.#builder.finish().lines, this.#width);
  }

  /** The nearest open element bounding `scope`, or -1. */
  #edge(scope: Scope): number {
    const edges = this.#edges[scope] as number[];
    return edges.length === 0 ? -1 : (edges[edges.length - 1] as number);
  }

  /** Closes the innermost open `name` and everything inside it, if it lies within `scope`. */
  #closeIfOpen(name: string, scope: Scope | undefined): void {
    const positions = this.#open.get(name);
    if (positions === undefined || positions.length === 0) return;
    const at = positions[positions.length - 1] as number;
    if (scope !== undefined) {
      // The edge of the scope as seen from the innermost open element; `name` itself may be one.
      const edges = this.#edges[scope] as number[];
      const edge = edges[edges.length - 1] as number;
      if (at < edge) return;
    }
    this.#popTo(at);
  }

  #push(name: string, flags: number, data: FrameData): void {
    const index = this.#names.length;
    this.#names.push(name);
    this.#data.push(data);
    for (let scope = 0; scope < SCOPE_FLAG.length; scope++) {
      const edges = this.#edges[scope] as number[];
      edges.push((flags & (SCOPE_FLAG[scope] as number)) !== 0 ? index : index === 0 ? -1 : (edges[index - 1] as number));
    }
    let positions = this.#open.get(name);
    if (positions === undefined) {
      positions = [];
      this.#open.set(name, positions);
    }
    positions.push(index);
  }

  /** Closes the open elements from the innermost down to index `to` (inclusive). */
  #popTo(to: number): void {
    while (this.#names.length > to) {
      const name = this.#names.pop() as string;
      const data = this.#data.pop();
      for (const edges of this.#edges) edges.pop();
      this.#open.get(name)?.pop();
      this.#ended(name, data);
    }
  }

  #ended(name: string, data: FrameData): void {
    switch (data?.kind) {
      case 'link': {
        const text = data.into.endCapture(data.outer).trim();
        const href = data.href?.trim().replace(/^mailto:/iu, '');
        if (href === undefined || href === '' || href.startsWith('#') || /^javascript:/iu.test(href)) return;
        if (text === '') data.into.word(href);
        else if (text !== href) data.into.word(`[${href}]`);
        return;
      }
      case 'prefix':
        data.into.popPrefix();
        data.into.block(name === 'li' ? 1 : 2);
        return;
      case 'cell': {
        const cellBuilder = this.#builders.pop() as TextBuilder;
        this.#builder = this.#builders[this.#builders.length - 1] as TextBuilder;
        const done = cellBuilder.finish();
        const cell = { lines: done.lines, leading: done.leading, trailing: done.trailing, layout: cellBuilder.hasBlock };
        if (data.caption) data.owner.table.captions.push(cell);
        else {
          if (data.owner.row === undefined) {
            data.owner.row = [];
            data.owner.table.rows.push(data.owner.row);
          }
          data.owner.row.push(cell);
        }
        return;
      }
      case 'table':
        renderTable(data.table, this.#builder, this.#width);
        return;
      case 'list':
        this.#builder.block((this.#open.get('li')?.length ?? 0) > 0 ? 1 : 2);
        return;
      default:
    }
    if (name === 'tr' || name === 'thead' || name === 'tbody' || name === 'tfoot') {
      const tableAt = this.#edge(Scope.table);
      const table = tableAt >= 0 ? this.#data[tableAt] : undefined;
      if (table?.kind === 'table') table.row = undefined;
      return;
    }
    if (name === 'pre') this.#pre--;
    const block = BLOCKS.get(name);
    if (block !== undefined) this.#builder.block(block[1]);
  }
}
