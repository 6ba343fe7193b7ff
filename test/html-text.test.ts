// Our html → text engine (src/html-text/) against html-to-text 10, which stays the
// reference: on every corpus file no word, link target, list item or table cell of the
// reference is lost, reordered or glued; nothing of the markup, CSS or scripts leaks in.
// Then what users rely on, tables (#14), and depth that bounds time but never content (#19).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { htmlToText } from '../src/html-text/html-to-text.js';
import { createBodyEngines } from '../src/converter/body-engines.js';
import { referenceHtmlToText } from './support/reference-html-to-text.js';
import { compareTokens, textTokens } from './support/compare-text.js';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus');
const ours = (html: string): string => htmlToText(html, { wordwrap: 78, maxDepth: 256 });

// What would show that markup, CSS or script text leaked into the text.
const LEAKS: ReadonlyArray<readonly [string, RegExp]> = [
  ['a tag', /<\/?[a-z][a-z0-9:-]*(?:\s[^<>]*)?\/?>/giu],
  ['a comment', /<!--|-->|<!\[|\]>/gu],
  ['a CSS rule', /[#.@]?[a-z][\w-]*\s*\{[^{}]*:[^{}]*\}/giu],
  ['a CSS at-rule', /@(?:media|font-face|import|supports|keyframes)\b/giu],
  ['a CSS declaration', /\b(?:font-family|mso-[a-z-]+|-webkit-[a-z-]+|background-color|line-height|text-decoration)\s*:/giu],
  ['script', /\bfunction\s*\(|\bdocument\.|\bwindow\./gu],
  ['an entity', /&(?:[a-z]+|#\d+|#x[\da-f]+);/giu],
];
const count = (text: string, pattern: RegExp): number => text.match(pattern)?.length ?? 0;

const files = readdirSync(resolve(CORPUS, 'html')).filter((name) => name.endsWith('.html')).sort();

test('the corpus: every word, link target, list item and table cell of html-to-text, in order, none glued; nothing leaks', () => {
  assert.equal(files.length, 24, 'the 24 corpus HTML files');
  const report: string[] = [];
  for (const name of files) {
    const html = readFileSync(resolve(CORPUS, 'html', name), 'utf8');
    const reference = referenceHtmlToText(html);
    const text = ours(html);
    const { referenceTokens, missing } = compareTokens(textTokens(reference), textTokens(text));
    assert.ok(referenceTokens > 10, `${name}: the reference has text`);
    if (missing.length > 0) report.push(`${name}: ${missing.length} of ${referenceTokens} reference words lost, out of order or glued: ${missing.slice(0, 5).join(' | ')}`);
    for (const [what, pattern] of LEAKS) {
      const leaked = count(text, pattern);
      // The reference's own count is what the document says in words (e.g. a literal "&amp;" in the text).
      if (leaked > count(reference, pattern)) report.push(`${name}: ${what} leaked: ${String(text.match(pattern)?.slice(0, 3))}`);
    }
    assert.ok(!/<(?:style|script|head|title)\b/iu.test(text), `${name}: no raw element`);
  }
  assert.deepEqual(report, []);
});

test('the comparison can fail: a lost word, a swapped pair, glued cells and a leak are all seen', () => {
  const reference = textTokens('Item Price Widget € 9.99 [https://example.com/a]');
  assert.deepEqual(compareTokens(reference, textTokens('Item Price Widget € 9.99 [https://example.com/a]')).missing, []);
  assert.equal(compareTokens(reference, textTokens('Item Price Widget 9.99 [https://example.com/a]')).missing.length, 1, 'a lost word');
  assert.ok(compareTokens(reference, textTokens('Price Item Widget € 9.99 [https://example.com/a]')).missing.length > 0, 'a swapped pair');
  assert.ok(compareTokens(reference, textTokens('ItemPrice Widget € 9.99 [https://example.com/a]')).missing.length > 0, 'glued cells');
  assert.ok(compareTokens(reference, textTokens('Item Price Widget € 9.99')).missing.length > 0, 'a lost link target');
  // What the reference glued and we keep apart is no loss.
  assert.deepEqual(compareTokens(textTokens('Pick-up3 May'), textTokens('Pick-up   3 May')).missing, []);
  assert.equal(count('x <td class="a">y</td>', LEAKS[0]?.[1] as RegExp), 2);
  assert.equal(count('p { color: red; }', LEAKS[2]?.[1] as RegExp), 1);
});

test('what users rely on: wrap at 78, headings as written, links, no images, lists, quotes, <br>, <pre>, paragraphs, whitespace, entities', () => {
  const text = ours(`<!DOCTYPE html><html><head><title>Not shown</title><style>p { color: red }</style><script>alert(1)</script></head>
    <body><!-- a comment --><h1>Welcome   aboard</h1>
    <p>See <a href="https://example.com/docs">the docs</a>, <a href="https://example.com/">https://example.com/</a>
       and <a href="mailto:help@example.com">help@example.com</a>.<img src="logo.png" alt="Logo"></p>
    <ul><li>first</li><li>second</li></ul><ol start="3"><li>three</li><li>four</li></ol>
    <blockquote>quoted</blockquote>line one<br>line two<pre>  keep   this
    spacing</pre><p>${'word '.repeat(40)}</p><p>caf&eacute; &amp; cr&egrave;me &lt;b&gt; &#8364; &#x263A;</p></body></html>`);
  assert.ok(text.startsWith('Welcome aboard\n\nSee the docs [https://example.com/docs], https://example.com/ and\nhelp@example.com.\n\n'), text);
  for (const part of [' * first\n * second', ' 3. three\n 4. four', '> quoted', 'line one\nline two', '  keep   this\n    spacing', 'café & crème <b> € ☺']) {
    assert.ok(text.includes(part), `${JSON.stringify(part)} in ${text}`);
  }
  assert.ok(!/Not shown|color|alert|comment|Logo|logo\.png/u.test(text), text);
  assert.ok(text.split('\n').every((line) => line.length <= 78), 'wrapped at 78');
  assert.ok(/\n\n/u.test(text.slice(text.indexOf('four'))), 'paragraphs apart');
});

test('tables: layout tables read as their text, cells never glue, each data row on its own line', async () => {
  assert.equal(ours('<table><tr><td>Pick-up</td><td>3 May</td></tr><tr><td>Drop-off</td><td>5 May</td></tr></table>'), 'Pick-up    3 May\nDrop-off   5 May');
  assert.equal(
    ours('<table class="invoice"><tr><th>Item</th><th>Price</th></tr><tr><td>Widget</td><td>€ 9.99</td></tr><tr><td>Gadget, large</td><td>€ 19.99</td></tr></table>'),
    'Item            Price\nWidget          € 9.99\nGadget, large   € 19.99',
  );
  // A layout: an outer table holding tables and paragraphs; each cell is a block, in order.
  const layout = ours(`<table width="100%"><tr><td><table><tr><td><h1>Your order</h1></td></tr></table></td></tr>
    <tr><td><p>Thanks for your order.</p><p>It ships today.</p></td><td><p>Questions? Reply to this mail.</p></td></tr></table>`);
  assert.equal(layout, 'Your order\n\nThanks for your order.\n\nIt ships today.\n\nQuestions? Reply to this mail.');
  // Too wide for one line: prose in columns is read column after column.
  const columns = ours(`<table><tr><td>${'left '.repeat(12)}</td><td>${'right '.repeat(12)}</td></tr></table>`);
  assert.equal(columns, `${'left '.repeat(12).trim()}\n${'right '.repeat(12).trim()}`);
  // A marked data table too wide wraps inside its columns, rows still apart.
  const wide = ours(`<table><thead><tr><th>Name</th><th>Description</th></tr></thead><tr><td>alpha</td><td>${'long words '.repeat(12)}</td></tr><tr><td>beta</td><td>short</td></tr></table>`);
  const lines = wide.split('\n');
  assert.ok(lines.every((line) => line.length <= 78), wide);
  assert.match(lines[0] ?? '', /^Name +Description$/u);
  assert.match(lines[1] ?? '', /^alpha +long words/u);
  assert.match(lines.at(-1) ?? '', /^beta +short$/u);
  // Markdown → html → text: a GFM table puts each row on its own line.
  const engines = await createBodyEngines();
  try {
    const text = await engines.convert('| Name | Value |\n|------|-------|\n| alpha | 1 |\n| beta | 2 |\n', 'markdown', 'text');
    assert.equal(text, 'Name    Value\nalpha   1\nbeta    2');
  } finally {
    await engines.dispose();
  }
});

test('depth bounds the work, never the content: 5,000 nested spans, divs and lists keep their text', async () => {
  for (const [open, close] of [['<span>', '</span>'], ['<div>', '</div>'], ['<ul><li>', '</li></ul>'], ['<table><tr><td>', '</td></tr></table>'], ['<b><i>', '']] as const) {
    const html = `<p>before</p>${open.repeat(5000)}deep text here${close.repeat(5000)}<p>after</p>`;
    const text = ours(html);
    assert.match(text, /before[\s\S]*deep text here[\s\S]*after/u, `${open}: ${text.slice(0, 200)}`);
    assert.ok(!text.includes('…'));
  }
  // The reference cuts it: that is the bug (#19 item 1).
  assert.ok(!referenceHtmlToText(`${'<span>'.repeat(5000)}deep text here${'</span>'.repeat(5000)}`).includes('deep text here'));
  // A real Outlook body, de-encapsulated to HTML under 2,723 nested spans.
  const engines = await createBodyEngines();
  try {
    const rtf = readFileSync(resolve(CORPUS, 'rtf', 'rtfpipe-Issue52.rtf'), 'latin1');
    const text = await engines.convert(rtf, 'rtf', 'text');
    assert.match(text, /Chinese Patent Application No\. 999999999999\.9/u);
    assert.match(text, /Sincerely yours/u);
  } finally {
    await engines.dispose();
  }
});
