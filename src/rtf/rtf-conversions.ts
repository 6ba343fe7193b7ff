import { extractHtmlFromRtf, extractTextFromRtf } from './deencapsulate-rtf.js';
import { encapsulatedKind } from './encapsulated-kind.js';
import { renderRtfToHtml } from './render-rtf.js';
import { CdoError } from '../errors/cdo-error.js';
import { MAX_CONVERT_INPUT_LENGTH } from '../converter/converter-lease.js';
import { rtfSource } from './rtf-source.js';

type Convert = (input: string) => string;

/**
 * RTF → HTML: the HTML an Outlook body encapsulates, the encapsulated text as HTML, or a
 * plain RTF document rendered.
 */
export function rtfToHtml(input: string, textToHtml: Convert): string {
  const source = rtfSource(input);
  switch (encapsulatedKind(source)) {
    case 'html':
      return extractHtmlFromRtf(source);
    case 'text':
      return textToHtml(extractTextFromRtf(source));
    default:
      return renderRtfToHtml(source);
  }
}

/**
 * RTF → text: encapsulated text as it was; anything else through its HTML. Outlook's own
 * HTML goes through `htmlToText`; the HTML rendered from a plain document through
 * `renderedHtmlToText`, which may keep what only that HTML means (its tabs are \tab).
 */
export function rtfToText(input: string, textToHtml: Convert, htmlToText: Convert, renderedHtmlToText: Convert = htmlToText): string {
  const source = rtfSource(input);
  const kind = encapsulatedKind(source);
  if (kind === 'text') return extractTextFromRtf(source);
  const html = kind === 'html' ? extractHtmlFromRtf(source) : renderRtfToHtml(source);
  // The HTML of an RTF document can be larger than the RTF; html→text would cut it short.
  if (html.length > MAX_CONVERT_INPUT_LENGTH) {
    throw new CdoError('CDO_E_STRING_TOO_LONG', `RTF: its HTML is longer than ${MAX_CONVERT_INPUT_LENGTH} characters`);
  }
  return kind === 'html' ? htmlToText(html) : renderedHtmlToText(html);
}
