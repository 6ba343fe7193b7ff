import { CdoError } from '../errors/cdo-error.js';
import type { BodyKind } from './body-kind.js';
import { createTextToHtml } from './text-to-html.js';
import { rtfToHtml, rtfToText } from '../rtf/rtf-conversions.js';
import { rtfSource } from '../rtf/rtf-source.js';
import { encapsulateHtml, encapsulateText } from '../rtf/encapsulate-rtf.js';
// Our own html → text engine: small, and like the RTF code above it costs nothing until called.
import { htmlToText as convertHtmlToText } from '../html-text/html-to-text.js';

/** One direct conversion: from → to. */
type Edge = (input: string) => string;
type EdgeTable = Partial<Record<BodyKind, Partial<Record<BodyKind, Edge>>>>;

/** The engines behind the converter. Created by the host, once per start. */
export interface BodyEngines {
  /** Synchronous inline; a promise when the work runs elsewhere (the worker-pool seam). */
  convert(input: string, from: BodyKind, to: BodyKind): string | Promise<string>;
  /** Stops the engines; any later convert() throws. */
  dispose(): Promise<void>;
}

export type BodyEnginesFactory = () => Promise<BodyEngines>;

export interface BodyEnginesOptions {
  /** Sanitize markdown → html output (no script, event handlers, javascript: URLs…). Default true. */
  readonly sanitizeMarkdown?: boolean;
  /**
   * Build the Markdown edges (markdown → html, html → markdown). Default true. Without them
   * the engines load neither marked, turndown nor sanitize-html: a worker that has only
   * HTML, text and RTF to convert starts in about half the time.
   */
  readonly markdown?: boolean;
}

export const HTML_TO_TEXT_WORDWRAP = 78;
/** The html → text engine keeps structure this deep; deeper levels are flattened (their text kept), bounding time and memory. */
export const HTML_MAX_DEPTH = 256;

// What Markdown may produce once sanitized: the usual document tags, GFM tables, task-list
// checkboxes, images; links only to web, mail and cid: addresses.
export const SANITIZE_OPTIONS = {
  allowedTags: [
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'pre', 'code', 'em', 'strong', 'b', 'i', 'u', 'del', 's',
    'a', 'img', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input', 'span', 'div', 'sup', 'sub',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    input: ['type', 'checked', 'disabled'],
    th: ['align'],
    td: ['align'],
    ol: ['start'],
    code: ['class'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'cid'],
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
};

/**
 * Builds every engine with instance-scoped state: an own Marked, one TurndownService.
 * html → text is our own engine (src/html-text/), stateless per call. Heavy modules load
 * here, on first use, never at import.
 */
export async function createBodyEngines(options: BodyEnginesOptions = {}): Promise<BodyEngines> {
  const htmlToText = htmlToTextAlternative;
  const textToHtml = createTextToHtml();
  const markdown = options.markdown === false ? undefined : await markdownEdges(options);
  const edges: EdgeTable = {
    html: { text: (input) => htmlToText(input), rtf: encapsulateHtml, ...(markdown === undefined ? {} : { markdown: markdown.fromHtml }) },
    text: { html: textToHtml, rtf: encapsulateText },
    rtf: { html: (input) => rtfToHtml(input, textToHtml), text: (input) => rtfToText(input, textToHtml, htmlToText) },
    ...(markdown === undefined ? {} : { markdown: { html: markdown.toHtml } }),
  };
  return new GraphEngines(edges);
}

/** markdown → html and html → markdown: marked, sanitize-html and turndown, loaded here. */
async function markdownEdges(options: BodyEnginesOptions): Promise<{ toHtml: Edge; fromHtml: Edge }> {
  const [{ Marked }, { default: TurndownService }, { gfm }, { default: sanitizeHtml }] = await Promise.all([
    import('marked'),
    import('turndown'),
    import('@joplin/turndown-plugin-gfm'),
    import('sanitize-html'),
  ]);
  const sanitize = options.sanitizeMarkdown === false ? (_md: string, html: string) => html : (md: string, html: string) => (isPlainMarkdownOutput(md, html) ? html : sanitizeHtml(html, SANITIZE_OPTIONS));
  const marked = new Marked({ gfm: true, breaks: false, async: false });
  const turndown = new TurndownService({
    headingStyle: 'atx',
    codeBlockStyle: 'fenced',
    bulletListMarker: '-',
    emDelimiter: '_',
  });
  turndown.use(gfm);
  turndown.remove(['head', 'style', 'script', 'title']);
  return { toHtml: (input) => sanitize(input, marked.parse(input, { async: false })), fromHtml: (input) => turndown.turndown(input) };
}

/**
 * The html → text edge on its own: a pure function (no state, no lifecycle), so CDO.Message
 * can read a generated TextBody at once, as CDOSYS did, with the text Send will send.
 */
export function htmlToTextAlternative(html: string): string {
  return convertHtmlToText(html, { wordwrap: HTML_TO_TEXT_WORDWRAP, maxDepth: HTML_MAX_DEPTH });
}

const SAFE_URL = /^(?!\/\/)(?:https?:|mailto:|cid:|[^:]*$)/iu;

/**
 * The sanitizer's fast path. Markdown without '<' or '&' cannot carry raw HTML or an
 * entity-disguised URL, so marked's output holds only the tags marked writes; it is safe
 * as is when every href and src uses a scheme the sanitizer would keep (or none).
 * Anything else goes through sanitize-html.
 */
function isPlainMarkdownOutput(markdown: string, html: string): boolean {
  if (markdown.includes('<') || markdown.includes('&')) return false;
  for (const match of html.matchAll(/\s(?:href|src)="([^"]*)"/gu)) {
    if (!SAFE_URL.test(match[1] ?? '')) return false;
  }
  return true;
}

/** Converts along the shortest path of direct edges (markdown → text goes through html). */
class GraphEngines implements BodyEngines {
  readonly #edges: EdgeTable;
  #disposed = false;

  constructor(edges: EdgeTable) {
    this.#edges = edges;
  }

  convert(input: string, from: BodyKind, to: BodyKind): string {
    if (this.#disposed) {
      throw new CdoError('CDO_E_OBJECT_DELETED', 'the body converter engines were used after they were stopped');
    }
    // RTF to RTF still reads it: compressed input comes out plain, non-RTF is refused.
    if (from === to) return from === 'rtf' ? rtfSource(input) : input;
    const direct = this.#edges[from]?.[to];
    if (direct !== undefined) return direct(input);
    const viaHtml = this.#edges[from]?.html;
    const fromHtml = this.#edges.html?.[to];
    if (viaHtml !== undefined && fromHtml !== undefined) return fromHtml(viaHtml(input));
    throw new CdoError('CDO_E_NO_SUPPORT', `no conversion from ${from} to ${to}`);
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
  }
}
