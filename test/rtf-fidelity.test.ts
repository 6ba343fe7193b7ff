// Issue #19: what RTF → HTML and RTF → text used to lose or garble, one feature per document
// (symbol fonts, a field in a link, list marker styles, tabs, footnotes, the end of the
// document, UTF-8 byte runs). Text goes through the real engines, as a message body would.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBodyEngines } from '../src/converter/body-engines.js';
import { extractHtmlFromRtf, extractTextFromRtf } from '../src/rtf/deencapsulate-rtf.js';
import { renderRtfToHtml } from '../src/rtf/render-rtf.js';
import { symbolFontCharacter } from '../src/rtf/symbol-fonts.js';

const engines = await createBodyEngines();
const TAB = '<span style="white-space:pre">\t</span>';
const FONTS = String.raw`{\fonttbl{\f0\froman\fcharset0 Times New Roman;}{\f1\ftech\fcharset2 Symbol;}{\f2\fnil\fcharset2 Wingdings;}` +
  String.raw`{\f3\fswiss\fcharset0 Symbol;}{\f4\fnil\fcharset2 Webdings;}{\f5\fnil\fcharset2 MT Extra;}}`;

/** `{\rtf1\ansi <fonts><body>}` */
function doc(body: string): string {
  return `{\\rtf1\\ansi\\deff0${FONTS}${body}}`;
}

function html(body: string): string {
  return renderRtfToHtml(doc(body));
}

async function text(source: string): Promise<string> {
  return String(await engines.convert(source, 'rtf', 'text'));
}

test('Symbol font: letters are Greek, \\\'e5 is ∑, \\\'b7 is the bullet', async () => {
  const body = String.raw`{\f1 abg} {\f1\'e5} {\f1\'b7} {\f1 p}r {\f1\'ae\'b9\'a3}`;
  assert.equal(html(body), '<p>αβγ ∑ • πr →≠≤</p>');
  assert.equal(await text(doc(body)), 'αβγ ∑ • πr →≠≤');
});

test('symbol fonts are known by name too: Word writes "Symbol" with \\fcharset0', () => {
  assert.equal(html(String.raw`{\f3 abg \'b7}`), '<p>αβγ •</p>');
});

test('Wingdings and Webdings bytes map to the characters Unicode encoded for them', () => {
  assert.equal(html(String.raw`{\f2\'4a\'4c\'fc\'a7\'d8\'9f\'76}`), '<p>☺☹✔▪⮚•❖</p>');
  // Webdings: 0x21 the spider, 0x61 the check mark.
  assert.equal(html(String.raw`{\f4\'21\'61}`), '<p>\u{1F577}\u2714</p>');
});

test('\\u in U+F020–F0FF (how Word writes symbol-font characters) maps through the font; its fallback is skipped', () => {
  // \u-3913 is U+F0B7 (Symbol's bullet), \u-4060 is U+F024 (Wingdings 0x24, eyeglasses).
  assert.equal(html(String.raw`\uc1{\f1\u-3913 ?}{\f2\u-4060 ?}{\f1\u-3999\'61}`), '<p>•\u{1F453}α</p>');
  // Outside a symbol font the private-use character is the document's own.
  assert.equal(html(String.raw`\uc1\u-3913 ?`), '<p>\uf0b7</p>');
});

test('an unknown \\fcharset2 font, and text after the symbol font ends, keep their bytes', () => {
  assert.equal(html(String.raw`{\f5 ab}{\f1 a}b`), '<p>abαb</p>');
});

test('the symbol tables give standard characters: no private-use code points, no controls', () => {
  for (const font of ['Symbol', 'Wingdings', 'Webdings'] as const) {
    for (let byte = 0x20; byte <= 0xff; byte++) {
      const char = symbolFontCharacter(font, byte);
      if (char === undefined) continue;
      const code = char.codePointAt(0) ?? 0;
      assert.ok(code >= 0x20 && !(code >= 0xe000 && code <= 0xf8ff), `${font} 0x${byte.toString(16)} → U+${code.toString(16)}`);
      assert.equal(symbolFontCharacter(font, 0xf000 + byte), char, 'U+F0xx is the same glyph');
    }
  }
  // Symbol's Greek alphabet, as the Adobe table has it.
  assert.equal([...'ABGDEZHQIKLMNXOPRSTUFCYW'].map((c) => symbolFontCharacter('Symbol', c.charCodeAt(0))).join(''), 'ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ');
});

test('Outlook\'s encapsulated HTML is given back as written, symbol font or not', () => {
  const source = String.raw`{\rtf1\ansi\fromhtml1 {\fonttbl{\f0\fcharset2 Symbol;}}\f0{\*\htmltag <p>}abg{\*\htmltag </p>}}`;
  assert.equal(extractHtmlFromRtf(source), '<p>abg</p>');
});

test('a field inside a HYPERLINK result stays part of the one link: its words apart, the URL once', async () => {
  const body = String.raw`{\field{\*\fldinst HYPERLINK "http://example.com/"}{\fldrslt outer {\field{\*\fldinst MERGEFIELD name}{\fldrslt innername}} text}} after`;
  assert.equal(html(body), '<p><a href="http://example.com/">outer innername text</a> after</p>');
  const out = await text(doc(body));
  assert.equal(out, 'outer innername text [http://example.com/] after');
  assert.equal(out.split('http://example.com/').length, 2, 'the URL once');
});

test('a HYPERLINK inside a HYPERLINK result is its own link', () => {
  const body = String.raw`{\field{\*\fldinst HYPERLINK "http://a.example/"}{\fldrslt x {\field{\*\fldinst HYPERLINK "http://b.example/"}{\fldrslt y}} z}}`;
  assert.equal(html(body), '<p><a href="http://a.example/">x </a><a href="http://b.example/">y</a><a href="http://a.example/"> z</a></p>');
});

const LIST_1_PAREN = String.raw`{\*\listtable{\list\listtemplateid1{\listlevel\levelnfc0\levelstartat1{\leveltext\'02\'00);}{\levelnumbers\'01;}}` +
  String.raw`{\listlevel\levelnfc4\levelstartat1{\leveltext\'04\'00.\'01);}{\levelnumbers\'01\'03;}}\listid7}}` +
  String.raw`{\*\listoverridetable{\listoverride\listid7\listoverridecount0\ls1}}`;

test('Word list markers "1)" (\\leveltext\\\'02\\\'00);) keep their style, with or without \\listtext', async () => {
  // As Word writes it: each paragraph also shows its marker in {\listtext}.
  const shown = html(String.raw`${LIST_1_PAREN}\pard{\listtext 1)\tab}\ls1 one\par{\listtext 2)\tab}\ls1 two\par\pard after\par`);
  assert.equal(shown, `<div style="margin-left:2em">1)${TAB}one</div>\n<div style="margin-left:2em">2)${TAB}two</div>\n<p>after</p>`);
  // Without \listtext the markers come from \leveltext, counted per level.
  const body = String.raw`${LIST_1_PAREN}\pard\ls1 one\par\pard\ls1 two\par\pard\ls1\ilvl1 sub\par\pard\ls1\ilvl1 sub2\par\pard\ls1 three\par`;
  assert.equal(await text(doc(body)), '1)\tone\n2)\ttwo\n2.a)\tsub\n2.b)\tsub2\n3)\tthree');
  assert.match(html(body), /<div style="margin-left:4em">2\.a\)/u);
});

test('WordPad markers "a)" (\\pnlcltr{\\pntxta )}) and "(a)" keep their style', async () => {
  const pn = String.raw`{\*\pn\pnlvlbody\pnlcltr\pnstart1{\pntxta )}}`;
  assert.equal(await text(doc(String.raw`\pard{\pntext\f0 a)\tab}${pn}one\par{\pntext\f0 b)\tab}${pn}two\par`)), 'a)\tone\nb)\ttwo');
  const paren = String.raw`{\*\pn\pnlvlbody\pnlcltr\pnstart1{\pntxtb (}{\pntxta )}}`;
  assert.equal(await text(doc(String.raw`\pard${paren}x\par${paren}y\par`)), '(a)\tx\n(b)\ty');
});

test('"1." and "a." markers are still HTML lists', () => {
  assert.equal(html(String.raw`\pard{\pntext 1.\tab}{\*\pn\pnlvlbody\pndec{\pntxta .}}one\par{\pntext 2.\tab}{\*\pn\pnlvlbody\pndec{\pntxta .}}two\par`), '<ol>\n<li>one</li>\n<li>two</li>\n</ol>');
});

test('\\tab keeps a label and its value apart: a tab in the text, preserved spacing in the HTML', async () => {
  const body = String.raw`Name:\tab Ann\par Total:\tab\tab 5\par`;
  assert.equal(html(body), `<p>Name:${TAB}Ann</p>\n<p>Total:${TAB}${TAB}5</p>`);
  assert.equal(await text(doc(body)), 'Name:\tAnn\n\nTotal:\t\t5');
});

test('a control character in the document never turns into a tab (only \\tab is one)', async () => {
  const out = await text(doc(String.raw`a\uc0\u1 b\'01c`));
  assert.ok(!out.includes('\t') && !out.includes('\u0001'), JSON.stringify(out));
  assert.equal(out, 'abc');
});

test('tabs in Outlook\'s encapsulated HTML are layout white space, as in any HTML body: not kept in the text', async () => {
  const source = String.raw`{\rtf1\ansi\fromhtml1 {\*\htmltag <p>}Name:{\*\htmltag \tab </p>\par\tab <p>}Ann{\*\htmltag </p>}}`;
  assert.equal(await text(source), 'Name:\n\nAnn');
});

test('footnotes: the anchor keeps its number, the bodies follow the text (in the HTML and the text)', async () => {
  const body = String.raw`Footnote appears here{\cs17\super\chftn}{\footnote\pard\plain{\cs17\super\chftn} First note.}` +
    String.raw` and the paragraph goes on.\par Second{\super\chftn{\footnote\pard\plain{\super\chftn} Two\par in two paragraphs.}}\par After.\par`;
  assert.equal(
    html(body),
    '<p>Footnote appears here<sup>1</sup> and the paragraph goes on.</p>\n<p>Second<sup>2</sup></p>\n<p>After.</p>\n' +
      '<p><sup>1</sup> First note.</p>\n<p><sup>2</sup> Two</p>\n<p>in two paragraphs.</p>',
  );
  assert.equal(
    await text(doc(body)),
    'Footnote appears here1 and the paragraph goes on.\n\nSecond2\n\nAfter.\n\n1 First note.\n\n2 Two\n\nin two paragraphs.',
  );
});

test('a footnote in a list item or table cell does not take the item or cell with it', () => {
  const body = String.raw`\trowd\cellx1000\cellx2000\pard\intbl a{\super\chftn}{\footnote\pard{\super\chftn} note}\cell b\cell\row\pard end\par`;
  assert.equal(html(body), '<table class="data" cellspacing="0" cellpadding="4">\n<tr><td>a<sup>1</sup></td><td>b</td></tr>\n</table>\n<p>end</p>\n<p><sup>1</sup> note</p>');
});

test('content after the document\'s final } is not part of it', async () => {
  assert.equal(await text(String.raw`{\rtf1\ansi hello}hello`), 'hello');
  assert.equal(renderRtfToHtml(String.raw`{\rtf1\ansi hello}}} more {\b text}`), '<p>hello</p>');
  assert.equal(extractHtmlFromRtf(String.raw`{\rtf1\t3\t4\t5\t6\t7\t8\t9\fromhtml1 hello}hello`), 'hello');
  assert.equal(extractTextFromRtf(String.raw`{\rtf1\ansi\fromtext hello}hello`), 'hello');
});

test('\\ansicpg65001: byte runs are UTF-8; characters already decoded (not UTF-8 bytes) are kept, not U+FFFD', async () => {
  const chars = '! < > " \' € œ ¤ ´ ¼ ½ 𠜎 😀';
  // The source as bytes (one character per byte, as files are read).
  const bytes = Buffer.from(String.raw`{\rtf1\ansi\ansicpg65001 ${chars}}`, 'utf8').toString('latin1');
  assert.equal(await text(bytes), chars);
  // The source as a JavaScript string: ¤ is U+00A4, one "byte" that is not UTF-8.
  assert.equal(await text(String.raw`{\rtf1\ansi\ansicpg65001 ${chars}}`), chars);
  assert.equal(await text(String.raw`{\rtf1\ansi\ansicpg65001 \'c2\'a4 \'c2\'bd}`), '¤ ½');
  // rtf-stream-parser's case.
  assert.equal(
    extractHtmlFromRtf(`{\\rtf1\\ansi\\ansicpg65001\\fromhtml1{{{{{{Plain text body: ! < > " ' € œ ¤ ´ ¼ ½ 𠜎 𩶘 😀\r\n}}}}}}}`),
    'Plain text body: ! < > " \' € œ ¤ ´ ¼ ½ 𠜎 𩶘 😀',
  );
});
