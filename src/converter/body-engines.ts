import { CdoError } from '../errors/cdo-error.js';
import type { BodyKind } from './body-kind.js';

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

export const HTML_TO_TEXT_WORDWRAP = 78;

/**
 * Builds every engine with instance-scoped state: an own Marked, one TurndownService,
 * one compiled html-to-text function. Heavy modules load here, on first use, never at
 * import.
 */
export const createBodyEngines: BodyEnginesFactory = async () => {
  const [{ Marked }, { default: TurndownService }, { gfm }, { compile }, { createTextToHtml }] = await Promise.all([
    import('marked'),
    import('turndown'),
    import('@joplin/turndown-plugin-gfm'),
    import('html-to-text'),
    import('./text-to-html.js'),
  ]);

  const marked = new Marked({ gfm: true, breaks: false, async: false });
  const turndown = new TurndownService({
    headingStyle: 'atx',
    codeBlockStyle: 'fenced',
    bulletListMarker: '-',
    emDelimiter: '_',
  });
  turndown.use(gfm);
  turndown.remove(['head', 'style', 'script', 'title']);
  const htmlToText = compile({
    wordwrap: HTML_TO_TEXT_WORDWRAP,
    selectors: [
      ...(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const).map((selector) => ({ selector, options: { uppercase: false } })),
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'img', format: 'skip' },
      { selector: 'table.data', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ],
  });
  const textToHtml = createTextToHtml();

  const edges: EdgeTable = {
    markdown: { html: (input) => marked.parse(input, { async: false }) },
    html: { markdown: (input) => turndown.turndown(input), text: (input) => htmlToText(input) },
    text: { html: textToHtml },
  };
  return new GraphEngines(edges);
};

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
    if (from === to) return input;
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
