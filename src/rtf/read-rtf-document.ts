import type { RtfAlignment, RtfBlock, RtfInline, RtfLink, RtfListItem, RtfParagraph, RtfRunFormat, RtfTable, RtfTableCell, RtfTableRow } from './rtf-document.js';
import { CdoError } from '../errors/cdo-error.js';
import { RtfReader, type Destination, type GroupState } from './rtf-reader.js';
import { SPECIAL_CHARACTER_SYMBOLS, SPECIAL_CHARACTER_WORDS } from './rtf-special-characters.js';
import { symbolFontNamed, type SymbolFontName } from './symbol-fonts.js';

/** Tables nested deeper than this are flattened into the deepest one. */
const MAX_TABLE_DEPTH = 8;
/** No mail body needs a million paragraphs, runs and cells; the model stays a few hundred MB at most. */
const MAX_ELEMENTS = 1_000_000;
/** List levels: Word has nine (0–8). */
const MAX_LIST_LEVEL = 8;
/** A list marker is a few characters; more is not a marker worth reading. */
const MAX_MARKER_LENGTH = 32;
/** A field instruction longer than this is not a link anybody wrote by hand. */
const MAX_INSTRUCTION_LENGTH = 64 * 1024;
const DEFAULT_FONT_SIZE = 24; // half-points

const UNDERLINE_WORDS = new Set([
  'ul', 'uld', 'uldash', 'uldashd', 'uldashdd', 'uldb', 'ulhwave', 'ulldash', 'ulth', 'ulthd', 'ulthdash', 'ulthdashd',
  'ulthdashdd', 'ulthldash', 'ululdbwave', 'ulw', 'ulwave',
]);
// \brdr… words that are not a line style (or are "no line").
const NOT_BORDER_STYLES = new Set([
  'brdrw', 'brdrcf', 'brdrsp', 'brdrnone', 'brdrnil', 'brdrtbl', 'brdrbar', 'brdrbtw', 'brdrl', 'brdrt', 'brdrr', 'brdrb', 'brdrart', 'brdrframe',
]);
const ALIGNMENTS = new Map<string, RtfAlignment>([['ql', 'left'], ['qc', 'center'], ['qr', 'right'], ['qj', 'justify'], ['qd', 'justify']]);
// \levelnfcN and \pn… numbering styles that HTML's <ol type> can show.
const LEVEL_NUMBERING = new Map<number, RtfListItem['numbering']>([[1, 'I'], [2, 'i'], [3, 'A'], [4, 'a']]);
const PN_NUMBERING = new Map<string, RtfListItem['numbering']>([['pnucrm', 'I'], ['pnlcrm', 'i'], ['pnucltr', 'A'], ['pnlcltr', 'a']]);

interface FieldState {
  instruction: string;
  link: RtfLink | undefined;
}

interface PictureState {
  mimeType: string | undefined;
  hex: string[];
  binary: string[];
  widthGoal: number;
  heightGoal: number;
  scaleX: number;
  scaleY: number;
}

/** Old-style paragraph numbering (`{\*\pn …}`, WordPad and Word 95). */
interface PnState {
  kind: 'bullet' | 'ordered' | 'none';
  level: number;
  start: number | undefined;
  numbering: RtfListItem['numbering'];
  /** `{\pntxtb …}` and `{\pntxta …}`: the text before and after the number ("(" and ")"). */
  before: string;
  after: string;
}

interface ListLevel {
  nfc: number;
  start: number;
  /** `\leveltext`: its length byte, then text with the level numbers as characters 0–8. */
  template: string;
}

interface DocumentState extends GroupState {
  bold: boolean;
  italic: boolean;
  underline: boolean;
  strike: boolean;
  script: 'super' | 'sub' | undefined;
  fontSize: number;
  color: number | undefined;
  background: number | undefined;
  hidden: boolean;
  // Paragraph properties: RTF scopes them to groups too.
  align: RtfAlignment;
  inTable: boolean;
  itap: number | undefined;
  listOverride: number | undefined;
  listLevel: number;
  pn: PnState | undefined;
  // The field or picture a group belongs to (shared by the groups inside it).
  field: FieldState | undefined;
  picture: PictureState | undefined;
  /** Inside a `{\footnote …}`: its paragraphs go to the end of the document. */
  footnote: boolean;
}

interface OpenTable {
  table: RtfTable;
  row: RtfTableRow | undefined;
  cell: RtfTableCell | undefined;
}

/**
 * Reads plain RTF (WordPad, Word) into the block model: paragraphs with formatted runs,
 * lists, tables, links and pictures. Everything that does not show is skipped by the
 * reader's destination rules; list markers, field instructions and picture data are
 * claimed here and turned into structure instead of text.
 */
class DocumentReader extends RtfReader<DocumentState> {
  readonly #body: RtfBlock[] = [];
  #inlines: RtfInline[] = [];
  /** The `\listtext`/`\pntext` of the paragraph being read. */
  #marker = '';
  readonly #tables: OpenTable[] = [];
  #cellBorderWord = false;
  #rowBorders = false;
  // \listtable and \listoverridetable
  readonly #lists = new Map<number, ListLevel[]>();
  readonly #overrides = new Map<number, number>();
  #listLevels: ListLevel[] | undefined;
  #overrideListId: number | undefined;

  /** Elements built so far (paragraphs, inline items, tables, rows, cells): see #grow. */
  #elements = 0;
  #maxElements = MAX_ELEMENTS;

  /** Footnote bodies, in order: they follow the document's own text. */
  readonly #footnotes: RtfParagraph[] = [];
  /** Item numbers per list and level, for markers no \listtext shows. */
  readonly #counters = new Map<string, number[]>();
  /** `\chftn` anchors seen so far: the number of the last footnote. */
  #footnoteNumber = 0;
  /** The paragraph a footnote interrupted, taken up again when the footnote ends. */
  #interrupted: RtfInline[] = [];

  constructor() {
    super({
      destination: 'body', uc: 1, font: undefined,
      bold: false, italic: false, underline: false, strike: false, script: undefined, fontSize: DEFAULT_FONT_SIZE,
      color: undefined, background: undefined, hidden: false,
      align: 'left', inTable: false, itap: undefined, listOverride: undefined, listLevel: 0, pn: undefined,
      field: undefined, picture: undefined, footnote: false,
    });
  }

  run(source: string): RtfBlock[] {
    this.#maxElements = Math.min(MAX_ELEMENTS, 1024 + source.length);
    this.read(source);
    if (this.state.footnote) this.#endFootnote();
    if (this.#inlines.length > 0) this.#endParagraph();
    return this.#footnotes.length === 0 ? this.#body : [...this.#body, ...this.#footnotes];
  }

  protected override destination(name: string): Destination | undefined {
    const current = this.state.destination;
    switch (name) {
      case 'listtable':
      case 'listoverridetable':
        return name;
      // What a reader that knows \shppict and nested tables must not show twice.
      case 'nonshppict':
      case 'nonesttables':
        return 'skip';
      // Wrappers whose content is ordinary document content.
      case 'shppict':
      case 'nesttableprops':
        return current === 'body' ? 'body' : undefined;
      case 'result':
        return current === 'object' ? 'body' : undefined;
      // {\upr{ANSI text}{\*\ud{Unicode text}}}: the same text twice; the Unicode one is shown.
      case 'ud':
        return current === 'upr' ? 'body' : undefined;
    }
    // The marker's text, for paragraphs that do not show it in a \listtext or \pntext.
    if (name === 'leveltext') return current === 'listtable' ? name : undefined;
    if (name === 'pntxta' || name === 'pntxtb') return current === 'pn' ? name : undefined;
    if (current !== 'body') return undefined;
    // Read as body text, set aside (see #bodyWord); one level only, as in Word.
    if (name === 'footnote' && !this.state.footnote) return 'body';
    switch (name) {
      case 'pict':
      case 'fldinst':
      case 'listtext':
      case 'pntext':
      case 'pn':
      case 'object':
      case 'upr':
        return name;
    }
    return undefined;
  }

  /**
   * Symbol, Wingdings and Webdings show glyphs, not letters: "abg" in Symbol is αβγ. Word
   * names them so whatever charset it writes; an unknown `\fcharset2` font keeps its bytes.
   */
  protected override symbolFont(state: DocumentState): SymbolFontName | undefined {
    if (state.destination !== 'body' && state.destination !== 'listtext' && state.destination !== 'pntext') return undefined;
    const name = this.fontName(state);
    return name === undefined ? undefined : symbolFontNamed(name);
  }

  // Picture data is hex digits: never let a document code page (UTF-16…) reinterpret them.
  protected override codePageFor(state: DocumentState): number {
    return state.destination === 'pict' ? 1252 : super.codePageFor(state);
  }

  protected override groupEnded(closed: DocumentState): void {
    const outer = this.state;
    if (closed.footnote && !outer.footnote) this.#endFootnote();
    if (closed.destination === outer.destination) return;
    if (closed.destination === 'fldinst' && closed.field !== undefined) {
      const href = hyperlinkTarget(closed.field.instruction);
      if (href !== undefined) closed.field.link = { href };
    } else if (closed.destination === 'pn' && closed.pn !== undefined) {
      // {\*\pn …} describes the paragraph it sits in.
      outer.pn = closed.pn;
    } else if (closed.destination === 'pict' && closed.picture !== undefined && outer.destination === 'body') {
      this.#picture(closed.picture, closed.field?.link);
    }
  }

  protected override binary(data: string): void {
    if (this.state.destination === 'pict') this.state.picture?.binary.push(data);
  }

  protected text(chars: string): void {
    const state = this.state;
    switch (state.destination) {
      case 'body':
        if (!state.hidden) this.#appendText(chars);
        return;
      case 'fldinst':
        this.#instruction(chars);
        return;
      case 'listtext':
      case 'pntext':
        this.#appendMarker(chars);
        return;
      case 'pict':
        state.picture?.hex.push(chars);
        return;
      case 'leveltext': {
        const level = this.#listLevels?.at(-1);
        if (level !== undefined && level.template.length < MAX_MARKER_LENGTH) level.template += chars;
        return;
      }
      case 'pntxta':
      case 'pntxtb': {
        const pn = state.pn;
        const key = state.destination === 'pntxta' ? 'after' : 'before';
        if (pn !== undefined && pn[key].length < MAX_MARKER_LENGTH) pn[key] += chars;
        return;
      }
    }
  }

  protected controlSymbol(symbol: string): void {
    const destination = this.state.destination;
    // In a document \_ is a non-breaking hyphen (RTF 1.9.1); U+00AD is [MS-OXRTFEX]'s reading inside tags.
    const char = symbol === '_' ? '\u2011' : SPECIAL_CHARACTER_SYMBOLS.get(symbol);
    if (char === undefined) return;
    if (destination === 'fldinst') this.#instruction(char);
    else if (destination === 'listtext' || destination === 'pntext') this.#appendMarker(char);
    else if (destination === 'body' && !this.state.hidden) this.#appendText(char);
  }

  protected controlWord(name: string, param: number | undefined): void {
    switch (this.state.destination) {
      case 'listtable':
        return this.#listTableWord(name, param);
      case 'listoverridetable':
        return this.#listOverrideWord(name, param);
      case 'pn':
        return this.#pnWord(name, param);
      case 'pict':
        return this.#pictureWord(name, param);
      case 'fldinst':
        // `HYPERLINK \l "anchor"` written with a control word instead of `\\l`.
        if (name === 'l') this.#instruction(' \\l ');
        return;
    }
    if (this.#formatWord(name, param)) return;
    const destination = this.state.destination;
    const char = SPECIAL_CHARACTER_WORDS.get(name);
    if (destination === 'listtext' || destination === 'pntext') {
      // The tab only separates the marker from the text.
      if (char !== undefined && name !== 'tab') this.#appendMarker(char);
      return;
    }
    if (destination !== 'body') return;
    if (char !== undefined) {
      if (!this.state.hidden) this.#appendText(char);
      return;
    }
    this.#bodyWord(name);
  }

  /** Character and paragraph properties, group-scoped, in any destination. True if handled. */
  #formatWord(name: string, param: number | undefined): boolean {
    const state = this.state;
    const on = param !== 0;
    if (UNDERLINE_WORDS.has(name)) {
      state.underline = on;
      return true;
    }
    const align = ALIGNMENTS.get(name);
    if (align !== undefined) {
      state.align = align;
      return true;
    }
    switch (name) {
      case 'plain':
        state.bold = state.italic = state.underline = state.strike = state.hidden = false;
        state.script = undefined;
        state.fontSize = DEFAULT_FONT_SIZE;
        state.color = state.background = undefined;
        state.font = undefined;
        return true;
      case 'b':
        state.bold = on;
        return true;
      case 'i':
        state.italic = on;
        return true;
      case 'ulnone':
        state.underline = false;
        return true;
      case 'strike':
        state.strike = on;
        return true;
      case 'striked':
        state.strike = param !== undefined && param !== 0;
        return true;
      case 'super':
        state.script = on ? 'super' : undefined;
        return true;
      case 'sub':
        state.script = on ? 'sub' : undefined;
        return true;
      case 'nosupersub':
        state.script = undefined;
        return true;
      // Hidden text, and text a tracked change deleted.
      case 'v':
      case 'webhidden':
      case 'deleted':
        state.hidden = on;
        return true;
      case 'fs':
        state.fontSize = param === undefined || param <= 0 ? DEFAULT_FONT_SIZE : Math.max(2, Math.min(3276, param));
        return true;
      case 'cf':
        state.color = param;
        return true;
      case 'highlight':
        state.background = param === 0 ? undefined : param;
        return true;
      case 'cb':
      case 'chcbpat':
        state.background = param;
        return true;
      case 'pard':
        state.align = 'left';
        state.inTable = false;
        state.itap = undefined;
        state.listOverride = undefined;
        state.listLevel = 0;
        state.pn = undefined;
        this.#cellBorderWord = false;
        return true;
      case 'intbl':
        state.inTable = on;
        return true;
      case 'itap':
        state.itap = Math.max(0, param ?? 1);
        return true;
      case 'ls':
        state.listOverride = param;
        return true;
      case 'ilvl':
        state.listLevel = Math.max(0, Math.min(MAX_LIST_LEVEL, param ?? 0));
        return true;
    }
    return false;
  }

  #bodyWord(name: string): void {
    // A table in a footnote is read as its paragraphs.
    if (this.state.footnote && (name === 'cell' || name === 'nestcell' || name === 'row' || name === 'nestrow')) name = 'par';
    switch (name) {
      case 'par':
        this.#endParagraph();
        return;
      case 'sect':
        if (this.#inlines.length > 0) this.#endParagraph();
        return;
      case 'line':
      case 'page':
        if (this.state.hidden) return;
        this.#grow();
        this.#inlines.push({ kind: 'break', format: this.#format(), link: this.state.field?.link });
        return;
      case 'cell':
        this.#endCell(1);
        return;
      case 'nestcell':
        this.#endCell(this.#nestedDepth());
        return;
      case 'row':
        this.#endRow(1);
        return;
      case 'nestrow':
        this.#endRow(this.#nestedDepth());
        return;
      case 'trowd':
        this.#rowBorders = false;
        this.#cellBorderWord = false;
        return;
      case 'footnote':
        this.state.footnote = true;
        this.#interrupted = this.#inlines;
        this.#inlines = [];
        return;
      case 'chftn':
        // The automatic footnote number: a new one at the anchor, the same one in the footnote.
        if (!this.state.footnote) this.#footnoteNumber++;
        if (!this.state.hidden && this.#footnoteNumber > 0) this.#appendText(String(this.#footnoteNumber));
        return;
      case 'field':
        // A field in a link's result (Word nests them) is part of that link unless it is a link itself.
        this.state.field = { instruction: '', link: this.state.field?.link };
        return;
    }
    if (name.startsWith('clbrdr') || name.startsWith('trbrdr')) {
      this.#cellBorderWord = true;
    } else if (this.#cellBorderWord && name.startsWith('brdr') && !NOT_BORDER_STYLES.has(name)) {
      this.#rowBorders = true;
    }
  }

  #listTableWord(name: string, param: number | undefined): void {
    switch (name) {
      case 'list':
        this.#listLevels = [];
        return;
      case 'listlevel':
        if (this.#listLevels !== undefined && this.#listLevels.length <= MAX_LIST_LEVEL) this.#listLevels.push({ nfc: 0, start: 1, template: '' });
        return;
      case 'levelnfc': {
        const level = this.#listLevels?.at(-1);
        if (level !== undefined) level.nfc = param ?? 0;
        return;
      }
      case 'levelstartat': {
        const level = this.#listLevels?.at(-1);
        if (level !== undefined) level.start = param ?? 1;
        return;
      }
      case 'listid':
        if (this.#listLevels !== undefined && param !== undefined) this.#lists.set(param, this.#listLevels);
        return;
    }
  }

  #listOverrideWord(name: string, param: number | undefined): void {
    if (name === 'listoverride') this.#overrideListId = undefined;
    else if (name === 'listid') this.#overrideListId = param;
    else if (name === 'ls' && param !== undefined && this.#overrideListId !== undefined) this.#overrides.set(param, this.#overrideListId);
  }

  #pnWord(name: string, param: number | undefined): void {
    const state = this.state;
    if (name === 'pn') {
      state.pn = { kind: 'ordered', level: 0, start: undefined, numbering: undefined, before: '', after: '' };
      return;
    }
    const pn = state.pn;
    if (pn === undefined) return;
    const numbering = PN_NUMBERING.get(name);
    if (numbering !== undefined) {
      pn.numbering = numbering;
      return;
    }
    switch (name) {
      case 'pnlvlblt':
        pn.kind = 'bullet';
        return;
      case 'pnlvlbody':
        pn.kind = 'ordered';
        return;
      case 'pnlvlcont':
        pn.kind = 'none';
        return;
      case 'pnlvl':
        pn.level = Math.max(0, Math.min(MAX_LIST_LEVEL, (param ?? 1) - 1));
        return;
      case 'pndec':
      case 'pncard':
      case 'pnord':
      case 'pnordt':
        pn.numbering = undefined;
        return;
      case 'pnstart':
        pn.start = param;
        return;
    }
  }

  #pictureWord(name: string, param: number | undefined): void {
    const state = this.state;
    if (name === 'pict') {
      state.picture = { mimeType: undefined, hex: [], binary: [], widthGoal: 0, heightGoal: 0, scaleX: 100, scaleY: 100 };
      return;
    }
    const picture = state.picture;
    if (picture === undefined) return;
    switch (name) {
      case 'pngblip':
        picture.mimeType = 'image/png';
        return;
      case 'jpegblip':
        picture.mimeType = 'image/jpeg';
        return;
      // Formats mail clients cannot show: the picture is left out.
      case 'emfblip':
      case 'wmetafile':
      case 'pmmetafile':
      case 'macpict':
      case 'dibitmap':
      case 'wbitmap':
        picture.mimeType = undefined;
        return;
      case 'picwgoal':
        picture.widthGoal = param ?? 0;
        return;
      case 'pichgoal':
        picture.heightGoal = param ?? 0;
        return;
      case 'picscalex':
        picture.scaleX = param ?? 100;
        return;
      case 'picscaley':
        picture.scaleY = param ?? 100;
        return;
    }
  }

  #picture(picture: PictureState, link: RtfLink | undefined): void {
    if (picture.mimeType === undefined || this.state.hidden) return;
    let data: Buffer;
    if (picture.binary.length > 0) {
      data = Buffer.from(picture.binary.join(''), 'latin1');
    } else {
      const hex = picture.hex.join('').replace(/[^0-9a-fA-F]+/g, '');
      data = Buffer.from(hex.slice(0, hex.length - (hex.length % 2)), 'hex');
    }
    if (data.length === 0) return;
    this.#grow();
    this.#inlines.push({
      kind: 'image',
      mimeType: picture.mimeType,
      base64: data.toString('base64'),
      width: pixels(picture.widthGoal, picture.scaleX),
      height: pixels(picture.heightGoal, picture.scaleY),
      link,
    });
  }

  #instruction(chars: string): void {
    const field = this.state.field;
    if (field !== undefined && field.instruction.length < MAX_INSTRUCTION_LENGTH) field.instruction += chars;
  }

  #appendMarker(chars: string): void {
    if (this.#marker.length < MAX_MARKER_LENGTH) this.#marker = (this.#marker + chars).slice(0, MAX_MARKER_LENGTH);
  }

  #appendText(chars: string): void {
    const format = this.#format();
    const link = this.state.field?.link;
    const last = this.#inlines.at(-1);
    if (last?.kind === 'text' && last.link === link && sameFormat(last.format, format)) last.text += chars;
    else {
      this.#grow();
      this.#inlines.push({ kind: 'text', text: chars, format, link });
    }
  }

  #format(): RtfRunFormat {
    const state = this.state;
    return {
      bold: state.bold,
      italic: state.italic,
      underline: state.underline,
      strike: state.strike,
      script: state.script,
      fontSize: state.fontSize === DEFAULT_FONT_SIZE ? undefined : state.fontSize / 2,
      color: state.color === undefined ? undefined : this.colors[state.color],
      background: state.background === undefined ? undefined : this.colors[state.background],
    };
  }

  /**
   * Counts what the model builds. Real documents build at most about one element per byte
   * of RTF; a hostile one (an empty nested cell opens eight tables, rows and cells) could
   * otherwise turn 1 MB into tens of megabytes of HTML and gigabytes of model.
   */
  #grow(count = 1): void {
    this.#elements += count;
    if (this.#elements > this.#maxElements) {
      throw new CdoError('CDO_E_STRING_TOO_LONG', `RTF: the document renders to more than ${this.#maxElements} elements`);
    }
  }

  #takeParagraph(): RtfParagraph {
    this.#grow();
    const paragraph: RtfParagraph = { kind: 'paragraph', inlines: this.#inlines, align: this.state.align, list: this.#listItem() };
    this.#inlines = [];
    this.#marker = '';
    return paragraph;
  }

  /** The paragraph's list item; a numbered one keeps a marker style HTML lists cannot show ("1)"). */
  #listItem(): RtfListItem | undefined {
    const marker = this.#marker.trim() || this.#definedMarker();
    const item = this.#listItemOf(marker);
    if (item === undefined || !item.ordered || marker === '' || HTML_LIST_MARKER.test(marker)) return item;
    return { ...item, marker };
  }

  /**
   * The marker a numbered paragraph without `\listtext`/`\pntext` shows, from its list's
   * `\leveltext` ("\'02\'00);" is the level's number, then ")") or its `\pntxtb`/`\pntxta`,
   * counting the items as Word does; '' for bullets and unknown lists.
   */
  #definedMarker(): string {
    const state = this.state;
    if (state.listOverride !== undefined && state.listOverride > 0) {
      const listId = this.#overrides.get(state.listOverride);
      const levels = listId === undefined ? undefined : this.#lists.get(listId);
      const definition = levels?.[state.listLevel];
      if (levels === undefined || definition === undefined || definition.nfc === 23 || definition.nfc === 255) return '';
      const numbers = this.#count(`ls${state.listOverride}`, state.listLevel, definition.start);
      const length = definition.template.charCodeAt(0);
      let marker = '';
      for (const char of definition.template.slice(1, 1 + length)) {
        const code = char.charCodeAt(0);
        const level = levels[code];
        marker += code <= MAX_LIST_LEVEL ? formatNumber(numbers[code] ?? level?.start ?? 1, level?.nfc ?? 0) : char;
      }
      return marker.trim();
    }
    const pn = state.pn;
    if (pn === undefined || pn.kind !== 'ordered') return '';
    // Every paragraph repeats its {\*\pn …}: paragraphs that repeat the same one are one list.
    const number = this.#count(`pn ${pn.numbering} ${pn.start} ${pn.before} ${pn.after}`, pn.level, pn.start ?? 1)[pn.level] ?? 1;
    return `${pn.before}${formatNumber(number, PN_NFC.get(pn.numbering) ?? 0)}${pn.after}`.trim();
  }

  /** The numbers of a list's levels once this item, at `level`, is counted. */
  #count(key: string, level: number, start: number): number[] {
    let numbers = this.#counters.get(key);
    if (numbers === undefined) this.#counters.set(key, (numbers = []));
    numbers[level] = numbers[level] === undefined ? start : (numbers[level] ?? 0) + 1;
    numbers.length = level + 1;
    return numbers;
  }

  /** Ordered or not from the list definition; failing that, from the marker the document shows. */
  #listItemOf(marker: string): RtfListItem | undefined {
    const state = this.state;
    if (state.listOverride !== undefined && state.listOverride > 0) {
      const level = state.listLevel;
      const listId = this.#overrides.get(state.listOverride);
      const definition = listId === undefined ? undefined : this.#lists.get(listId)?.[level];
      const key = `ls${state.listOverride}`;
      if (definition === undefined) return markerItem(key, level, marker);
      if (definition.nfc === 255) return undefined;
      if (definition.nfc === 23) return { key, level, ordered: false, number: undefined, numbering: undefined };
      const numbering = LEVEL_NUMBERING.get(definition.nfc);
      return { key, level, ordered: true, number: markerNumber(marker, numbering) ?? definition.start, numbering };
    }
    const pn = state.pn;
    if (pn !== undefined) {
      if (pn.kind === 'none') return undefined;
      if (pn.kind === 'bullet') return { key: 'pn', level: pn.level, ordered: false, number: undefined, numbering: undefined };
      return { key: 'pn', level: pn.level, ordered: true, number: markerNumber(marker, pn.numbering) ?? pn.start, numbering: pn.numbering };
    }
    return marker === '' ? undefined : markerItem('marker', 0, marker);
  }

  #depthOf(state: DocumentState): number {
    let depth = state.itap ?? (state.inTable ? 1 : 0);
    if (state.inTable && depth < 1) depth = 1;
    return Math.min(depth, MAX_TABLE_DEPTH);
  }

  #nestedDepth(): number {
    return Math.max(2, this.#depthOf(this.state));
  }

  /** The blocks of the cell at `depth` (the body at 0), opening tables, rows and cells as needed. */
  #containerFor(depth: number): RtfBlock[] {
    depth = Math.min(depth, MAX_TABLE_DEPTH);
    // A paragraph outside a nested table ends that table.
    if (this.#tables.length > depth) this.#tables.length = depth;
    let blocks = this.#body;
    for (let level = 0; level < depth; level++) {
      let open = this.#tables[level];
      if (open === undefined) {
        this.#grow();
        const table: RtfTable = { kind: 'table', rows: [], bordered: false };
        blocks.push(table);
        open = { table, row: undefined, cell: undefined };
        this.#tables.push(open);
      }
      if (open.row === undefined) {
        this.#grow();
        open.row = { cells: [] };
        open.table.rows.push(open.row);
      }
      if (open.cell === undefined) {
        this.#grow();
        open.cell = { blocks: [] };
        open.row.cells.push(open.cell);
      }
      blocks = open.cell.blocks;
    }
    return blocks;
  }

  /** A footnote's last paragraph ends with it; the paragraph it interrupted goes on. */
  #endFootnote(): void {
    if (this.#inlines.length > 0) {
      // Its own paragraph, whatever list or alignment the paragraph around the anchor has.
      this.#grow();
      this.#footnotes.push({ kind: 'paragraph', inlines: this.#inlines, align: 'left', list: undefined });
    }
    this.#inlines = this.#interrupted;
    this.#interrupted = [];
  }

  #endParagraph(): void {
    if (this.state.footnote) {
      this.#footnotes.push(this.#takeParagraph());
      return;
    }
    const depth = this.#depthOf(this.state);
    this.#containerFor(depth).push(this.#takeParagraph());
  }

  #endCell(depth: number): void {
    depth = Math.min(depth, MAX_TABLE_DEPTH);
    const blocks = this.#containerFor(depth);
    // The paragraph a \cell ends is kept only if it has something; an empty cell stays empty.
    const paragraph = this.#takeParagraph();
    if (paragraph.inlines.length > 0) blocks.push(paragraph);
    const open = this.#tables[depth - 1];
    if (open !== undefined) open.cell = undefined;
  }

  #endRow(depth: number): void {
    depth = Math.min(depth, MAX_TABLE_DEPTH);
    if (this.#inlines.length > 0) this.#endCell(depth);
    const open = this.#tables[depth - 1];
    if (open === undefined) return;
    this.#tables.length = depth;
    open.table.bordered ||= this.#rowBorders;
    open.row = undefined;
    open.cell = undefined;
  }
}

function sameFormat(a: RtfRunFormat, b: RtfRunFormat): boolean {
  return a.bold === b.bold && a.italic === b.italic && a.underline === b.underline && a.strike === b.strike &&
    a.script === b.script && a.fontSize === b.fontSize && a.color === b.color && a.background === b.background;
}

/** Twips (1/1440 in) at a percentage scale → CSS pixels (96 per inch). */
function pixels(twips: number, scale: number): number | undefined {
  const px = Math.round((twips * (scale > 0 ? scale : 100)) / 100 / 15);
  return px > 0 && Number.isFinite(px) ? px : undefined;
}

// The \levelnfc of each <ol type>.
const PN_NFC = new Map<RtfListItem['numbering'], number>([['I', 1], ['i', 2], ['A', 3], ['a', 4]]);

/** A list number as \levelnfcN writes it: 0 decimal, 1/2 upper/lower roman, 3/4 upper/lower letter. */
function formatNumber(number: number, nfc: number): string {
  if (nfc === 1 || nfc === 2) {
    const roman = toRoman(number);
    return nfc === 1 ? roman : roman.toLowerCase();
  }
  if (nfc === 3 || nfc === 4) {
    // a … z, aa … zz (Word repeats the letter).
    const letter = String.fromCharCode(0x41 + ((Math.max(1, number) - 1) % 26)).repeat(Math.floor((Math.max(1, number) - 1) / 26) + 1);
    return nfc === 3 ? letter : letter.toLowerCase();
  }
  return String(number);
}

function toRoman(number: number): string {
  if (number <= 0 || number >= 4000) return String(number);
  let out = '';
  let rest = number;
  for (const [value, digits] of ROMAN_NUMERALS) {
    while (rest >= value) {
      out += digits;
      rest -= value;
    }
  }
  return out;
}

const ROMAN_NUMERALS: readonly [number, string][] = [
  [1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'], [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I'],
];

// "1." "a." "iv.": the markers <ol> (with its type) draws itself.
const HTML_LIST_MARKER = /^(?:\d{1,9}|[a-zA-Z]{1,6})\.$/;
// "1." "12)" "(3)" "a." "iv)": what a numbered marker looks like.
const ORDERED_MARKER = /^\(?(?:(\d{1,9})|([a-zA-Z]{1,6}))[.)]$/;
const ROMAN_DIGITS = new Map([['i', 1], ['v', 5], ['x', 10], ['l', 50], ['c', 100], ['d', 500], ['m', 1000]]);

/** The number a marker shows, read as `numbering` says (undefined: decimal). */
function markerNumber(marker: string, numbering: RtfListItem['numbering']): number | undefined {
  const match = ORDERED_MARKER.exec(marker);
  if (match === null) return undefined;
  if (match[1] !== undefined) return Number(match[1]);
  const letters = (match[2] ?? '').toLowerCase();
  if (numbering === 'a' || numbering === 'A') return letters.length === 1 ? letters.charCodeAt(0) - 0x60 : undefined;
  if (numbering === 'i' || numbering === 'I') return romanValue(letters);
  return undefined;
}

function romanValue(letters: string): number | undefined {
  let total = 0;
  for (let i = 0; i < letters.length; i++) {
    const value = ROMAN_DIGITS.get(letters[i] ?? '');
    if (value === undefined) return undefined;
    const next = ROMAN_DIGITS.get(letters[i + 1] ?? '') ?? 0;
    total += next > value ? -value : value;
  }
  return total > 0 ? total : undefined;
}

/** A list item known only by its marker: "1." or "b)" is numbered, anything else a bullet. */
function markerItem(key: string, level: number, marker: string): RtfListItem {
  const match = ORDERED_MARKER.exec(marker);
  if (match === null) return { key, level, ordered: false, number: undefined, numbering: undefined };
  const letters = match[2];
  let numbering: RtfListItem['numbering'];
  if (letters !== undefined) {
    // One letter other than i, v, x counts as a letter ("c." is item 3); the rest are roman numerals.
    const lower = letters === letters.toLowerCase();
    if (letters.length === 1 && !/^[ivxIVX]$/.test(letters)) numbering = lower ? 'a' : 'A';
    else numbering = lower ? 'i' : 'I';
  }
  return { key, level, ordered: true, number: markerNumber(marker, numbering), numbering };
}

/** The target of a `HYPERLINK "url" [\l "anchor"]` instruction, else undefined. */
export function hyperlinkTarget(instruction: string): string | undefined {
  const args = fieldArguments(instruction);
  if (args[0]?.text.toUpperCase() !== 'HYPERLINK' || args[0].quoted) return undefined;
  let url: string | undefined;
  let anchor: string | undefined;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i];
    if (arg === undefined) break;
    if (!arg.quoted && arg.text.startsWith('\\')) {
      const option = arg.text.slice(1).toLowerCase();
      if (option === 'l') anchor = args[++i]?.text;
      else if (option === 'o' || option === 't') i++; // tooltip, target frame
      continue;
    }
    url ??= arg.text;
  }
  if (url === undefined && anchor === undefined) return undefined;
  return (url ?? '').trim() + (anchor === undefined ? '' : `#${anchor.trim()}`);
}

/** Splits a field instruction into words and "quoted strings" in one pass. */
function fieldArguments(instruction: string): { text: string; quoted: boolean }[] {
  const args: { text: string; quoted: boolean }[] = [];
  let i = 0;
  const n = instruction.length;
  while (i < n) {
    const c = instruction[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\u00a0') {
      i++;
      continue;
    }
    if (c === '"') {
      const end = instruction.indexOf('"', i + 1);
      const stop = end < 0 ? n : end;
      args.push({ text: instruction.slice(i + 1, stop), quoted: true });
      i = stop + 1;
      continue;
    }
    let end = i;
    while (end < n && !/[\s"]/.test(instruction[end] ?? '')) end++;
    args.push({ text: instruction.slice(i, end), quoted: false });
    i = end;
  }
  return args;
}

/** Plain RTF (WordPad, Word) as blocks. Throws CdoError('CDO_E_BAD_DATA') only for nesting past the reader's cap. */
export function readRtfDocument(source: string): RtfBlock[] {
  return new DocumentReader().run(source);
}
