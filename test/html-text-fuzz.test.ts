// The html → text engine under hostile input: it returns a string for any string, in
// time linear in the input (1 MB and 16 MB compared, loosely: linear is 16×, quadratic
// 256×), with deep nesting flattened rather than cut; through the converter, hostile
// bodies give text or a CdoError, never anything else, never a hang.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { htmlToText } from '../src/html-text/html-to-text.js';
import { createBodyEngines } from '../src/converter/body-engines.js';
import { ConverterHost } from '../src/converter/converter-host.js';
import { MAX_CONVERT_INPUT_LENGTH } from '../src/converter/converter-lease.js';
import { isCdoError } from '../src/errors/cdo-error.js';

const RUNS = Number(process.env['CDONTS_PROPERTY_RUNS'] ?? 300);
const MB = 1024 * 1024;

/** `unit` repeated to `length` characters. */
const fill = (unit: string, length: number): string => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

// Each a way to make a naive converter quadratic, deep or huge.
const HOSTILE: ReadonlyArray<readonly [string, (length: number) => string]> = [
  ['unclosed divs', (n) => fill('<div>x', n)],
  ['unclosed spans, then a flood of end tags that match nothing', (n) => `${'<span>'.repeat(300)}<div>${fill('</b>', n)}`],
  ['an end tag far below, again and again', (n) => `<b>${'<div>'.repeat(250)}${fill('</b><i>', n)}`],
  ['mis-nested tables and lists', (n) => fill('<table><tr><td><ul><li>a<td>b</ul><tr><li>c</table><td>', n)],
  ['one giant data table', (n) => `<table>${fill('<tr><td>cell<td>value', n)}</table>`],
  ['unterminated comment and quote', (n) => `<p>a<a href="${fill('x', n / 2)}<!--${fill('y', n / 2)}`],
  ['attributes without end', (n) => `<p ${fill('a=1 b="2" ', n)}`],
  ['entities and rules', (n) => fill('&amp;&#x1F600;&bogus;<hr>', n)],
];

/** CPU seconds `action` takes (less at the mercy of other processes on a shared machine than wall time). */
function seconds(action: () => unknown): number {
  const started = process.cpuUsage();
  action();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1e6;
}

test('hostile nesting: 100,000 unclosed or mis-nested tags give text, every word kept', () => {
  for (const open of ['<div>', '<span>', '<table><tr><td>', '<ul><li>', '<blockquote>', '<a href="u">', '<pre>', '<table>', '<tr>', '<li>', '<p>']) {
    const text = htmlToText(`${open.repeat(100_000)}needle`);
    assert.ok(text.includes('needle'), `${open}: ${text.slice(-100)}`);
  }
  const misNested = htmlToText('<table><tr><td>one<li>two</table>three</td></tr><ul><li>four<td>five</ul></li>six</table>seven');
  for (const word of ['one', 'two', 'three', 'four', 'five', 'six', 'seven']) assert.ok(misNested.includes(word), misNested);
});

test('16 MB inputs: time grows linearly (1 MB against 16 MB, loosely), output bounded', () => {
  for (const [what, make] of HOSTILE) {
    const small = make(MB);
    const large = make(16 * MB);
    htmlToText(small); // warm up
    const t1 = Math.max((seconds(() => htmlToText(small)) + seconds(() => htmlToText(small))) / 2, 0.005);
    let output = '';
    const t16 = seconds(() => (output = htmlToText(large)));
    // Linear is 16×; allow a loaded machine and GC four times that, far below quadratic (256×).
    assert.ok(t16 / t1 < 64, `${what}: 1 MB ${t1.toFixed(3)} s, 16 MB ${t16.toFixed(3)} s`);
    assert.ok(output.length < 8 * large.length, `${what}: output ${output.length} for ${large.length}`);
  }
});

test('any string gives a string: random text, random markup', () => {
  const fragments = fc.constantFrom('<', '>', '</', '/>', '<!--', '-->', '<!', '<?', '&', ';', '&amp;', '&#', '&#x', '"', "'", '=', ' ', '\n', '<p>', '</p>',
    '<table>', '<tr>', '<td>', '<th>', '</td>', '</table>', '<ul>', '<ol start="x">', '<li>', '</li>', '<pre>', '</pre>', '<a href="', '</a>', '<br>', '<hr>',
    '<blockquote>', '<style>', '</style>', '<script>', '</script>', '<head>', '<title>', '<textarea>', 'word', 'é', '\u0000', '\ud800');
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 400 }), fc.array(fragments, { maxLength: 200 }).map((parts) => parts.join(''))), fc.integer({ min: 1, max: 300 }), (html, wordwrap) => {
      const text = htmlToText(html, { wordwrap, maxDepth: 16 });
      assert.equal(typeof text, 'string');
      assert.ok(text.split('\n').every((row) => row.length <= Math.max(wordwrap, 1) || !row.includes(' ') || /^[ >*\d.]*\S+$/u.test(row) || html.includes('<pre>') || html.includes('<textarea>') || html.includes('<table>') || html.includes('<td>') || html.includes('<th>')), text);
    }),
    { numRuns: RUNS },
  );
});

test('through the converter, inline and in the worker pool: text or a CdoError, never anything else', async () => {
  const engines = await createBodyEngines();
  try {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const html = Buffer.from(bytes).toString('latin1');
        for (const from of ['html', 'markdown'] as const) {
          try {
            assert.equal(typeof engines.convert(html, from, 'text'), 'string');
          } catch (error) {
            assert.ok(isCdoError(error), String(error));
          }
        }
      }),
      { numRuns: RUNS },
    );
  } finally {
    await engines.dispose();
  }
  const host = new ConverterHost({ lingerMs: 0 });
  const lease = await host.acquire();
  try {
    // Large inputs go to the worker pool: the same engine there.
    const deep = `${'<span>'.repeat(5000)}${fill('<td>cell ', 4 * MB)}needle`;
    const text = await lease.convert(deep, 'html', 'text');
    assert.ok(text.endsWith('needle'), text.slice(-50));
    await assert.rejects(lease.convert('x'.repeat(MAX_CONVERT_INPUT_LENGTH + 1), 'html', 'text'), (error) => isCdoError(error) && error.code === 'CDO_E_STRING_TOO_LONG');
  } finally {
    await lease.release();
    await host.close();
  }
});
