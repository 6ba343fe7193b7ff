// [MS-OXRTFEX]: recognising, de-encapsulating and encapsulating HTML and plain text in RTF.
// Vectors: ../shared/reference/rtf.md §3.2 (EX-1, the spec's own example) and §2.8 (where
// implementations differ), plus Outlook-style documents written here.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { deEncapsulateSync } from 'rtf-stream-parser';
import { extractHtmlFromRtf, extractTextFromRtf } from '../src/rtf/deencapsulate-rtf.js';
import { encapsulateHtml, encapsulateText } from '../src/rtf/encapsulate-rtf.js';
import { encapsulatedKind } from '../src/rtf/encapsulated-kind.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { needsCorpus } from './support/requirement.js';
import { cpuMsSince } from './support/cpu-time.js';

// EX-1: [MS-OXRTFEX] 3.1, as reconstructed in rtf.md (LF line ends).
const EX1_RTF = String.raw`{\rtf1\ANSI\ansicpg1251\fromhtml1 \deff0
{\fonttbl {\f0\fmodern Courier New;}{\f1\fswiss Arial;}{\f2\fswiss\fcharset0 Arial;}}
{\colortbl\red0\green0\blue0;\red0\green0\blue255;} 
{\*\htmltag64}
\uc1\pard\plain\deftab360 \f0\fs24
{\*\htmltag <HTML><head>\par
<style>\par
<!--\par
 /* Style Definitions */\par
 p.MsoNormal, li.MsoNormal \{font-family:Arial;\}\par
-->\par
</style>\par
\tab <!-- This is a HTML comment.\par
There is a horizontal tab (%x09) character before the comment, \par
and some new lines inside the comment. -->\par
</head>\par
<body>\par
<p\par
class="MsoNormal">}
{\htmlrtf \f1 \htmlrtf0 Note the line break inside a P tag. {\*\htmltag <b>}{\htmlrtf \b \htmlrtf0 This is a bold text{\*\htmltag </b>}} \htmlrtf\par\htmlrtf0}
\htmlrtf \par \htmlrtf0
{\*\htmltag </p>\par
<p class="MsoNormal">\par}
{\htmlrtf \f1 \htmlrtf0 This is a normal text with a character references:
{\*\htmltag &nbsp;}\htmlrtf \'a0\htmlrtf0  {\*\htmltag &lt;}\htmlrtf <\htmlrtf0  {\*\htmltag &uml;}\htmlrtf {\f2\'a8}\htmlrtf0{\*\htmltag <br>\par}\htmlrtf\line\htmlrtf0
characters which have special meaning in RTF: \{\}\\{\*\htmltag <br>\par}\htmlrtf\line\htmlrtf0\htmlrtf\par\htmlrtf0}
{\*\htmltag </p>\par
<ol>\par
<li class="MsoNormal">}{\htmlrtf {{\*\pn\pnlvlbody\pndec\pnstart1\pnindent360{\pntxta.}}\li360\fi-360{\pntext 1.\tab} \f1 \htmlrtf0 This is a list item}\htmlrtf\par\htmlrtf0}
{\*\htmltag \par
</ol>\par
</body>\par
</HTML>\par }}
`;

const EX1_HTML =
  ' <HTML><head>\r\n<style>\r\n<!--\r\n /* Style Definitions */\r\n p.MsoNormal, li.MsoNormal {font-family:Arial;}\r\n-->\r\n</style>\r\n\t<!-- This is a HTML comment.\r\nThere is a horizontal tab (%x09) character before the comment, \r\nand some new lines inside the comment. -->\r\n</head>\r\n<body>\r\n<p\r\nclass="MsoNormal">Note the line break inside a P tag. <b>This is a bold text</b> </p>\r\n<p class="MsoNormal">\r\nThis is a normal text with a character references:&nbsp; &lt; &uml;<br>\r\ncharacters which have special meaning in RTF: {}\\<br>\r\n</p>\r\n<ol>\r\n<li class="MsoNormal">This is a list item\r\n</ol>\r\n</body>\r\n</HTML>\r\n';

// Outlook-style, Japanese (cp932): fonts switched inside \htmlrtf, DBCS bytes, an entity
// with its RTF rendering suppressed, a conditional comment with \htmlrtf inside the tag.
const OUTLOOK_JAPANESE = String.raw`{\rtf1\ansi\ansicpg932\fromhtml1 \fbidis \deff0{\fonttbl
{\f0\fswiss\fcharset128 MS PGothic;}{\f1\fmodern MS Gothic;}{\f2\fswiss\fcharset0 Arial;}}
{\colortbl\red0\green0\blue0;\red5\green99\blue193;}
\uc1\pard\plain\deftab360 \f0\fs24 {\*\htmltag19 <html>}{\*\htmltag34 <head>}
{\*\htmltag241 <!--[if gte mso 15]>&nbsp;\htmlrtf .\u32  \htmlrtf0<![endif]-->}{\*\htmltag41 </head>}
{\*\htmltag50 <body lang=JA>}{\*\htmltag64 <p class=MsoNormal>}\htmlrtf {\f0 \htmlrtf0 \'82\'b1\'82\'f1\'82\'c9\'82\'bf\'82\'cd{\*\htmltag84 &#8217;}\htmlrtf \'81\'66\htmlrtf0 \htmlrtf\par}\htmlrtf0
{\*\htmltag72 </p>}{\*\htmltag64 <p class=MsoNormal>}\htmlrtf {\f2 \htmlrtf0 caf\u233\'3f {\*\htmltag84 <b>}\htmlrtf {\b \htmlrtf0 \u-10179?\u-8704?\htmlrtf }\htmlrtf0 {\*\htmltag92 </b>}\htmlrtf\par}\htmlrtf0
{\*\htmltag72 </p>}{\*\htmltag58 </body>}{\*\htmltag27 </html>}}` + '\0';

const OUTLOOK_JAPANESE_HTML =
  '<html><head><!--[if gte mso 15]>&nbsp;<![endif]--></head><body lang=JA><p class=MsoNormal>こんにちは&#8217;</p><p class=MsoNormal>café <b>😀</b></p></body></html>';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus', 'rtf');
const noCorpus = needsCorpus('rtf');

function oracle(rtf: string): { mode: string; text: string } {
  return deEncapsulateSync(Buffer.from(rtf, 'latin1'), { decode: (buffer: Buffer, encoding: string) => iconv.decode(buffer, encoding), mode: 'either' }) as { mode: string; text: string };
}

test('EX-1, the specification example, de-encapsulates to the expected HTML', () => {
  assert.equal(encapsulatedKind(EX1_RTF), 'html');
  assert.equal(extractHtmlFromRtf(EX1_RTF), EX1_HTML);
});

test('an Outlook-style cp932 body: fonts inside \\htmlrtf, DBCS pairs, \\u surrogate pairs, trailing NUL', () => {
  assert.equal(encapsulatedKind(OUTLOOK_JAPANESE), 'html');
  assert.equal(extractHtmlFromRtf(OUTLOOK_JAPANESE), OUTLOOK_JAPANESE_HTML);
  assert.equal(oracle(OUTLOOK_JAPANESE).text, OUTLOOK_JAPANESE_HTML, 'rtf-stream-parser agrees');
});

test('recognition looks at the first 10 tokens only, and only \\fromhtml1 means HTML', () => {
  assert.equal(encapsulatedKind(String.raw`{\rtf1\ansi\fromhtml1 x}`), 'html');
  assert.equal(encapsulatedKind(String.raw`{\rtf1\ansi\fromtext x}`), 'text');
  assert.equal(encapsulatedKind(String.raw`{\rtf1\ansi\fromhtml0 x}`), 'rtf');
  assert.equal(encapsulatedKind(String.raw`{\rtf1\ansi\fromhtml x}`), 'rtf');
  assert.equal(encapsulatedKind(String.raw`{\rtf1 text first\fromhtml1 x}`), 'rtf');
  assert.equal(encapsulatedKind(String.raw`{\rtf1\a\b\c\d\e\f\g\h\i\fromhtml1 x}`), 'rtf', 'the 11th token is too late');
  assert.equal(encapsulatedKind(String.raw`{\rtf1\a\b\c\d\e\f\g\fromhtml1 x}`), 'html', 'the 10th token still counts');
  assert.equal(encapsulatedKind(String.raw`{\rtf1\ansi\deff0{\fonttbl{\f0 Arial;}}hello}`), 'rtf');
  assert.equal(encapsulatedKind(''), 'rtf');
});

test('the ambiguous points of rtf.md §2.8, decided', () => {
  // Non-\* destinations such as \info never leak their text (rtf-stream-parser leaks it).
  assert.equal(extractHtmlFromRtf(String.raw`{\rtf1\ansi\fromhtml1 {\info{\title Secret}}{\*\htmltag <p>}x}`), '<p>x');
  // \line inside a tag stands for nothing; outside it is a line break.
  assert.equal(extractHtmlFromRtf(String.raw`{\rtf1\ansi\fromhtml1 {\*\htmltag <p\line >}a\line b}`), '<p>a\r\nb');
  // \fcharset0 is windows-1252 even when \ansicpg says 1251; tags use \ansicpg.
  assert.equal(extractHtmlFromRtf(String.raw`{\rtf1\ansi\ansicpg1251\fromhtml1 \deff0{\fonttbl{\f0\fcharset0 Arial;}{\f1\fcharset204 Arial;}}{\*\htmltag <p title="\'c0">}\'c0{\f1\'c0}}`), '<p title="А">ÀА');
  // \mac, \pc and \ansicpg0 are read, not refused.
  assert.equal(extractTextFromRtf(String.raw`{\rtf1\mac\fromtext \'8e}`), 'é');
  assert.equal(extractTextFromRtf(String.raw`{\rtf1\pc\fromtext \'82}`), 'é');
  assert.equal(extractTextFromRtf(String.raw`{\rtf1\ansi\ansicpg0\fromtext \'e9}`), 'é');
  // An escaped DBCS lead byte with a raw trail byte (RTF-J): ｅ in cp932 is 0x82 0x85, テ is 0x83 0x65 ('e').
  assert.equal(extractTextFromRtf(String.raw`{\rtf1\ansi\ansicpg932\fromtext \'83e}`), 'テ');
  // \htmlrtf is honoured inside tags.
  assert.equal(extractHtmlFromRtf(String.raw`{\rtf1\ansi\fromhtml1 {\*\htmltag <a>\htmlrtf hidden\htmlrtf0 </a>}}`), '<a></a>');
});

test('Unicode: \\uN with \\ucN skipping (0, 1, 2), negative N, surrogate pairs, skipping ended by a group', () => {
  assert.equal(extractTextFromRtf(String.raw`{\rtf1\ansi\fromtext \u233?x}`), 'éx');
  assert.equal(extractTextFromRtf(String.raw`{\rtf1\ansi\fromtext \uc0\u233 x}`), 'éx');
  assert.equal(extractTextFromRtf(String.raw`{\rtf1\ansi\fromtext \uc2\u233\'65\'65x}`), 'éx');
  assert.equal(extractTextFromRtf(String.raw`{\rtf1\ansi\fromtext \uc2\u233 ab x}`), 'é x', 'the delimiter space is not a fallback character');
  assert.equal(extractTextFromRtf(String.raw`{\rtf1\ansi\fromtext \uc3\u233{}x}`), 'éx', 'a group ends the skipping');
  assert.equal(extractTextFromRtf(String.raw`{\rtf1\ansi\fromtext \u-10179?\u-8704?}`), '😀');
  assert.equal(extractTextFromRtf(String.raw`{\rtf1\ansi\fromtext \u-4064?}`), '\uf020');
  assert.equal(extractTextFromRtf(String.raw`{\rtf1\ansi\fromtext {\uc1\u233\bin3 abc}z}`), 'éz', '\\bin counts as one fallback');
});

test('text de-encapsulation: \\par and \\line are CR LF, \\tab is TAB, \\htmlrtf parts dropped', () => {
  const rtf = String.raw`{\rtf1\ansi\ansicpg1252\fromtext \deff0{\fonttbl{\f0\fswiss Arial;}}{\colortbl;}\uc1\pard\plain\f0\fs20 one\par two\line three\tab four\htmlrtf {\b rtf only}\htmlrtf0 \lquote q\rquote\par}`;
  assert.equal(extractTextFromRtf(rtf), 'one\r\ntwo\r\nthree\tfour\u2018q\u2019\r\n');
  assert.equal(oracle(rtf).text, 'one\r\ntwo\r\nthree\tfour\u2018q\u2019\r\n');
});

const HTML_PIECES = [
  '<p>', '</p>', '<b>', '</b>', '<i>', '</i>', '<em>', '</strong>', '<br>', '<br/>', '&amp;', '&nbsp;', '&#x1F600;', '&#0;', '&bogus;',
  '<!--', '-->', '<style>', '</style>', '<head>', '</head>', '<script>', '</script>', '\r\n', '\n', '\r', '\t', 'é', '€', '\u0081',
  '😀', '\ud800', '\udc00', 'text', ' ', '{', '}', '\\', '\\par', '<', '>', '&', '\u0000', '\u007f', 'ÿ', '\ufffd', 'Ω', '?',
];

test('property: extractHtmlFromRtf(encapsulateHtml(html)) === html for any string', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (html) => extractHtmlFromRtf(encapsulateHtml(html)) === html), { numRuns: 1500 });
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...HTML_PIECES), { maxLength: 60 }), (pieces) => {
      const html = pieces.join('');
      const rtf = encapsulateHtml(html);
      return encapsulatedKind(rtf) === 'html' && extractHtmlFromRtf(rtf) === html;
    }),
    { numRuns: 3000 },
  );
});

test('property: extractTextFromRtf(encapsulateText(text)) === text for any string', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => extractTextFromRtf(encapsulateText(text)) === text), { numRuns: 1500 });
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...HTML_PIECES), { maxLength: 60 }), (pieces) => {
      const text = pieces.join('');
      const rtf = encapsulateText(text);
      return encapsulatedKind(rtf) === 'text' && extractTextFromRtf(rtf) === text;
    }),
    { numRuns: 3000 },
  );
});

test('our encapsulation is pure ASCII RTF that rtf-stream-parser reads back the same (line breaks as CR LF)', () => {
  const html = '<html><head><style>p { color: red }</style></head><body>\r\n<p>Caf\u00e9 <b>bold <i>both</b></i> &amp; \u20ac \u4e2d\u6587 😀</p>\r\n<p>a {brace} \\ back</p></body></html>';
  const rtf = encapsulateHtml(html);
  assert.match(rtf, /^[\x20-\x7e\r\n]*$/u);
  assert.deepEqual(oracle(rtf), { mode: 'html', text: html });
  const text = 'Dear Ann,\r\n\r\nthe price is \u20ac 5 {net}.\r\n\t\u2014 Bob 😀\r\n';
  assert.deepEqual(oracle(encapsulateText(text)), { mode: 'text', text });
});

test('unbalanced, deeply nested and hostile RTF is read without errors', () => {
  // The document ends with its own group: stray braces and text after it are not part of it.
  assert.equal(extractHtmlFromRtf(String.raw`{\rtf1\ansi\fromhtml1 {\*\htmltag <p>}x}}}}y`), '<p>x');
  assert.equal(extractHtmlFromRtf(String.raw`{\rtf1\ansi\fromhtml1 {\*\htmltag <p>}{{{x`), '<p>x');
  // Broken \' escapes are dropped, an over-long \u parameter is cut at 10 digits, \bin stops at the end.
  assert.equal(extractTextFromRtf(String.raw`{\rtf1\fromtext \'zz\'4\ x\'41\u99999999999999 \bin999999 tail`), 'zz4xA\uffff999 ');
  const deep = `{\\rtf1\\fromtext ${'{'.repeat(200_000)}x${'}'.repeat(200_000)}y}`;
  assert.equal(extractTextFromRtf(deep), 'xy', 'nesting past the cap is read flat');
});

test('fuzz: random and mutated RTF gives a result or CDO_E_BAD_DATA, in bounded time', () => {
  const seeds = [EX1_RTF, OUTLOOK_JAPANESE, encapsulateHtml('<p>Hello <b>world</b> &amp; caf\u00e9 😀</p>'), encapsulateText('a\r\nb\n\u20ac')];
  const mutated = fc
    .tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.constantFrom('{', '}', '\\', "\\'", '\\u', '\\bin', '\\*', '\\htmlrtf', '\\uc9', '\u00ff', '\0', '', 'x')), { maxLength: 12 }))
    .map(([seed, edits]) => edits.reduce((s, [at, piece]) => s.slice(0, at % (s.length + 1)) + piece + s.slice((at % (s.length + 1)) + (piece === '' ? 3 : 0)), seed));
  const inputs = fc.oneof(mutated, fc.string({ unit: 'binary', maxLength: 2000 }), fc.string({ unit: fc.constantFrom('{', '}', '\\', 'u', '-', '1', '\'', 'a', ' ', '*'), maxLength: 2000 }));
  fc.assert(
    fc.property(inputs, (rtf) => {
      const started = process.cpuUsage();
      for (const read of [extractHtmlFromRtf, extractTextFromRtf, encapsulatedKind]) {
        try {
          read(rtf);
        } catch (error) {
          assert.ok(isCdoError(error) && error.code === 'CDO_E_BAD_DATA', `unexpected ${String(error)}`);
        }
      }
      assert.ok(cpuMsSince(started) < 2_000, 'hang guard (CPU time)');
    }),
    { numRuns: 1500 },
  );
});

test('corpus: every real Outlook body de-encapsulates exactly as rtf-stream-parser reads it', { skip: noCorpus }, () => {
  const outlook = readdirSync(CORPUS)
    .map((name) => ({ name, rtf: readFileSync(join(CORPUS, name), 'latin1') }))
    .filter(({ rtf }) => encapsulatedKind(rtf) === 'html');
  assert.ok(outlook.length >= 3, 'the corpus holds Outlook bodies');
  for (const { name, rtf } of outlook) {
    const html = extractHtmlFromRtf(rtf);
    assert.match(html, /<html|<HTML|<body|<BODY|<div/u, name);
    assert.equal(html, oracle(rtf).text, name);
  }
});
