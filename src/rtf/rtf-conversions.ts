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

// Stands for a document tab while its rendered HTML goes through html→text, which would
// collapse a tab like any white space. The writer drops C0 controls from the document's
// text, so this one can only be a tab.
const TAB_MARK = '\u0001';

/**
 * RTF → text: encapsulated text as it was; anything else through its HTML. The tabs of a
 * plain document (`\tab`) stay tabs, so a label and its value stay apart; in Outlook's own
 * HTML a tab is layout white space, as in any HTML body.
 */
export function rtfToText(input: string, textToHtml: Convert, htmlToText: Convert): string {
  const source = rtfSource(input);
  const kind = encapsulatedKind(source);
  if (kind === 'text') return extractTextFromRtf(source);
  const html = kind === 'html' ? extractHtmlFromRtf(source) : renderRtfToHtml(source);
  // The HTML of an RTF document can be larger than the RTF; html→text would cut it short.
  if (html.length > MAX_CONVERT_INPUT_LENGTH) {
    throw new CdoError('CDO_E_STRING_TOO_LONG', `RTF: its HTML is longer than ${MAX_CONVERT_INPUT_LENGTH} characters`);
  }
  if (kind === 'html') return htmlToText(html);
  return htmlToText(html.replaceAll('\t', TAB_MARK)).replaceAll(TAB_MARK, '\t');
}
