import { charsetOf, encodeInCodePage } from '../code-pages.js';
import { encapsulatedKind } from '../rtf/encapsulated-kind.js';
import { rtfSource } from '../rtf/rtf-source.js';
import type { BodyEngines } from './body-engines.js';
import { buildMimePart } from './mime-part.js';

const UTF8 = 65001;

/** A MIME message's body (HTML, Markdown or RTF) to be sent as text + HTML alternatives. */
export interface AlternativesRequest {
  readonly input: string;
  readonly from: 'html' | 'markdown' | 'rtf';
  readonly codePage: number;
  /** Extra headers of the HTML part (Content-Base, Content-Location). */
  readonly htmlHeaders?: Readonly<Record<string, string>> | undefined;
  /** The text part's own text (CDOSYS TextBody), instead of one made from the body. */
  readonly text?: string | undefined;
  /** Transfer encodings chosen by the script (CDOSYS), as nodemailer's contentTransferEncoding. */
  readonly textEncoding?: string | undefined;
  readonly htmlEncoding?: string | undefined;
}

/**
 * Either both parts, encoded as nodemailer writes them (`raw` for its composer), or —
 * when the HTML still needs the main thread (an RTF rendering with pictures, which
 * compose turns into cid: parts) — the converted HTML and text.
 */
export type PreparedAlternatives =
  | { readonly textPart: Uint8Array; readonly htmlPart: Uint8Array }
  | { readonly html: string; readonly text: string };

// What the RTF renderer writes for a picture (inline-images.ts moves those to parts).
const DATA_IMAGE = '<img src="data:image/';

/**
 * Converts the body to HTML and text and encodes both parts, all in one go: inline or in
 * a worker thread (one hand-off per message). The conversions follow compose's rules:
 * RTF that encapsulates text gives that text back exactly.
 */
export async function prepareAlternatives(engines: Pick<BodyEngines, 'convert'>, request: AlternativesRequest): Promise<PreparedAlternatives> {
  const { input, from, codePage } = request;
  const exactText = from === 'rtf' && encapsulatedKind(rtfSource(input)) === 'text';
  const html = from === 'html' ? input : await engines.convert(input, from, 'html');
  const text = request.text ?? (exactText ? await engines.convert(input, 'rtf', 'text') : await engines.convert(html, 'html', 'text'));
  if (from === 'rtf' && html.includes(DATA_IMAGE)) return { html, text };
  const charset = `; charset=${charsetOf(codePage)}`;
  const textPart = buildMimePart({
    contentType: `text/plain${charset}`,
    content: codePage === UTF8 ? text : encodeInCodePage(text, codePage, request.text === undefined ? 'Body' : 'TextBody'),
    headers: withEncoding(undefined, request.textEncoding),
  });
  const htmlPart = buildMimePart({ contentType: `text/html${charset}`, content: codePage === UTF8 ? html : encodeInCodePage(html, codePage, 'Body'), headers: withEncoding(request.htmlHeaders, request.htmlEncoding) });
  return { textPart, htmlPart };
}

/** A part's extra headers with the transfer encoding a script chose, as nodemailer's composer sets it. */
function withEncoding(headers: Readonly<Record<string, string>> | undefined, encoding: string | undefined): Readonly<Record<string, string>> | undefined {
  return encoding === undefined ? headers : { ...headers, 'Content-Transfer-Encoding': encoding };
}
