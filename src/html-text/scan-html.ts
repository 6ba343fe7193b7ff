// A single-pass HTML tokenizer for text extraction. It follows the WHATWG tokenizer where
// the text depends on it (tags, attribute quoting, comments, bogus comments, raw-text
// elements) and skips the rest without building anything: the body of a <style> or
// <script>, a comment or a conditional comment costs one indexOf. Entities are decoded
// by the `entities` package (the decoder htmlparser2 uses).
import { decodeHTML, decodeHTMLAttribute } from 'entities';

/** What the scanner reports, in document order. */
export interface HtmlScanHandler {
  /** Text outside tags, entities decoded. */
  text(text: string): void;
  /** Text that is only HTML whitespace, at html[from, to) (not sliced: it is mostly indentation). */
  whitespace(from: number, to: number): void;
  /** A start tag; its attributes are read on demand with readAttribute(html, from, to, name). */
  open(name: string, attributesFrom: number, attributesTo: number): void;
  /** An end tag (also the end of a raw-text element). */
  close(name: string): void;
  /** The content of a raw-text element that shows as text (<textarea>, <xmp>), decoded where HTML decodes it. */
  rawText(name: string, text: string): void;
}

// Elements whose content is not markup. title and textarea are RCDATA (entities decoded).
const RAW_TEXT = new Map<string, { readonly shown: boolean; readonly decoded: boolean }>([
  ['script', { shown: false, decoded: false }],
  ['style', { shown: false, decoded: false }],
  ['title', { shown: false, decoded: true }],
  ['textarea', { shown: true, decoded: true }],
  ['xmp', { shown: true, decoded: false }],
  ['iframe', { shown: false, decoded: false }],
  ['noembed', { shown: false, decoded: false }],
  ['noframes', { shown: false, decoded: false }],
]);

/** Where a tag name that goes on at `from` ends (whitespace, '/', '>' or the end). */
function tagNameEnd(html: string, from: number): number {
  let at = from;
  for (; at < html.length; at++) {
    const code = html.charCodeAt(at);
    if (code === 0x3e || code === 0x2f || code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d || code === 0x0c) break;
  }
  return at;
}
// One attribute (name, optional value) after optional whitespace and slashes. An
// unterminated quoted value runs to the end of the input, as in HTML.
const ATTRIBUTE = /[\t\n\f\r /]*(?:[^\t\n\f\r />][^\t\n\f\r /=>]*(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"[^"]*(?:"|$)|'[^']*(?:'|$)|[^\t\n\f\r >]*))?)?/y;
const ATTRIBUTE_CAPTURE = /[\t\n\f\r /]*([^\t\n\f\r />][^\t\n\f\r /=>]*)(?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"([^"]*)(?:"|$)|'([^']*)(?:'|$)|([^\t\n\f\r >]*)))?/y;
const rawTextEnds = new Map<string, RegExp>();

/** Where the end tag of raw-text element `name` starts, from `from` on, or -1. */
function rawTextEnd(html: string, name: string, from: number): number {
  // Written in lower case almost always: indexOf first, the case-blind search only if that fails.
  const lower = html.indexOf(`</${name}`, from);
  // Taken only when no other '</' comes first (an upper-case end tag would end the element there).
  if (lower >= 0 && html.indexOf('</', from) === lower && isTagNameEnd(html.charCodeAt(lower + 2 + name.length))) return lower;
  return caseBlindEnd(html, name, from);
}

function caseBlindEnd(html: string, name: string, from: number): number {
  let pattern = rawTextEnds.get(name);
  if (pattern === undefined) {
    pattern = new RegExp(`</${name}[\\t\\n\\f\\r />]`, 'giu');
    rawTextEnds.set(name, pattern);
  }
  pattern.lastIndex = from;
  return pattern.exec(html)?.index ?? -1;
}

const isTagNameEnd = (code: number): boolean => code === 0x3e || code === 0x2f || code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0d || code === 0x0c;

const isAsciiLetter = (code: number): boolean => (code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a;

/**
 * Where the tag whose attributes start at `from` ends: the index after its '>', or -1
 * when the input ends first. The fast path jumps from quote to quote; a quote is only a
 * value's quote after '=' (HTML), so any other quote takes the exact, slower path.
 */
function skipAttributes(html: string, from: number): number {
  const length = html.length;
  let found = from;
  for (;;) {
    // The stretch between values is short (' width='): a loop beats a regular expression call.
    let code = 0;
    for (; found < length; found++) {
      code = html.charCodeAt(found);
      if (code === 0x3e || code === 0x22 || code === 0x27) break;
    }
    if (found >= length) return -1;
    if (code === 0x3e /* > */) return found + 1;
    let before = found - 1;
    while (before >= from && isSpace(html.charCodeAt(before))) before--;
    if (before < from || html.charCodeAt(before) !== 0x3d /* = */) return skipAttributesExactly(html, from);
    // …and '=' must follow an attribute name ('a="', not ' ="', '=="' or '"="').
    let name = before - 1;
    while (name >= from && isSpace(html.charCodeAt(name))) name--;
    const last = name < from ? -1 : html.charCodeAt(name);
    if (last === -1 || last === 0x3d || last === 0x22 || last === 0x27 || last === 0x2f) return skipAttributesExactly(html, from);
    const close = html.indexOf(code === 0x22 ? '"' : "'", found + 1);
    if (close < 0) return -1;
    found = close + 1;
  }
}

const isSpace = (code: number): boolean => code === 0x20 || code === 0x0a || code === 0x09 || code === 0x0c || code === 0x0d;

/** skipAttributes, attribute by attribute, as the HTML tokenizer reads them. */
function skipAttributesExactly(html: string, from: number): number {
  let at = from;
  for (;;) {
    ATTRIBUTE.lastIndex = at;
    ATTRIBUTE.test(html);
    const next = ATTRIBUTE.lastIndex;
    if (next >= html.length) return -1;
    if (html.charCodeAt(next) === 0x3e /* > */) return next + 1;
    // Not an attribute start: a stray quote or '=' char; step over it, as the tokenizer would.
    at = next === at ? next + 1 : next;
  }
}

/** The decoded value of attribute `name` (lower case) in html[from, to), or undefined. */
export function readAttribute(html: string, from: number, to: number, name: string): string | undefined {
  let at = from;
  while (at < to) {
    ATTRIBUTE_CAPTURE.lastIndex = at;
    const match = ATTRIBUTE_CAPTURE.exec(html);
    if (match === null || ATTRIBUTE_CAPTURE.lastIndex > to) return undefined;
    if (match[1]?.toLowerCase() === name) {
      const value = match[2] ?? match[3] ?? match[4] ?? '';
      return value.includes('&') ? decodeHTMLAttribute(value) : value;
    }
    at = ATTRIBUTE_CAPTURE.lastIndex === at ? at + 1 : ATTRIBUTE_CAPTURE.lastIndex;
  }
  return undefined;
}

function decodeText(text: string): string {
  return text.includes('&') ? decodeHTML(text) : text;
}

/**
 * Scans `html` once, reporting text and tags to `handler`. Linear in the input: every
 * step moves forward, and the regular expressions used cannot backtrack past one tag.
 */
export function scanHtml(html: string, handler: HtmlScanHandler): void {
  const length = html.length;
  let at = 0;
  let textFrom = 0;
  const flushText = (to: number): void => {
    if (to <= textFrom) return;
    let at = textFrom;
    while (at < to && isSpace(html.charCodeAt(at))) at++;
    if (at >= to) handler.whitespace(textFrom, to);
    else handler.text(decodeText(html.slice(textFrom, to)));
  };
  while (at < length) {
    const lt = html.indexOf('<', at);
    if (lt < 0) break;
    const next = html.charCodeAt(lt + 1);
    if (isAsciiLetter(next)) {
      // A start tag.
      const nameEnd = tagNameEnd(html, lt + 2);
      const name = html.slice(lt + 1, nameEnd).toLowerCase();
      const end = skipAttributes(html, nameEnd);
      flushText(lt);
      if (end < 0) {
        // EOF inside a tag: the tag is dropped.
        textFrom = length;
        break;
      }
      handler.open(name, nameEnd, end - 1);
      at = textFrom = end;
      const raw = RAW_TEXT.get(name);
      if (raw !== undefined) {
        const found = rawTextEnd(html, name, at);
        const contentEnd = found < 0 ? length : found;
        if (raw.shown && contentEnd > at) {
          const content = html.slice(at, contentEnd);
          handler.rawText(name, raw.decoded ? decodeText(content) : content);
        }
        handler.close(name);
        const closeEnd = found < 0 ? -1 : skipAttributes(html, contentEnd + 2 + name.length);
        at = textFrom = closeEnd < 0 ? length : closeEnd;
      }
    } else if (next === 0x2f /* / */) {
      const after = html.charCodeAt(lt + 2);
      flushText(lt);
      if (isAsciiLetter(after)) {
        const nameEnd = tagNameEnd(html, lt + 3);
        const name = html.slice(lt + 2, nameEnd).toLowerCase();
        const end = skipAttributes(html, nameEnd);
        at = textFrom = end < 0 ? length : end;
        if (end >= 0) handler.close(name);
      } else {
        // '</>' is nothing; '</' + anything else is a bogus comment up to '>'.
        const gt = html.indexOf('>', lt + 2);
        at = textFrom = gt < 0 ? length : gt + 1;
      }
    } else if (next === 0x21 /* ! */) {
      flushText(lt);
      if (html.startsWith('--', lt + 2)) {
        // A comment: '<!-->' and '<!--->' are empty ones.
        let close: number;
        if (html.charCodeAt(lt + 4) === 0x3e) close = lt + 5;
        else if (html.startsWith('->', lt + 4)) close = lt + 6;
        else {
          const found = html.indexOf('-->', lt + 4);
          close = found < 0 ? length : found + 3;
        }
        at = textFrom = close;
      } else {
        // Doctype, CDATA in HTML content, downlevel-revealed conditionals: bogus comments.
        const gt = html.indexOf('>', lt + 2);
        at = textFrom = gt < 0 ? length : gt + 1;
      }
    } else if (next === 0x3f /* ? */) {
      flushText(lt);
      const gt = html.indexOf('>', lt + 2);
      at = textFrom = gt < 0 ? length : gt + 1;
    } else {
      // A '<' that starts nothing is text.
      at = lt + 1;
    }
  }
  flushText(length);
}
