import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { SendMailOptions } from 'nodemailer';
import { buildMimePart } from '../src/converter/mime-part.js';
import { AlternativesCache } from '../src/converter/conversion-cache.js';
import { createPooledEngines } from '../src/converter/pooled-engines.js';
import { ConverterHost } from '../src/converter/converter-host.js';
import { charsetOf, encodeInCodePage } from '../src/code-pages.js';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { parseMail } from './support/parse-mail.js';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpus', 'html');

/**
 * The message nodemailer composes, as every transport sends it: with `newline: 'windows'`
 * its own LeWindows makes every line break CRLF, as pickup, stream and memory do and as
 * SMTP's DataStream does on the wire.
 */
function compileWith(alternatives: NonNullable<SendMailOptions['alternatives']>): Promise<Buffer> {
  const mail: SendMailOptions & { newline: string } = {
    newline: 'windows',
    from: 'a@example.com',
    to: 'b@example.com',
    subject: 'parts',
    messageId: '<fixed@example.com>',
    date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    baseBoundary: 'fixed-boundary',
    alternatives,
  };
  return new MailComposer(mail).compile().build();
}

const SAMPLES: Array<{ name: string; text: string; html: string; codePage?: number; headers?: Record<string, string> }> = [
  { name: '7bit, short lines', text: 'Hello there.\nBye.', html: '<p>Hello there.</p>\n<p>Bye.</p>' },
  { name: 'long lines (quoted-printable)', text: `${'word '.repeat(60)}\n`, html: `<p>${'lorem ipsum '.repeat(80)}</p>` },
  // The same transfer encoding as the one above, but nodemailer writes charset=utf-8 for a non-ASCII text/plain string.
  { name: 'ASCII and one astral character, long lines', text: `${'word '.repeat(60)}😀\n`, html: `<p>${'lorem ipsum '.repeat(80)}😀</p>` },
  { name: 'non-ASCII long lines (quoted-printable)', text: `${'Grüße aus Köln '.repeat(30)}\n`, html: `<p>${'Grüße aus Köln '.repeat(40)}</p>` },
  { name: 'mostly non-Latin (base64)', text: 'こんにちは世界、'.repeat(40), html: `<p>${'こんにちは世界、'.repeat(40)}</p>` },
  { name: 'dots, CR/LF mixes, trailing spaces', text: '.\r\n..line\rlone CR\n  trailing   \n.', html: '<p>.</p>\r\n<p>a\r\n.b</p>  \n' },
  { name: 'empty text', text: '', html: '<p></p>' },
  { name: 'over 64 KB, spaces at slice edges', text: `${'a '.repeat(40_000)}  \n`, html: `<p>${'é \t'.repeat(30_000)}</p> ` },
  { name: 'code page 1252, Content-Base', text: 'Grüße – € 9,99', html: '<p>Grüße – € 9,99</p>', codePage: 1252, headers: { 'Content-Base': 'https://example.com/', 'Content-Location': 'index.html' } },
];
if (existsSync(CORPUS)) {
  for (const name of readdirSync(CORPUS).sort().slice(0, 8)) {
    const html = readFileSync(resolve(CORPUS, name), 'utf8');
    SAMPLES.push({ name, text: html.replace(/<[^>]*>/gu, ' '), html });
  }
}

/** A LF that is not the end of a CRLF: what nodemailer's transports would still have to rewrite. */
function hasBareLf(bytes: Buffer): boolean {
  return bytes.some((byte, i) => byte === 0x0a && bytes[i - 1] !== 0x0d);
}

test('a part built by buildMimePart is sent byte for byte as nodemailer sends the one it composes itself, its line breaks already CRLF', async () => {
  for (const sample of SAMPLES) {
    const charset = charsetOf(sample.codePage ?? 65001); // as the library writes it (UTF-8, windows-1252)
    const content = (text: string): string | Buffer => (sample.codePage === undefined ? text : encodeInCodePage(text, sample.codePage, 'Body'));
    const text = { contentType: `text/plain; charset=${charset}`, content: content(sample.text) };
    const html = { contentType: `text/html; charset=${charset}`, content: content(sample.html), ...(sample.headers === undefined ? {} : { headers: sample.headers }) };
    const composed = await compileWith([text, html]);
    const parts = [buildMimePart(text), buildMimePart(html)];
    assert.ok(!parts.some(hasBareLf), `${sample.name}: a bare LF left for the sending thread`);
    const prepared = await compileWith(parts.map((raw) => ({ raw })));
    assert.equal(prepared.toString('latin1'), composed.toString('latin1'), sample.name);
  }
});

test('the alternatives cache is bounded by entries and bytes, and keyed by body and key', () => {
  const cache = new AlternativesCache<{ bytes: number; id: string }>(3, 1_000);
  cache.set('body', 'html|65001|', { bytes: 10, id: 'utf8' });
  assert.equal(cache.get('body', 'html|1252|'), undefined, 'another code page is another entry');
  assert.equal(cache.get('body ', 'html|65001|'), undefined, 'another body is another entry');
  assert.equal(cache.get(`bo${'dy'}`, 'html|65001|')?.id, 'utf8');
  cache.set('body', 'html|1252|', { bytes: 10, id: '1252' });
  assert.equal(cache.get('body', 'html|1252|')?.id, '1252');
  assert.equal(cache.get('body', 'html|65001|')?.id, 'utf8');
  for (let i = 0; i < 10; i++) cache.set(`b${i}`, 'k', { bytes: 100, id: String(i) });
  assert.ok(cache.size <= 3, `entries ${cache.size}`);
  cache.set('big', 'k', { bytes: 900, id: 'big' });
  assert.ok(cache.bytes <= 1_000, `bytes ${cache.bytes}`);
  cache.set('too big', 'k', { bytes: 2_000, id: 'no' });
  assert.equal(cache.get('too big', 'k'), undefined, 'an entry larger than the whole cache is not kept');
  assert.equal(cache.get('big', 'k')?.id, 'big');
});

test('inline and pooled preparation give the same bytes; a repeated body is reused, a changed one never', async () => {
  const inline = await createPooledEngines({ threshold: Number.POSITIVE_INFINITY });
  const pooled = await createPooledEngines({ threshold: 0 });
  try {
    for (const sample of SAMPLES.slice(0, 6)) {
      const request = { input: sample.html, from: 'html' as const, codePage: sample.codePage ?? 65001, htmlHeaders: sample.headers };
      const a = await inline.prepare(request);
      const b = await pooled.prepare(request);
      assert.ok('textPart' in a && 'textPart' in b, sample.name);
      assert.deepEqual(Buffer.from(b.textPart), Buffer.from(a.textPart), sample.name);
      assert.deepEqual(Buffer.from(b.htmlPart), Buffer.from(a.htmlPart), sample.name);
    }
    const hits = pooled.poolStats().cacheHits;
    const request = { input: '<p>Newsletter, version 1</p>', from: 'html' as const, codePage: 65001 };
    const first = await pooled.prepare(request);
    assert.equal(await pooled.prepare({ ...request, input: `<p>Newsletter, ${'version'} 1</p>` }), first, 'an equal body is a hit');
    assert.equal(pooled.poolStats().cacheHits, hits + 1);
    const changed = await pooled.prepare({ ...request, input: '<p>Newsletter, version 2</p>' });
    assert.ok('htmlPart' in changed && Buffer.from(changed.htmlPart).toString().includes('version 2'));
    const latin = await pooled.prepare({ ...request, codePage: 1252 });
    assert.ok('htmlPart' in latin && Buffer.from(latin.htmlPart).toString().includes('charset=windows-1252'));
    const markdown = await pooled.prepare({ ...request, from: 'markdown' });
    assert.notEqual(markdown, first, 'the same source of another kind is another entry');
  } finally {
    await inline.dispose();
    await pooled.dispose();
  }
});

test('bulk sends: every message carries its own headers and the current body, parsed back', async () => {
  const host = new ConverterHost({ lingerMs: 0, createEngines: () => createPooledEngines({ threshold: 64 }) });
  const mailer = new Mailer({ transport: 'memory:', converter: host });
  const bodies = ['<p>Offer of the week: <b>apples</b></p>', '<p>Offer of the week: <b>pears</b></p>'];
  const sent: Array<{ to: string; body: string; codePage: number }> = [];
  await Promise.all(
    Array.from({ length: 60 }, async (_, i) => {
      const body = `${bodies[i % 2]!}${'<p>Seasonal fruit, picked this morning.</p>'.repeat(4)}`;
      const codePage = i % 3 === 0 ? 1252 : 65001;
      const mail = new NewMail({ mailer });
      mail.From = 'shop@example.com';
      mail.To = `c${i}@example.org`;
      mail.Subject = `Offer ${i}`;
      mail.BodyFormat = 0;
      mail.MailFormat = 0;
      mail.SetLocaleIDs(codePage);
      mail.Body = body;
      await mail.Send();
      sent.push({ to: `c${i}@example.org`, body, codePage });
    }),
  );
  assert.ok(host.stats().pool.cacheHits >= 40, `cache hits ${host.stats().pool.cacheHits}`);
  const messages = mailer.memory?.messages ?? [];
  assert.equal(messages.length, 60);
  for (const message of messages) {
    const parsed = await parseMail(message.raw);
    const to = message.envelope.to[0]!;
    const expected = sent.find((s) => s.to === to)!;
    assert.equal(parsed.subject, `Offer ${to.slice(1, to.indexOf('@'))}`);
    assert.equal(parsed.html, expected.body, to);
    assert.match(parsed.text ?? '', expected.body.includes('apples') ? /apples/u : /pears/u);
    assert.match(message.raw.toString('latin1'), expected.codePage === 1252 ? /charset=windows-1252/iu : /charset=utf-8/iu);
  }
  await mailer.close();
  await host.close();
});

test('a chosen transfer encoding: buildMimePart writes what nodemailer composes with contentTransferEncoding', async () => {
  for (const sample of SAMPLES.slice(0, 7)) {
    for (const encoding of ['base64', 'quoted-printable', '7bit']) {
      const spec = { contentType: 'text/html; charset=utf-8', content: sample.html, headers: { ...sample.headers, 'Content-Transfer-Encoding': encoding } };
      const ours = await compileWith([{ contentType: 'text/plain; charset=utf-8', content: sample.text }, { raw: buildMimePart(spec) }]);
      const theirs = await compileWith([
        { contentType: 'text/plain; charset=utf-8', content: sample.text },
        { contentType: 'text/html; charset=utf-8', content: sample.html, headers: { ...sample.headers }, contentTransferEncoding: encoding },
      ]);
      assert.equal(ours.toString('latin1'), theirs.toString('latin1'), `${sample.name}, ${encoding}`);
    }
  }
});

test('CDO.Message takes the one hand-off: a body sent again reuses its parts; the script\'s text, encodings and HTML-only survive', async (t) => {
  const { Configuration, Message, cdoSendUsingPort, converter } = await import('../src/index.js');
  const { startSmtpSink } = await import('./support/smtp-sink.js');
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const cfg = new Configuration();
  const F = 'http://schemas.microsoft.com/cdo/configuration/';
  cfg.Fields.Item(`${F}sendusing`).Value = cdoSendUsingPort;
  cfg.Fields.Item(`${F}smtpserver`).Value = '127.0.0.1';
  cfg.Fields.Item(`${F}smtpserverport`).Value = sink.port;
  cfg.Fields.Update();
  const html = `<h1>Newsletter</h1>${'<p>Grüße aus Köln, a paragraph long enough for the worker pool.</p>'.repeat(80)}`;
  const message = (): InstanceType<typeof Message> => {
    const m = new Message();
    m.Configuration = cfg;
    m.From = 'a@example.com';
    m.To = 'b@example.com';
    m.HTMLBody = html;
    return m;
  };
  const pool = (): { completed: number; cacheHits: number } => converter.stats().pool ?? { completed: 0, cacheHits: 0 };
  const last = async (): Promise<Awaited<ReturnType<typeof parseMail>>> => parseMail(sink.messages.at(-1)?.raw ?? Buffer.alloc(0));

  const start = pool();
  const first = message();
  await first.Send();
  const before = pool();
  // TextBodyReady's text at HTMLBody time, then both parts encoded in the pool with that
  // text (not converted again, and not encoded on the sending thread).
  assert.equal(before.completed, start.completed + 2, 'two hand-offs: the text, then both parts');
  await message().Send();
  const after = pool();
  assert.equal(after.completed, before.completed, 'the same body sent again is neither converted nor encoded again');
  assert.equal(after.cacheHits, before.cacheHits + 2, 'its text (TextBodyReady) and its encoded parts came from the caches');
  let parsed = await last();
  assert.equal(parsed.text?.trim(), first.TextBody.trim(), 'the text part is the TextBody the script read');
  assert.match(String(parsed.html), /Grüße aus Köln/u);

  const own = message();
  own.TextBody = 'my own text';
  own.HTMLBodyPart.ContentTransferEncoding = 'base64';
  await own.Send();
  const raw = sink.messages.at(-1)?.raw.toString('latin1') ?? '';
  assert.match(raw, /Content-Type: text\/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64/u);
  parsed = await last();
  assert.equal(parsed.text?.trim(), 'my own text');
  assert.match(String(parsed.html), /Grüße aus Köln/u);

  const htmlOnly = new Message();
  htmlOnly.Configuration = cfg;
  htmlOnly.From = 'a@example.com';
  htmlOnly.To = 'b@example.com';
  htmlOnly.AutoGenerateTextBody = false;
  htmlOnly.HTMLBody = html;
  await htmlOnly.Send();
  parsed = await last();
  assert.match(String(parsed.html), /Grüße aus Köln/u);
  assert.doesNotMatch(sink.messages.at(-1)?.raw.toString('latin1') ?? '', /text\/plain|multipart\/alternative/u, 'one text/html part');
});
