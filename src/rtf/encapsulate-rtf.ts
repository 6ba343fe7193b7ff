import { escapeRtf } from './rtf-escape.js';

const HTML_HEADER =
  '{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 \\deff0{\\fonttbl{\\f0\\fswiss\\fcharset0 Arial;}{\\f1\\fmodern\\fcharset0 Courier New;}}\r\n' +
  '{\\colortbl\\red0\\green0\\blue0;\\red0\\green0\\blue255;}\r\n' +
  '{\\*\\generator cdonts;}{\\*\\htmltag64}\\uc1\\pard\\plain\\deftab360 \\f0\\fs24 \r\n';

const TEXT_HEADER =
  '{\\rtf1\\ansi\\ansicpg1252\\fromtext \\deff0{\\fonttbl{\\f0\\fswiss\\fcharset0 Arial;}}\r\n' +
  '{\\colortbl;}\r\n{\\*\\generator cdonts;}\\uc1\\pard\\plain\\f0\\fs20 ';

// Markup, comments and character references: each goes into an \htmltag group.
const MARKUP = /<!--[\s\S]*?(?:-->|$)|<[a-zA-Z/!?][^>]*(?:>|$)|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{0,31});/gu;
const TAG_NAME = /^<\/?([a-zA-Z][a-zA-Z0-9]*)/u;

// Elements whose content is never shown as text.
const HIDDEN_CONTENT = new Set(['head', 'style', 'script', 'title', 'template']);
// Where the RTF rendering breaks a paragraph or a line.
const PARAGRAPH_ENDS = new Set(['p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'tr', 'table', 'blockquote', 'pre', 'ul', 'ol', 'dl', 'dd', 'dt', 'hr']);
const CHARACTER_FORMATS = new Map([['b', '\\b'], ['strong', '\\b'], ['i', '\\i'], ['em', '\\i'], ['u', '\\ul'], ['s', '\\strike'], ['strike', '\\strike'], ['del', '\\strike'], ['code', '\\f1'], ['tt', '\\f1']]);
const ENTITIES = new Map([['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"], ['nbsp', '\u00a0'], ['copy', '\u00a9'], ['reg', '\u00ae'], ['trade', '\u2122'], ['hellip', '\u2026'], ['mdash', '\u2014'], ['ndash', '\u2013'], ['euro', '\u20ac']]);

/** Suppressed for an HTML reader, shown by an RTF one. */
function rtfOnly(rtf: string): string {
  return `\\htmlrtf ${rtf}\\htmlrtf0 `;
}

function htmlTag(content: string, parameter: number): string {
  return `{\\*\\htmltag${parameter} ${escapeRtf(content)}}`;
}

/**
 * HTML → RTF the way Outlook writes it ([MS-OXRTFEX] 2.1.3.2): `\fromhtml1`, every piece
 * of markup in an `\*\htmltag` group, visible text as RTF text, and an RTF rendering
 * (paragraphs, line breaks, bold/italic/underline, entity characters) wrapped in
 * `\htmlrtf`. Reading it back with extractHtmlFromRtf gives exactly the input, whatever
 * it holds: the reader keeps tag content and visible text and drops only the `\htmlrtf` parts.
 */
export function encapsulateHtml(html: string): string {
  const out: string[] = [HTML_HEADER];
  const formats: string[] = []; // open character-format groups, by tag name
  const openCount = new Map<string, number>(); // how many of each are open (no scan of `formats`)
  let hiddenUntil: string | undefined;
  let last = 0;
  const visible = (text: string): void => {
    if (text === '') return;
    if (hiddenUntil !== undefined) {
      out.push(htmlTag(text, 241));
      return;
    }
    // Source line breaks are HTML whitespace: markup for HTML, one space for RTF.
    for (const piece of text.split(/(\r\n|\r|\n)/u)) {
      if (piece === '') continue;
      out.push(piece === '\r\n' || piece === '\r' || piece === '\n' ? htmlTag(piece, 0) + rtfOnly(' ') : escapeRtf(piece));
    }
  };
  for (const match of html.matchAll(MARKUP)) {
    visible(html.slice(last, match.index));
    last = match.index + match[0].length;
    const markup = match[0];
    if (markup.startsWith('&')) {
      out.push(htmlTag(markup, 84));
      const char = hiddenUntil === undefined ? decodeEntity(markup) : undefined;
      if (char !== undefined) out.push(rtfOnly(escapeRtf(char)));
      continue;
    }
    out.push(htmlTag(markup, hiddenUntil === undefined ? 64 : 241));
    const name = TAG_NAME.exec(markup)?.[1]?.toLowerCase();
    if (name === undefined) continue;
    const closing = markup.startsWith('</');
    if (hiddenUntil !== undefined) {
      if (closing && name === hiddenUntil) hiddenUntil = undefined;
      continue;
    }
    if (!closing && HIDDEN_CONTENT.has(name) && !markup.endsWith('/>')) {
      hiddenUntil = name;
    } else if (name === 'br') {
      out.push(rtfOnly('\\line'));
    } else if (closing && PARAGRAPH_ENDS.has(name)) {
      out.push(rtfOnly('\\par'));
    } else if (CHARACTER_FORMATS.has(name)) {
      if (!closing) {
        formats.push(name);
        openCount.set(name, (openCount.get(name) ?? 0) + 1);
        out.push(rtfOnly(`{${CHARACTER_FORMATS.get(name) ?? ''}`));
      } else if ((openCount.get(name) ?? 0) > 0) {
        // Close every group opened since this tag: RTF groups must nest even when HTML does not.
        let closed = '}';
        for (let top = formats.pop(); top !== name && top !== undefined; top = formats.pop()) {
          openCount.set(top, (openCount.get(top) ?? 1) - 1);
          closed += '}';
        }
        openCount.set(name, (openCount.get(name) ?? 1) - 1);
        out.push(rtfOnly(closed));
      }
    }
  }
  visible(html.slice(last));
  if (formats.length > 0) out.push(rtfOnly('}'.repeat(formats.length)));
  out.push('}');
  return out.join('');
}

/**
 * Plain text → RTF ([MS-OXRTFEX] 2.1.3.3): `\fromtext`, the text itself, CR LF as `\par`.
 * A lone LF or CR is shown as a paragraph by RTF readers and kept as that one character
 * for extractTextFromRtf.
 */
export function encapsulateText(text: string): string {
  const body = escapeRtf(text, (char) => `${rtfOnly('\\par')}\\'${char === '\r' ? '0d' : '0a'}`);
  return `${TEXT_HEADER}${body}}`;
}

function decodeEntity(entity: string): string | undefined {
  const name = entity.slice(1, -1);
  if (!name.startsWith('#')) return ENTITIES.get(name);
  const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
  return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : undefined;
}
