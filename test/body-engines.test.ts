import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConverterHost } from '../src/converter/converter-host.js';

const host = new ConverterHost({ lingerMs: 0 });

async function convert(input: string, from: string, to: string): Promise<string> {
  const lease = await host.acquire();
  try {
    return await lease.convert(input, from, to);
  } finally {
    await lease.release();
  }
}

test('markdown → html is GFM: tables, strikethrough, autolinks', async () => {
  const html = await convert('| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ www.example.com', 'markdown', 'html');
  assert.match(html, /<table>[\s\S]*<th>a<\/th>[\s\S]*<td>2<\/td>[\s\S]*<\/table>/u);
  assert.match(html, /<del>old<\/del>/u);
  assert.match(html, /<a href="http:\/\/www\.example\.com">/u);
});

test('the converter never touches marked\'s global options', async () => {
  const { marked } = await import('marked');
  marked.setOptions({ gfm: false });
  try {
    assert.match(await convert('~~x~~', 'markdown', 'html'), /<del>x<\/del>/u);
  } finally {
    marked.setOptions({ gfm: true });
  }
});

test('html → markdown keeps tables (GFM plugin) and uses ATX headings and fenced code', async () => {
  const md = await convert('<h2>Title</h2><table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table><pre><code>x = 1</code></pre>', 'html', 'markdown');
  assert.match(md, /^## Title$/mu);
  assert.match(md, /^\| a +\| b +\|$/mu);
  assert.match(md, /\| --- \| --- \|/u);
  assert.match(md, /```\nx = 1\n```/u);
});

test('html → text: headings not upper-cased, links kept readable, no tags', async () => {
  const text = await convert('<html><head><style>p{}</style></head><body><h1>Welcome home</h1><p>See <a href="https://example.com/a">our site</a>.</p><p><a href="https://example.com">https://example.com</a></p></body></html>', 'html', 'text');
  assert.match(text, /^Welcome home$/mu);
  assert.match(text, /our site \[https:\/\/example\.com\/a\]/u);
  assert.doesNotMatch(text, /WELCOME|<|p\{\}/u);
  assert.match(text, /^https:\/\/example\.com$/mu, 'a link whose text is its URL is not repeated');
});

test('text → html escapes, makes paragraphs and line breaks, and links URLs', async () => {
  const html = await convert('Dear <customer> & co,\nsee https://example.com/x?a=1&b=2\n\nBye', 'text', 'html');
  assert.equal(html, '<p>Dear &lt;customer&gt; &amp; co,<br>\nsee <a href="https://example.com/x?a=1&amp;b=2">https://example.com/x?a=1&amp;b=2</a></p>\n<p>Bye</p>');
});

test('composed paths: markdown → text and text → markdown go through html', async () => {
  assert.equal(await convert('# Hello\n\nSome **bold** text.', 'markdown', 'text'), 'Hello\n\nSome bold text.');
  assert.equal(await convert('1. not a list\n*literal*', 'text', 'markdown'), '1\\. not a list  \n\\*literal\\*');
  assert.equal(await convert('same', 'html', 'html'), 'same');
});

test('markdown → html is sanitized, and the plain fast path keeps only safe links', async () => {
  const cases: Array<[string, RegExp]> = [
    ['[x](javascript:alert(1))', /^<p><a>x<\/a><\/p>/u],
    ['[x](JaVaScRiPt:alert(1))', /^<p><a>x<\/a><\/p>/u],
    ['![i](data:text/html;base64,PHNjcmlwdD4=)', /^<p><img alt="i" \/><\/p>/u],
    ['[x](//evil.example/a)', /^<p><a>x<\/a><\/p>/u],
    ['[x](https://example.com/a) [y](/relative) [z](#top) [m](mailto:a@example.com)', /href="https:\/\/example.com\/a".*href="\/relative".*href="#top".*href="mailto:a@example.com"/u],
    ['<b onclick="x()">raw</b> <script>alert(1)</script>', /^<p><b>raw<\/b> <\/p>/u],
    ['[x](jav&#x61;script:alert(1))', /^<p><a>x<\/a><\/p>/u],
  ];
  for (const [markdown, expected] of cases) {
    const html = await convert(markdown, 'markdown', 'html');
    assert.match(html, expected, `${markdown} → ${html}`);
    assert.doesNotMatch(html, /javascript:|<script|onclick|data:/iu);
  }
});

test('engines without the Markdown edges load none of marked, turndown and sanitize-html, and say so for Markdown', async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const script = `
    import { createRequire } from 'node:module';
    import { createBodyEngines } from ${JSON.stringify(new URL('../src/converter/body-engines.ts', import.meta.url).href)};
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((p) => /node_modules\\/(turndown|sanitize-html|marked)\\//u.test(p)).length;
    const light = await createBodyEngines({ markdown: false });
    const text = light.convert('<p>Hello <b>world</b></p>', 'html', 'text');
    let refused = '';
    try { light.convert('# Title', 'markdown', 'html'); } catch (error) { refused = error.code; }
    const before = loaded();
    const full = await createBodyEngines();
    console.log(JSON.stringify({ text, refused, before, after: loaded(), html: full.convert('# Title', 'markdown', 'html') }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('..', import.meta.url) });
  const result = JSON.parse(stdout) as { text: string; refused: string; before: number; after: number; html: string };
  assert.equal(result.text, 'Hello world');
  assert.equal(result.refused, 'CDO_E_NO_SUPPORT');
  assert.equal(result.before, 0, 'nothing of marked, turndown or sanitize-html was loaded');
  assert.ok(result.after > 0, 'the full engines load them (the check can see them)');
  assert.match(result.html, /<h1>Title<\/h1>/u);
});

test('a worker converts HTML, then Markdown both ways, then HTML again (one engine set for each need)', async () => {
  const { createPooledEngines } = await import('../src/converter/pooled-engines.js');
  const engines = await createPooledEngines({ threshold: 0, maxThreads: 1 });
  try {
    assert.equal(await engines.convert('<p>first</p>', 'html', 'text'), 'first');
    assert.match(await engines.convert('# Heading\n\n<script>x</script>', 'markdown', 'html'), /^<h1>Heading<\/h1>\s*$/u);
    assert.equal(await engines.convert('<h2>Back</h2>', 'html', 'markdown'), '## Back');
    const prepared = await engines.prepare({ input: '*hello*', from: 'markdown', codePage: 65001 });
    assert.ok('htmlPart' in prepared && Buffer.from(prepared.htmlPart).toString('latin1').includes('<em>hello</em>'));
    assert.equal(await engines.convert('<p>last</p>', 'html', 'text'), 'last');
    assert.equal(engines.poolStats().completed, 5, 'all five ran in the one worker');
  } finally {
    await engines.dispose();
  }
});
