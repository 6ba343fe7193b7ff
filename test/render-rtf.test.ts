// Plain RTF (WordPad, Word) rendered to an HTML fragment: hand-written documents for each
// feature, the third-party corpus in ../shared (skipped when absent), and fuzzing.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import fc from 'fast-check';
import { Parser } from 'htmlparser2';
import { isCdoError } from '../src/errors/cdo-error.js';
import { renderRtfToHtml } from '../src/rtf/render-rtf.js';
import { needsCorpus } from './support/requirement.js';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus', 'rtf');
const noCorpus = needsCorpus('rtf');
/** A hang guard, not a speed target. */
const BOUND_MS = 3_000;
const TAB = '<span style="white-space:pre">\t</span>';

/** One document body: `{\rtf1\ansi <body>}`. */
function render(body: string): string {
  return renderRtfToHtml(`{\\rtf1\\ansi ${body}}`);
}

function corpus(name: string): string {
  return readFileSync(join(CORPUS, name), 'latin1');
}

/** Text content of an HTML fragment (entities decoded), for "the words are there" checks. */
function textOf(html: string): string {
  let text = '';
  const parser = new Parser({ ontext: (chunk) => (text += chunk) }, { decodeEntities: true });
  parser.write(html);
  parser.end();
  return text;
}

const TAGS = new Set(['p', 'div', 'br', 'span', 'b', 'i', 'u', 's', 'sup', 'sub', 'a', 'img', 'ul', 'ol', 'li', 'table', 'tr', 'td']);
const ATTRIBUTES = new Set(['style', 'href', 'src', 'width', 'height', 'alt', 'start', 'type', 'border', 'cellspacing', 'cellpadding', 'class']);

/** Only the elements and attributes the writer makes, with safe values: RTF text cannot become markup. */
function assertSafeHtml(html: string): void {
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        assert.ok(TAGS.has(name), `unexpected <${name}>`);
        for (const [key, value] of Object.entries(attributes)) {
          assert.ok(ATTRIBUTES.has(key), `unexpected ${key}= on <${name}>`);
          if (key === 'href') assert.match(value, /^(?:https?:|mailto:|ftp:|#)/i);
          if (key === 'class') assert.equal(value, 'data');
          if (key === 'src') assert.match(value, /^data:image\/(?:png|jpeg);base64,[A-Za-z0-9+/=]*$/);
          if (key === 'style') assert.match(value, /^[a-z-]+:[^;:"<>]+(?:;[a-z-]+:[^;:"<>]+)*$/);
        }
      },
      oncomment: () => assert.fail('comment in output'),
      onprocessinginstruction: () => assert.fail('declaration in output'),
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
}

/** Renders, allowing only a CdoError, within the hang guard; returns the HTML or undefined. */
function renderGuarded(source: string): string | undefined {
  const start = performance.now();
  let html: string | undefined;
  try {
    html = renderRtfToHtml(source);
  } catch (error) {
    assert.ok(isCdoError(error), `expected only CdoError, got ${String(error)}`);
    assert.equal(error.code, 'CDO_E_BAD_DATA');
  }
  const ms = performance.now() - start;
  assert.ok(ms < BOUND_MS, `${ms.toFixed(0)} ms for ${source.length} characters`);
  return html;
}

test('paragraphs, empty paragraphs, line breaks and tabs', () => {
  assert.equal(render('one\\par\\par two\\line three\\tab four\\par'), `<p>one</p>\n<p><br></p>\n<p>two<br>three${TAB}four</p>`);
  // Text after the last \par is a paragraph too; a backslash before a line break is \par.
  assert.equal(render('a\\\nb'), '<p>a</p>\n<p>b</p>');
  // Runs of spaces survive HTML whitespace collapsing.
  assert.equal(render('a   b\\par'), '<p>a \u00a0\u00a0b</p>');
  assert.equal(renderRtfToHtml(''), '');
});

test('alignment: \\qc \\qr \\qj, reset by \\pard', () => {
  assert.equal(
    render('\\qc c\\par\\pard\\qr r\\par\\pard\\qj j\\par\\pard l\\par'),
    '<p style="text-align:center">c</p>\n<p style="text-align:right">r</p>\n<p style="text-align:justify">j</p>\n<p>l</p>',
  );
});

test('character formatting is group-scoped and reset by \\plain', () => {
  assert.equal(render('{\\b bold {\\i both}} plain\\par'), '<p><b>bold <i>both</i></b> plain</p>');
  assert.equal(render('\\b on\\b0  off\\i it\\i0\\par'), '<p><b>on</b> off<i>it</i></p>');
  assert.equal(render('\\ul a\\ulnone  {\\uldb b} {\\ulwave c}\\ul0  {\\ulth d}\\par'), '<p><u>a</u> <u>b</u> <u>c</u> <u>d</u></p>');
  assert.equal(render('\\strike s\\strike0  {\\striked1 d}\\par'), '<p><s>s</s> <s>d</s></p>');
  assert.equal(render('x\\super 2\\nosupersub  H{\\sub 2}O\\par'), '<p>x<sup>2</sup> H<sub>2</sub>O</p>');
  assert.equal(render('\\b\\i\\ul\\strike all\\plain  none\\par'), '<p><b><i><u><s>all</s></u></i></b> none</p>');
});

test('font size and colours: one span, only where they differ from the default', () => {
  const colors = '{\\colortbl;\\red255\\green0\\blue0;\\red0\\green0\\blue255;}';
  assert.equal(render(`${colors}\\fs24 default \\fs32 big\\par`), '<p>default <span style="font-size:16pt">big</span></p>');
  assert.equal(render(`${colors}{\\fs17\\cf1 red}{\\cf0  auto}\\par`), '<p><span style="font-size:8.5pt;color:#ff0000">red</span> auto</p>');
  assert.equal(
    render(`${colors}{\\highlight2 hi}{\\highlight0  none}{\\cb1  cb}\\par`),
    '<p><span style="background-color:#0000ff">hi</span> none<span style="background-color:#ff0000"> cb</span></p>',
  );
});

test('adjacent runs with equal formatting merge; wrappers are shared', () => {
  assert.equal(render('{\\b a}{\\b b}{\\b\\i c}\\par'), '<p><b>ab<i>c</i></b></p>');
  assert.equal(render('{\\fs20 a}{\\fs20\\b b}\\par'), '<p><span style="font-size:10pt">a<b>b</b></span></p>');
});

test('Unicode: \\uN with \\uc0, \\uc1, \\uc2 fallbacks, negative values and surrogate pairs', () => {
  assert.equal(render('{\\uc1 caf\\u233e}{\\uc0 \\u233}{\\uc2 \\u233\\\'e9\\\'e9!}{\\u-4064?}\\par'), '<p>cafééé!\uf020</p>');
  // Default \uc1: one fallback character after each \u.
  assert.equal(render('\\u8364?\\par'), '<p>€</p>');
  // A pair written as two \u values, negative or not.
  assert.equal(render('{\\uc1\\u-10179?\\u-8704?}{\\uc0\\u55357\\u56832}\\par'), '<p>😀😀</p>');
  // A lone surrogate cannot be written as UTF-8: U+FFFD.
  assert.equal(render('\\u-10179?x\\par'), '<p>\ufffdx</p>');
});

test('code pages: \\ansicpg1251, \\fcharset204 next to \\fcharset0, \\mac', () => {
  assert.equal(renderRtfToHtml("{\\rtf1\\ansi\\ansicpg1251 \\'cf\\'f0\\'e8\\'e2\\'e5\\'f2\\par}"), '<p>Привет</p>');
  assert.equal(
    renderRtfToHtml("{\\rtf1\\ansi{\\fonttbl{\\f0\\fcharset0 Arial;}{\\f1\\fcharset204 Arial Cyr;}}\\f1 \\'cf\\'f0\\'e8 {\\f0 \\'e9}\\par}"),
    '<p>При é</p>',
  );
  assert.equal(renderRtfToHtml("{\\rtf1\\mac \\'8e\\'87\\par}"), '<p>éá</p>');
});

test('\\fcharset128 Japanese: double-byte pairs, and an escaped lead byte with a raw trail byte', () => {
  const fonts = '{\\fonttbl{\\f0\\fcharset128 MS Mincho;}}';
  assert.equal(renderRtfToHtml(`{\\rtf1\\ansi${fonts}\\f0 \\'83\\'65\\'83\\'58\\'83\\'67 \\'83e\\par}`), '<p>テスト テ</p>');
  // \uc2 skips both bytes of a DBCS fallback (Word with \ansicpg932).
  assert.equal(renderRtfToHtml(`{\\rtf1\\ansi\\ansicpg932${fonts}\\f0\\uc2 \\u12486\\'83\\'65!\\par}`), '<p>テ!</p>');
});

const LIST_TABLE =
  "{\\*\\listtable{\\list\\listtemplateid1{\\listlevel\\levelnfc0\\levelstartat1{\\leveltext\\'02\\'00.;}{\\levelnumbers\\'01;}}" +
  "{\\listlevel\\levelnfc23{\\leveltext\\'01\\u8226 ?;}{\\levelnumbers;}}\\listid10}" +
  "{\\list{\\listlevel\\levelnfc23{\\leveltext\\'01-;}}\\listid20}{\\list{\\listlevel\\levelnfc4{\\leveltext\\'02\\'00);}}\\listid30}" +
  "{\\list{\\listlevel\\levelnfc255{\\leveltext\\'00;}}\\listid40}}" +
  '{\\*\\listoverridetable{\\listoverride\\listid10\\listoverridecount0\\ls1}{\\listoverride\\listid20\\listoverridecount0\\ls2}' +
  '{\\listoverride\\listid30\\listoverridecount0\\ls3}{\\listoverride\\listid40\\listoverridecount0\\ls4}}';

test('Word lists: ordered or bullet from \\listtable via \\ls, nested by \\ilvl, markers not repeated', () => {
  const html = render(
    LIST_TABLE +
      "\\pard{\\listtext\\pard\\plain 1.\\tab}\\ls1 one\\par{\\listtext\\pard\\plain\\'95\\tab}\\pard\\ls1\\ilvl1 sub\\par" +
      '{\\listtext 2.\\tab}\\pard\\ls1 two\\par\\pard after\\par{\\listtext -\\tab}\\ls2 dash\\par{\\listtext -\\tab}dash 2\\par' +
      '\\pard{\\listtext c)\\tab}\\ls3 letter\\par\\pard\\ls4 unnumbered\\par',
  );
  assert.equal(
    html,
    '<ol>\n<li>one<ul>\n<li>sub</li>\n</ul></li>\n<li>two</li>\n</ol>\n<p>after</p>\n<ul>\n<li>dash</li>\n<li>dash 2</li>\n</ul>\n' +
      // "c)" is a style <ol type="a"> cannot draw: the marker is written out.
      `<div style="margin-left:2em">c)${TAB}letter</div>\n<p>unnumbered</p>`,
  );
});

test('a numbered list interrupted by a paragraph continues at its shown number', () => {
  const html = render(`${LIST_TABLE}\\pard{\\listtext 1.\\tab}\\ls1 a\\par\\pard b\\par\\pard{\\listtext 2.\\tab}\\ls1 c\\par`);
  assert.equal(html, '<ol>\n<li>a</li>\n</ol>\n<p>b</p>\n<ol start="2">\n<li>c</li>\n</ol>');
});

test('WordPad lists: {\\pntext} and {\\*\\pn \\pnlvlblt / \\pnlvlbody \\pndec}', () => {
  const html = render(
    "\\pard{\\pntext\\f1\\'B7\\tab}{\\*\\pn\\pnlvlblt\\pnf1\\pnindent0{\\pntxtb\\'B7}}\\fi-360\\li720 Bullet\\par{\\pntext\\f1\\'B7\\tab}Bullet 2\\par" +
      '\\pard Paragraph\\par' +
      '\\pard{\\pntext\\f0 3.\\tab}{\\*\\pn\\pnlvlbody\\pnf0\\pnindent0\\pnstart3\\pndec{\\pntxta.}}List 3\\par{\\pntext\\f0 4.\\tab}List 4\\par' +
      '\\pard{\\pntext I.\\tab}{\\*\\pn\\pnlvlbody\\pnucrm{\\pntxta.}}Roman\\par',
  );
  assert.equal(
    html,
    '<ul>\n<li>Bullet</li>\n<li>Bullet 2</li>\n</ul>\n<p>Paragraph</p>\n<ol start="3">\n<li>List 3</li>\n<li>List 4</li>\n</ol>\n' +
      '<ol type="I">\n<li>Roman</li>\n</ol>',
  );
});

test('lists without a definition: ordered or bullet from the marker text', () => {
  assert.equal(
    render('{\\listtext 5.\\tab}five\\par{\\listtext 6)\\tab}six\\par{\\listtext o\\tab}bullet\\par'),
    `<ol start="5">\n<li>five</li>\n</ol>\n<div style="margin-left:2em">6)${TAB}six</div>\n<ul>\n<li>bullet</li>\n</ul>`,
  );
});

test('tables: \\trowd … \\cellx, \\intbl paragraphs, \\cell, \\row; consecutive rows form one table', () => {
  const row = '\\trowd\\trgaph108\\clbrdrl\\brdrw10\\brdrs\\cellx1000\\cellx2000\\pard\\intbl ';
  assert.equal(
    render(`before\\par${row}a\\cell b\\par b2\\cell\\row${row}{\\b c}\\cell\\cell\\row\\pard after\\par`),
    '<p>before</p>\n<table class="data" border="1" cellspacing="0" cellpadding="4">\n<tr><td>a</td><td><p>b</p><p>b2</p></td></tr>\n' +
      '<tr><td><b>c</b></td><td></td></tr>\n</table>\n<p>after</p>',
  );
  // No drawn borders: no border attribute.
  assert.equal(render('\\trowd\\clbrdrl\\brdrtbl\\cellx1000\\pard\\intbl x\\cell\\row'), '<table class="data" cellspacing="0" cellpadding="4">\n<tr><td>x</td></tr>\n</table>');
});

test('nested tables (\\itap2, \\nestcell, \\nestrow) keep their content, in place', () => {
  const html = render(
    '\\trowd\\cellx1000\\cellx2000\\pard\\intbl outer\\cell\\itap2 n1\\nestcell n2\\nestcell' +
      '{\\*\\nesttableprops\\trowd\\cellx500\\cellx1000\\nestrow}{\\nonesttables\\par}\\itap1 tail\\cell\\row\\pard end\\par',
  );
  assert.equal(
    html,
    '<table class="data" cellspacing="0" cellpadding="4">\n<tr><td>outer</td><td><table class="data" cellspacing="0" cellpadding="4">\n<tr><td>n1</td><td>n2</td></tr>\n' +
      '</table><p>tail</p></td></tr>\n</table>\n<p>end</p>',
  );
  // Nesting deeper than the writer's cap is flattened, not lost.
  const deep = render(`\\intbl\\itap40 deep\\nestcell\\nestrow\\pard out\\par`);
  assert.equal((deep.match(/<table/g) ?? []).length, 8);
  assert.match(textOf(deep), /deep.*out/s);
});

test('HYPERLINK fields become links; only http, https, mailto, ftp and # are linked', () => {
  assert.equal(
    render('{\\field{\\*\\fldinst{HYPERLINK "https://example.com/a?b=1&c=2"}}{\\fldrslt{\\ul link}}}\\par'),
    '<p><a href="https://example.com/a?b=1&amp;c=2"><u>link</u></a></p>',
  );
  assert.equal(
    render('{\\field{\\*\\fldinst HYPERLINK "mailto:a@example.com" \\\\o "tip"}{\\fldrslt mail}} {\\field{\\*\\fldinst HYPERLINK ftp://example.com/f}{\\fldrslt ftp}}\\par'),
    '<p><a href="mailto:a@example.com">mail</a> <a href="ftp://example.com/f">ftp</a></p>',
  );
  // \l anchors, written \\l (as Word does) or as a control word.
  assert.equal(
    render('{\\field{\\*\\fldinst HYPERLINK \\\\l "top"}{\\fldrslt a}} {\\field{\\*\\fldinst HYPERLINK \\l "sec2"}{\\fldrslt b}} {\\field{\\*\\fldinst HYPERLINK "http://x.test/p" \\\\l "s"}{\\fldrslt c}}\\par'),
    '<p><a href="#top">a</a> <a href="#sec2">b</a> <a href="http://x.test/p#s">c</a></p>',
  );
  assert.equal(
    render('{\\field{\\*\\fldinst HYPERLINK "javascript:alert(1)"}{\\fldrslt bad}} {\\field{\\*\\fldinst HYPERLINK "JaVaScRiPt:x"}{\\fldrslt worse}} {\\field{\\*\\fldinst HYPERLINK "file:///etc/passwd"}{\\fldrslt file}}\\par'),
    '<p>bad worse file</p>',
  );
  // Other fields show their result; the instruction never shows.
  assert.equal(render('Page {\\field{\\*\\fldinst PAGE \\\\* MERGEFORMAT}{\\fldrslt 7}}\\par'), '<p>Page 7</p>');
  // Two fields with one URL stay two links.
  assert.equal(
    render('{\\field{\\*\\fldinst HYPERLINK "http://a.test"}{\\fldrslt x}}{\\field{\\*\\fldinst HYPERLINK "http://a.test"}{\\fldrslt y}}\\par'),
    '<p><a href="http://a.test">x</a><a href="http://a.test">y</a></p>',
  );
});

test('pictures: PNG and JPEG become data: images sized from \\picwgoal/\\pichgoal and scale; WMF/EMF are left out', () => {
  const png = '89504e470d0a1a0a';
  assert.equal(
    render(`{\\*\\shppict{\\pict\\pngblip\\picw8\\pich8\\picwgoal300\\pichgoal150\\picscalex200\\picscaley100 ${png.slice(0, 8)}\n${png.slice(8)}}}{\\nonshppict{\\pict\\wmetafile8 0102}}\\par`),
    '<p><img src="data:image/png;base64,iVBORw0KGgo=" width="40" height="10" alt=""></p>',
  );
  assert.equal(render('a{\\pict\\jpegblip\\bin4 \u00ff\u00d8\u00ff\u00e0}b\\par'), '<p>a<img src="data:image/jpeg;base64,/9j/4A==" alt="">b</p>');
  assert.equal(render('a{\\pict\\wmetafile8\\picwgoal300 0102030405}{\\pict\\emfblip 0102}{\\pict\\dibitmap0 0102}b\\par'), '<p>ab</p>');
  // A picture inside a link is linked.
  assert.equal(
    render(`{\\field{\\*\\fldinst HYPERLINK "https://x.test"}{\\fldrslt{\\pict\\pngblip ${png}}}}\\par`),
    '<p><a href="https://x.test"><img src="data:image/png;base64,iVBORw0KGgo=" alt=""></a></p>',
  );
});

test('text is escaped; no way for RTF text, field or colour to inject markup', () => {
  const html = render('<script>alert("x")</script> & \'q\' {\\field{\\*\\fldinst HYPERLINK "http://a.test/?q=<b>&x=\'y\'"}{\\fldrslt <i>}}\\par');
  assert.equal(
    html,
    '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39; <a href="http://a.test/?q=&lt;b&gt;&amp;x=&#39;y&#39;">&lt;i&gt;</a></p>',
  );
  assertSafeHtml(html);
  // Control characters have no place in HTML text.
  assert.equal(render("a\\'01\\'1fb\\'7f\\par"), '<p>ab</p>');
});

test('what must not show is skipped: info, stylesheet, headers, footers, annotations, field instructions, \\* groups, object data, hidden text', () => {
  const html = render(
    '{\\info{\\title T}{\\author A}}{\\stylesheet{\\s1 Heading;}}{\\header hdr}{\\footerr ftr}{\\*\\generator Gen;}' +
      'body{\\*\\annotation ann}{\\*\\unknown x}{\\v hidden}{\\*\\bkmkstart b}' +
      '{\\object\\objemb{\\*\\objclass Paint}{\\*\\objdata 0102}{\\result  result}}\\par',
  );
  assert.equal(html, '<p>body result</p>');
  // Text a tracked change deleted; text written twice (ANSI and Unicode) shows once.
  assert.equal(render("kept{\\deleted  gone}{\\upr{ caf\\'e9}{\\*\\ud{ caf\\u233?}}}\\par"), '<p>kept café</p>');
});

test('nesting past the reader\'s cap is read flat, in bounded memory', () => {
  assert.equal(renderRtfToHtml(`{\\rtf1 ${'{'.repeat(100_000)}x${'}'.repeat(100_000)} y}`), '<p>x y</p>');
  const deep = 70_000; // past MAX_RTF_GROUP_DEPTH (65,536)
  assert.equal(renderRtfToHtml(`{\\rtf1 ${'{\\b '.repeat(deep)}x${'}'.repeat(deep)} y}`), '<p><b>x</b> y</p>', 'formatting inside the deep groups ends with them');
  // Past the cap a destination has no state of its own: it is skipped whole, never shown.
  const hidden = `{\\rtf1 ${'{'.repeat(deep)}{\\pict\\pngblip 00}a{\\*\\fldinst x}{\\info{\\title t}}{\\* y}b${'}'.repeat(deep)} c}`;
  assert.equal(renderRtfToHtml(hidden), '<p>ab c</p>');
});

test('corpus: WordPad and Word documents keep their structure and text', { skip: noCorpus }, () => {
  const link = renderRtfToHtml(corpus('tika-testRTFHyperlink.rtf'));
  assert.match(link, /<a href="http:\/\/r\.office\.microsoft\.com\/r\/rlidwelcomeFAQ\?clid=1033">/);

  const rtfjsLink = renderRtfToHtml(corpus('rtfjs-hyperlink.rtf'));
  assert.match(rtfjsLink, /<p style="text-align:center">.*<a href="https:\/\/github\.com\/tbluemel\/rtf\.js">.*<b><i><u>pro<\/u><\/i><\/b>.*<\/a>/);
  assert.match(rtfjsLink, /This is a document with<br>a hyperlink to /);

  const table = renderRtfToHtml(corpus('tika-testRTFTableCellSeparation.rtf'));
  assert.match(table, /<table class="data" border="1"[^>]*>\n<tr><td><span[^>]*>a<\/span><\/td><td><span[^>]*>b<\/span><\/td><\/tr>/);
  assert.deepEqual([...table.matchAll(/<td>(?:<span[^>]*>)?([^<]*)/g)].map((m) => m[1]), ['a', 'b', 'c', 'd', 'ä', 'ë', 'ö', 'ü']);
  assert.equal((table.match(/<table/g) ?? []).length, 1);

  const list = renderRtfToHtml(corpus('rtfpipe-List.rtf'));
  assert.match(list, /<ul>\n<li><span[^>]*>Bullet<\/span><\/li>\n<li><span[^>]*>Bullet 2<\/span><\/li>\n<\/ul>/);
  assert.match(list, /<ol>\n<li><span[^>]*>List 1<\/span><\/li>\n<li><span[^>]*>List 2<\/span><\/li>\n<\/ol>/);
  assert.doesNotMatch(list, /·|1\./);

  const word = renderRtfToHtml(corpus('tika-testRTFListMicrosoftWord.rtf'));
  assert.match(word, /<ol>\n<li>one<\/li>\n<li>two<\/li>\n<li>three<\/li>\n<\/ol>/);
  assert.match(word, /<ul>\n<li>first<\/li>\n<li>second<\/li>\n<li>third<\/li>\n<\/ul>/);
  assert.match(word, /<ol start="2">\n<li>b<\/li>\n<li>c<\/li>\n<\/ol>/);

  const various = renderRtfToHtml(corpus('tika-testRTFVarious.rtf'));
  assert.match(various, /<b>Bold<\/b> <i>italic<\/i> <u>underline<\/u> <sup>superscript<\/sup> <sub>subscript<\/sub>/);
  assert.match(various, /<a href="http:\/\/tika\.apache\.org">/);
  assert.match(various, /<td><span[^>]*>Row 2 Col 3<\/span><\/td>/);
  assert.match(various, /ゾルゲと尾崎、淡々と最期/);
  assert.match(various, /𐌲𐌿𐍄𐌹𐍃𐌺/);
  assert.doesNotMatch(various, /HYPERLINK|CITATION|Footnote text/);

  const colors = renderRtfToHtml(corpus('rtfjs-colors.rtf'));
  assert.match(colors, /<span style="font-size:8\.5pt;color:#00ff00">Colored Line<\/span>/);
  assert.match(colors, /<span style="font-size:8\.5pt;background-color:#ff0000">Highlighted Line<\/span>/);
  assert.match(colors, /<span style="font-size:8\.5pt;color:#ffffff;background-color:#0000ff">Colored &amp; Highlighted Line<\/span>/);
  assert.doesNotMatch(colors, /This is a test RTF|Mirco/);
});

test('corpus: code pages and Unicode (Japanese, Czech, Cyrillic)', { skip: noCorpus }, () => {
  const japanese = textOf(renderRtfToHtml(corpus('tika-testRTFJapanese.rtf')));
  assert.match(japanese, /ゾルゲと尾崎、淡々と最期/);
  assert.match(japanese, /古書店で処刑記録見つかる/);
  assert.doesNotMatch(japanese, /\?\?|\ufffd/);

  const ms932 = textOf(renderRtfToHtml(corpus('tika-testRTF-ms932.rtf')));
  assert.match(ms932, /こんにちは/);
  assert.match(ms932, /テスト/);

  const czech = textOf(renderRtfToHtml(corpus('tika-testRTFWordPadCzechCharacters.rtf')));
  assert.match(czech, /Článek týdne/);
  assert.match(czech, /Část svitku s textem Knihy Izajáš/);
  assert.match(czech, /př\.\u2009n\.\u2009l\./);

  const braces = textOf(renderRtfToHtml(corpus('tika-testRTFWithCurlyBraces.rtf')));
  assert.match(braces, /\{ some text inside curly brackets \}/);

  const issue34 = renderRtfToHtml(corpus('rtfpipe-Issue34.rtf'));
  assert.match(issue34, /У Х В А Л А/);
  assert.match(textOf(issue34), /Б\.І\. Гулько.*М\.Є\.Червинська.*В\.А\.Черненко/s);
  assert.match(issue34, /<td><table/);
});

test('corpus: embedded JPEGs become data: images, their WMF twins are left out', { skip: noCorpus }, () => {
  const html = renderRtfToHtml(corpus('tika-testRTFRegularImages.rtf'));
  const images = [...html.matchAll(/<img src="data:image\/jpeg;base64,([^"]+)" width="(\d+)" height="(\d+)"/g)];
  assert.equal(images.length, 2);
  const jpeg = Buffer.from(images[0]?.[1] ?? '', 'base64');
  assert.equal(jpeg.readUInt16BE(0), 0xffd8);
  assert.deepEqual(images.map((m) => [m[2], m[3]]), [['40', '27'], ['132', '100']]);
  assert.doesNotMatch(textOf(html), /[0-9a-f]{32}/);
});

test('corpus: every document renders safely (or fails with CdoError) in bounded time', { skip: noCorpus }, () => {
  for (const name of readdirSync(CORPUS).filter((file) => file.endsWith('.rtf'))) {
    const html = renderGuarded(corpus(name));
    if (html !== undefined) assertSafeHtml(html);
  }
});

// Pieces of RTF a fuzzer would take long to find by itself.
const TOKENS = [
  '{', '}', '{\\*', '\\', '\\par ', '\\pard', '\\line', '\\tab', '\\cell ', '\\row ', '\\nestcell ', '\\nestrow ', '\\intbl ', '\\itap2 ',
  '\\itap9999 ', '\\trowd', '\\cellx100', '\\clbrdrl\\brdrs', '\\b', '\\b0', '\\i', '\\ul', '\\ulnone', '\\plain', '\\fs99999 ', '\\fs-5',
  '\\cf1 ', '\\cf99 ', '\\highlight2', '\\super', '\\sub', '\\v', '\\u-10179?', '\\u-8704?', '\\uc2 ', '\\uc0', "\\'83", "\\'e9", "\\'", 'e',
  '\\bin3 ', '\\bin99999999 ', '{\\pict\\pngblip ', '{\\pict\\jpegblip\\picwgoal99999999\\picscalex-5 ', 'ff', '{\\*\\shppict', '{\\nonshppict',
  '{\\field', '{\\*\\fldinst HYPERLINK "', '{\\*\\fldinst HYPERLINK \\\\l "', 'javascript:x', 'http://a.test/"<b>', '"', '{\\fldrslt ',
  '{\\listtext ', '{\\pntext ', '1.', '{\\*\\pn\\pnlvlblt', '\\pnlvl99', '\\pnlvlbody\\pndec', '\\ls1', '\\ls-3', '\\ilvl8', '\\ilvl99',
  '{\\*\\listtable{\\list{\\listlevel\\levelnfc23}\\listid1}}', '{\\*\\listoverridetable{\\listoverride\\listid1\\ls1}}',
  '{\\colortbl;\\red255\\green0\\blue0;}', '{\\fonttbl{\\f1\\fcharset128 M;}}', '\\f1 ', '\\ansicpg932', '\\ansicpg1200', '\\mac',
  '{\\object{\\result ', '{\\*\\nesttableprops', '<', '&', ' ', 'text', '\u00e9', '\u65e5', '\ud83d',
  // Whole constructs, so links, lists and pictures are common enough to matter.
  '{\\field{\\*\\fldinst HYPERLINK "http://a.test/?a=1&b"}{\\fldrslt ', '{\\field{\\*\\fldinst HYPERLINK "javascript:x"}{\\fldrslt ',
  '{\\listtext 1.\\tab}', '{\\listtext\\\'b7\\tab}', '{\\pict\\pngblip 89504e47}',
];
const tokenDocument = fc.array(fc.constantFrom(...TOKENS), { maxLength: 120 }).map((parts) => `{\\rtf1 ${parts.join('')}}`);

test('fuzz: random strings and token soups give HTML or a CdoError, quickly, and the HTML is safe', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: fc.constantFrom(...'{}\\*\'0123456789abcdefuclpar -"\n'), maxLength: 400 }), tokenDocument), (source) => {
      const html = renderGuarded(source);
      if (html !== undefined) assertSafeHtml(html);
    }),
    { numRuns: 3000 },
  );
});

const SAMPLES = [
  `{\\rtf1\\ansi${LIST_TABLE}\\pard{\\listtext 1.\\tab}\\ls1 one\\par\\trowd\\cellx1000\\pard\\intbl a\\cell\\itap2 b\\nestcell\\nestrow\\itap1\\cell\\row` +
    '{\\field{\\*\\fldinst HYPERLINK "http://a.test"}{\\fldrslt{\\b x}}}{\\pict\\pngblip\\picwgoal300 89504e47}\\u233?\\par}',
];

test('fuzz: mutated documents (hand-written and corpus) give HTML or a CdoError, quickly, and the HTML is safe', () => {
  const sources = [...SAMPLES];
  if (!noCorpus) {
    for (const name of ['rtfpipe-List.rtf', 'rtfjs-hyperlink.rtf', 'tika-testRTFTableCellSeparation.rtf', 'rtfpipe-Issue34.rtf', 'tika-testRTF-ms932.rtf', 'tika-testRTFListMicrosoftWord.rtf']) {
      sources.push(corpus(name));
    }
  }
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 24 }), fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 8 })));
  fc.assert(
    fc.property(fc.constantFrom(...sources), fc.array(edit, { minLength: 1, maxLength: 10 }), (source, edits) => {
      let mutated = source;
      for (const [at, remove, insert] of edits) {
        const position = at % (mutated.length + 1);
        mutated = mutated.slice(0, position) + insert + mutated.slice(position + remove);
      }
      const html = renderGuarded(mutated);
      if (html !== undefined) assertSafeHtml(html);
    }),
    { numRuns: 1000 },
  );
});
