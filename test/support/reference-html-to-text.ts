// html-to-text 10 compiled with the options the converter used before it had its own
// engine: the reference our engine's output is held to (tests) and timed against (bench).
import { compile } from 'html-to-text';
import { HTML_MAX_DEPTH, HTML_TO_TEXT_WORDWRAP } from '../../src/converter/body-engines.js';

export const referenceHtmlToText = compile({
  wordwrap: HTML_TO_TEXT_WORDWRAP,
  limits: { maxDepth: HTML_MAX_DEPTH, maxInputLength: 16 * 1024 * 1024, ellipsis: '…' },
  selectors: [
    ...(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const).map((selector) => ({ selector, options: { uppercase: false } })),
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'table.data', format: 'dataTable', options: { uppercaseHeaderCells: false } },
  ],
});
