import { readRtfDocument } from './read-rtf-document.js';
import { writeRtfHtml } from './write-rtf-html.js';

/**
 * Plain RTF (WordPad, Word; not Outlook's encapsulated HTML, see extractHtmlFromRtf) as
 * an HTML fragment: paragraphs, line breaks, tabs, character formatting, lists, tables,
 * HYPERLINK fields and PNG/JPEG pictures as data: images. Linear in the input; throws
 * only CdoError('CDO_E_BAD_DATA'), for groups nested past the reader's cap.
 */
export function renderRtfToHtml(source: string): string {
  return writeRtfHtml(readRtfDocument(source));
}
