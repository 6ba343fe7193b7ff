// RTF as a first-class body: the converter's rtf edges, NewMail.BodyFormat = 'rtf' and
// compressed RTF bytes as a Body (sent to a real SMTP sink, read back by mailparser), and
// `cdonts convert` (the built CLI, bytes on stdin and stdout).
import assert from 'node:assert/strict';
import { execFile, type ExecFileException } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { ConverterHost } from '../src/converter/converter-host.js';
import { createPooledEngines } from '../src/converter/pooled-engines.js';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { compressRtfSync } from '../src/rtf/compress-rtf.js';
import { encapsulateHtml, encapsulateText } from '../src/rtf/encapsulate-rtf.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { extractInlineImages, MAX_INLINE_IMAGES } from '../src/inline-images.js';
import { parseMail } from './support/parse-mail.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { tempDir } from './support/temp-dir.js';
import { cpuMsSince } from './support/cpu-time.js';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'cdonts.js');

const OUTLOOK_HTML = '<html><head><style>p { margin: 0 }</style></head><body>\r\n<p>Dear <b>Ann</b>,</p>\r\n<p>the invoice is attached: \u20ac 120.</p>\r\n</body></html>';
const PLAIN_RTF = String.raw`{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Arial;}}\pard Hello {\b bold} caf\'e9\par Second line\par}`;

function badData(error: unknown): boolean {
  return isCdoError(error) && error.code === 'CDO_E_BAD_DATA';
}

test('every edge of the converter speaks rtf, inline and in the worker pool', async () => {
  for (const threshold of [Infinity, 0]) {
    const host = new ConverterHost({ lingerMs: 0, createEngines: () => createPooledEngines({ threshold }) });
    const lease = await host.acquire();
    try {
      const rtf = await lease.convert(OUTLOOK_HTML, 'html', 'rtf');
      assert.match(rtf, /^\{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 /u);
      assert.equal(await lease.convert(rtf, 'rtf', 'html'), OUTLOOK_HTML);
      assert.match(await lease.convert(rtf, 'rtf', 'text'), /Dear Ann,\n\nthe invoice is attached: € 120\./u);
      assert.match(await lease.convert(rtf, 'rtf', 'markdown'), /Dear \*\*Ann\*\*,/u);

      const text = 'Line one\r\nLine two {x}\r\n';
      const textRtf = await lease.convert(text, 'text', 'rtf');
      assert.match(textRtf, /\\fromtext /u);
      assert.equal(await lease.convert(textRtf, 'rtf', 'text'), text, 'encapsulated text comes back exactly');
      assert.match(await lease.convert(textRtf, 'rtf', 'html'), /Line one<br>\s*Line two \{x\}/u);

      const mdRtf = await lease.convert('# Title\n\nSome *words*.', 'markdown', 'rtf');
      assert.match(await lease.convert(mdRtf, 'rtf', 'html'), /<h1>Title<\/h1>\s*<p>Some <em>words<\/em>\.<\/p>/u);

      assert.match(await lease.convert(PLAIN_RTF, 'rtf', 'html'), /Hello <b>bold<\/b> café/u);
      assert.match(await lease.convert(PLAIN_RTF, 'rtf', 'text'), /Hello bold café\n+Second line/u);

      // Compressed RTF, as bytes or as a Latin-1 string.
      const compressed = compressRtfSync(Buffer.from(rtf, 'latin1'));
      assert.equal(await lease.convert(compressed, 'rtf', 'html'), OUTLOOK_HTML);
      assert.equal(await lease.convert(Buffer.from(compressed).toString('latin1'), 'rtf', 'html'), OUTLOOK_HTML);
      const damaged = Uint8Array.from(compressed);
      damaged[20] = (damaged[20] ?? 0) ^ 0xff;
      await assert.rejects(lease.convert(damaged, 'rtf', 'html'), badData);
      await assert.rejects(lease.convert('Just some text', 'rtf', 'html'), badData);
    } finally {
      await lease.release();
      await host.close();
    }
  }
});

test('fuzz through the converter: any bytes given as rtf give HTML and text or a typed error, in bounded time', async () => {
  const host = new ConverterHost({ lingerMs: 0 });
  const lease = await host.acquire();
  const valid = compressRtfSync(Buffer.from(encapsulateHtml(OUTLOOK_HTML), 'latin1'));
  const mutatedStream = fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }).map((edits) => {
    const bytes = Uint8Array.from(valid);
    for (const [at, value] of edits) bytes[at] = value;
    return bytes;
  });
  const rtfish = fc.string({ unit: fc.constantFrom('{', '}', '\\', 'rtf1', 'par', 'u', '-', '9', "'", 'e', ' ', '*', 'pict', 'field'), maxLength: 400 }).map((body) => Buffer.from(`{\\rtf1 ${body}`, 'latin1'));
  try {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 600 }), mutatedStream, rtfish), async (bytes) => {
        const started = process.cpuUsage();
        for (const to of ['html', 'text'] as const) {
          try {
            assert.equal(typeof (await lease.convert(bytes, 'rtf', to)), 'string');
          } catch (error) {
            // A header may claim more than the 16 MiB cap: refused before anything is allocated.
            assert.ok(isCdoError(error) && (error.code === 'CDO_E_BAD_DATA' || error.code === 'CDO_E_STRING_TOO_LONG'), `unexpected ${String(error)}`);
          }
        }
        assert.ok(cpuMsSince(started) < 3_000, 'hang guard (CPU time)');
      }),
      { numRuns: 400 },
    );
  } finally {
    await lease.release();
    await host.close();
  }
});

test('BodyFormat "rtf": an Outlook body goes out as HTML with its text alternative', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const mailer = new Mailer({ transport: sink.url });
  t.after(() => mailer.close());

  const mail = new NewMail({ mailer });
  mail.From = 'outlook@example.com';
  mail.To = 'ann@example.com';
  mail.Subject = 'Invoice';
  mail.MailFormat = 0;
  mail.BodyFormat = 'rtf';
  mail.Body = encapsulateHtml(OUTLOOK_HTML);
  await mail.Send();

  const parsed = await parseMail(sink.messages[0]?.raw ?? '');
  assert.equal(parsed.html, OUTLOOK_HTML.replace(/\r\n/gu, '\n'), 'mailparser gives line breaks as LF');
  assert.match(parsed.text ?? '', /Dear Ann,\n\nthe invoice is attached: € 120\./u);
  assert.doesNotMatch(sink.messages[0]?.raw.toString('latin1') ?? '', /\\rtf1/u, 'no RTF leaves the library');
});

test('compressed RTF bytes as the Body (PR_RTF_COMPRESSED): BodyFormat becomes rtf; damage is refused at once', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const mailer = new Mailer({ transport: sink.url });
  t.after(() => mailer.close());

  const text = 'Plain text from Outlook\r\nwith two lines \u2014 and a dash.\r\n';
  const mail = new NewMail({ mailer });
  mail.From = 'outlook@example.com';
  mail.To = 'ann@example.com';
  mail.MailFormat = 0;
  mail.Body = compressRtfSync(Buffer.from(encapsulateText(text), 'latin1'));
  assert.equal(mail.BodyFormat, 'rtf');
  assert.match(mail.Body, /^\{\\rtf1/u);
  await mail.Send();
  const parsed = await parseMail(sink.messages[0]?.raw ?? '');
  assert.equal(parsed.text, text.replace(/\r\n/gu, '\n'));
  assert.match(parsed.html || '', /Plain text from Outlook<br>\s*with two lines — and a dash\./u);

  const broken = new NewMail({ mailer });
  const bytes = compressRtfSync(Buffer.from(PLAIN_RTF, 'latin1'));
  assert.throws(() => (broken.Body = bytes.subarray(0, bytes.length - 3)), badData);
  assert.equal(broken.Body, '', 'a refused Body leaves the old one');
});

test('a plain RTF picture becomes an inline image part', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const mailer = new Mailer({ transport: sink.url });
  t.after(() => mailer.close());
  // A 1×1 PNG, hex-encoded as WordPad writes pictures.
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000000500010d0a2db40000000049454e44ae426082', 'hex');
  const mail = new NewMail({ mailer });
  mail.From = 'pad@example.com';
  mail.To = 'ann@example.com';
  mail.MailFormat = 0;
  mail.BodyFormat = 'rtf';
  mail.Body = `{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}\\pard Look: {\\pict\\pngblip\\picw1\\pich1\\picwgoal15\\pichgoal15 ${png.toString('hex')}}\\par}`;
  await mail.Send();
  const parsed = await parseMail(sink.messages[0]?.raw ?? '');
  const image = parsed.attachments.find((a) => a.contentType === 'image/png');
  assert.ok(image, 'the picture is a MIME part');
  assert.deepEqual(image.content, png);
  assert.match(parsed.html || '', new RegExp(`<img [^>]*src="cid:${(image.cid ?? '').replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}"`, 'u'));
});

interface Run {
  code: number;
  stdout: Buffer;
  stderr: string;
}

function cdonts(args: string[], input: Uint8Array | string = ''): Promise<Run> {
  return new Promise((resolvePromise) => {
    const child = execFile(process.execPath, [BIN, ...args], { encoding: 'buffer', timeout: 20_000 }, (error, stdout, stderr) => {
      resolvePromise({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr: stderr.toString('utf8') });
    });
    child.stdin?.end(input);
  });
}

test('cdonts convert: every kind on stdin/stdout or a file, compressed RTF in and out, one-line errors', async (t) => {
  const toRtf = await cdonts(['convert', '--from', 'html', '--to', 'rtf'], OUTLOOK_HTML);
  assert.equal(toRtf.code, 0, toRtf.stderr);
  const back = await cdonts(['convert', '--from', 'rtf', '--to', 'html'], toRtf.stdout);
  assert.equal(back.stdout.toString('utf8'), OUTLOOK_HTML);

  const compressed = await cdonts(['convert', '--from', 'html', '--to', 'rtf', '--compress'], OUTLOOK_HTML);
  assert.equal(compressed.stdout.subarray(8, 12).toString('latin1'), 'LZFu');
  const dir = await tempDir(t);
  const file = join(dir, 'body.bin');
  await writeFile(file, compressed.stdout);
  const text = await cdonts(['convert', '--from', 'rtf', '--to', 'text', file]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout.toString('utf8'), /Dear Ann,\n\nthe invoice is attached: € 120\./u);

  const md = await cdonts(['convert', '--from', 'markdown', '--to', 'html'], '# Hi');
  assert.equal(md.stdout.toString('utf8').trim(), '<h1>Hi</h1>');

  const damaged = Buffer.from(compressed.stdout);
  damaged[30] = (damaged[30] ?? 0) ^ 0x55;
  const bad = await cdonts(['convert', '--from', 'rtf', '--to', 'html'], damaged);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^cdonts: CDO_E_BAD_DATA: .+\n$/u);
  const usage = await cdonts(['convert', '--from', 'pdf', '--to', 'html']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--from must be one of html, markdown, text, rtf/u);
  const missing = await cdonts(['convert', '--from', 'rtf', '--to', 'html', join(dir, 'nope.rtf')]);
  assert.equal(missing.code, 3);
});

test('hostile RTF bodies: bounded expansion, no backtracking, leading bytes, look-alike streams', async () => {
  const host = new ConverterHost({ lingerMs: 0 });
  const lease = await host.acquire();
  try {
    // An empty nested cell opens eight tables: refused once the model outgrows the input.
    const amplifier = `{\\rtf1 ${'\\itap8\\nestcell\\itap0\\par'.repeat(2000)}}`;
    await assert.rejects(lease.convert(amplifier, 'rtf', 'html'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_STRING_TOO_LONG');
    // Markup that would make a loose <img …> pattern backtrack: no image, the text kept.
    const images = extractInlineImages(`<p>${'<img '.repeat(50_000)}</p><img src="data:image/png;base64,iVBORw0KGgo=" alt="">`);
    assert.equal(images.images.length, 1);
    assert.ok(images.html.startsWith('<p><img <img '));
    // A leading space or a UTF-8 byte order mark does not hide \fromhtml1.
    const outlook = encapsulateHtml('<p>See <a href="https://example.com/">the site</a></p>');
    assert.equal(await lease.convert(` ${outlook}`, 'rtf', 'html'), '<p>See <a href="https://example.com/">the site</a></p>');
    assert.equal(await lease.convert(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(outlook, 'latin1')]), 'rtf', 'html'), '<p>See <a href="https://example.com/">the site</a></p>');
    // RTF that happens to say LZFu or MELA where a stream header has its type is still RTF.
    assert.match(await lease.convert('{\\rtf1 {LZFu is a codec}}', 'rtf', 'html'), /LZFu is a codec/u);
    assert.match(await lease.convert(Buffer.from('{\\rtf1 {MELANIE}}'), 'rtf', 'text'), /MELANIE/u);
    // Mis-nested formatting tags: linear, and still exact.
    const tags = `${'<b>'.repeat(20_000)}x${'</i>'.repeat(20_000)}${'</b>'.repeat(3)}`;
    assert.equal(await lease.convert(await lease.convert(tags, 'html', 'rtf'), 'rtf', 'html'), tags);
  } finally {
    await lease.release();
    await host.close();
  }
});

test('NewMail refuses bytes that are not RTF when they are assigned', () => {
  const mail = new NewMail({ mailer: new Mailer({ transport: 'memory:' }) });
  assert.throws(() => (mail.Body = Buffer.from('hello')), badData);
  mail.Body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{\\rtf1 hi}')]);
  assert.equal(mail.Body, '{\\rtf1 hi}');
});

test('cdonts send --format rtf --body: characters typed on the command line stay characters', async () => {
  const run = await cdonts(['send', '--dry-run', '--from', 'a@example.com', '--to', 'b@example.com', '--format', 'rtf', '--body', '{\\rtf1\\ansi\\ansicpg1251 caf\u00e9 \u0436 \ud83d\ude00}']);
  assert.equal(run.code, 0, run.stderr);
  const parsed = await parseMail(run.stdout);
  assert.match(parsed.text ?? '', /café ж 😀/u);
});

test('second review: streams that start with "{", rtf → rtf, table text, shared pictures, \\_', async () => {
  const host = new ConverterHost({ lingerMs: 0 });
  const lease = await host.acquire();
  try {
    // A stream whose COMPSIZE ends in 0x7b starts with "{": still a stream.
    let stream: Uint8Array | undefined;
    let text = '';
    for (let n = 0; stream === undefined; n++) {
      text = `Note ${'x'.repeat(n)} ${n}\r\n`;
      const candidate = compressRtfSync(Buffer.from(encapsulateText(text), 'latin1'));
      if (candidate[0] === 0x7b) stream = candidate;
    }
    assert.equal(await lease.convert(stream, 'rtf', 'text'), text);
    const mail = new NewMail({ mailer: new Mailer({ transport: 'memory:' }) });
    mail.Body = stream;
    assert.equal(mail.BodyFormat, 'rtf');

    // rtf → rtf reads the input: compressed comes out plain, non-RTF is refused.
    assert.equal(await lease.convert(stream, 'rtf', 'rtf'), encapsulateText(text));
    await assert.rejects(lease.convert('hello', 'rtf', 'rtf'), badData);

    // The text alternative of an RTF table keeps its cells apart.
    const table = '{\\rtf1 \\trowd\\cellx1000\\cellx2000\\pard\\intbl Name\\cell Qty\\cell\\row\\trowd\\cellx1000\\cellx2000\\pard\\intbl Apples\\cell 3\\cell\\row\\pard after\\par}';
    assert.match(await lease.convert(table, 'rtf', 'text'), /Name +Qty\nApples +3/u);

    // In a document \_ is a non-breaking hyphen, not an invisible soft one.
    assert.match(await lease.convert('{\\rtf1 Call 555\\_1234\\par}', 'rtf', 'html'), /555\u20111234/u);
  } finally {
    await lease.release();
    await host.close();
  }

  // One part per distinct picture, and no more than MAX_INLINE_IMAGES of them.
  const png = (n: number) => `<img src="data:image/png;base64,${Buffer.from(`png ${n}`).toString('base64')}" alt="">`;
  const shared = extractInlineImages(`${png(1)}${png(2)}${png(1)}`);
  assert.equal(shared.images.length, 2);
  assert.equal((shared.html.match(/cid:image1\./gu) ?? []).length, 2);
  const many = extractInlineImages(Array.from({ length: MAX_INLINE_IMAGES + 5 }, (_, i) => png(i)).join(''));
  assert.equal(many.images.length, MAX_INLINE_IMAGES);
  assert.equal((many.html.match(/src="data:/gu) ?? []).length, 5, 'the rest stay in the HTML, not lost');
});

test('cdonts convert: a byte order mark is not content; a reader that stops early gets no stack trace', async () => {
  const md = await cdonts(['convert', '--from', 'markdown', '--to', 'html'], Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('# Title')]));
  assert.equal(md.stdout.toString('utf8').trim(), '<h1>Title</h1>');

  const big = `<p>${'word '.repeat(400_000)}</p>`;
  // The 20 s timeout is the hang detector: a CLI still running then is killed, and fails here.
  const outcome = await new Promise<{ error: ExecFileException | null; stderr: string }>((resolvePromise) => {
    const child = execFile(process.execPath, [BIN, 'convert', '--from', 'html', '--to', 'text'], { encoding: 'buffer', timeout: 20_000 }, (error, _stdout, err) => resolvePromise({ error, stderr: err.toString('utf8') }));
    child.stdout?.once('data', () => child.stdout?.destroy());
    child.stdin?.end(big);
  });
  assert.equal(outcome.error?.killed ?? false, false, 'the CLI hung after its reader went away');
  assert.equal(outcome.error?.signal ?? null, null, 'the CLI was ended by a signal');
  assert.equal(outcome.error, null, `the CLI exits 0 when its reader stops early: ${outcome.error?.message ?? ''}`);
  assert.equal(outcome.stderr, '', 'quiet: nothing on stderr');
});
