// Classic CDOSYS scripts (../shared/reference/cdosys.md), ported line by line: the VBScript
// in a comment above the TypeScript, then assertions on what a real smtp-server received or
// what landed in a real pickup directory, read back by mailparser and Python's `email`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { SMTPServer } from 'smtp-server';
import {
  close, configure, createObject, isCdoError, transportStats, Configuration, Message,
  cdoSendUsingPickup, cdoSendUsingPort, cdoBasic, cdoNTLM, cdoDSNFailure, cdoDSNSuccess, cdoRefTypeId, cdoRefTypeLocation,
  cdoSuppressNone, cdoSuppressImages, cdoDefaults,
} from '../src/index.js';
import { TLS_CA_FIELD } from '../src/cdosys/configuration.js';
import { addresses, parseMail } from './support/parse-mail.js';
import { pythonMail } from './support/python-mail.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { tempDir } from './support/temp-dir.js';

const F = 'http://schemas.microsoft.com/cdo/configuration/';
const run = promisify(execFile);
after(() => close());

function errorCode(code: string, text?: RegExp) {
  return (e: unknown): boolean => isCdoError(e) && e.code === code && (text === undefined || text.test(e.message));
}

/** A Configuration pointing at a sink, the way scripts write it. */
function smtpConfiguration(sink: SmtpSink, extra: Record<string, unknown> = {}): Configuration {
  const cfg = createObject('CDO.Configuration');
  cfg.Fields.Item(F + 'sendusing').Value = cdoSendUsingPort;
  cfg.Fields.Item(F + 'smtpserver').Value = '127.0.0.1';
  cfg.Fields.Item(F + 'smtpserverport').Value = sink.port;
  for (const [name, value] of Object.entries(extra)) cfg.Fields.Item(name.includes(':') ? name : F + name).Value = value;
  cfg.Fields.Update();
  return cfg;
}

/** A Message to the sink, with `dir` as the attachment root for the rest of the test. */
function rootedMessage(t: TestContext, dir: string, sink: SmtpSink): Message {
  configure({ attachmentRoot: dir });
  t.after(() => configure({ attachmentRoot: undefined as unknown as string }));
  const m = new Message();
  m.Configuration = smtpConfiguration(sink);
  m.From = 'a@example.com';
  m.To = 'b@example.com';
  return m;
}

test('authenticated SMTP through Configuration fields; a refused logon is 0x80040215 with the CDOSYS text', async (t) => {
  const sink = await startSmtpSink({ auth: { user: 'shop', pass: 's3cret' } });
  t.after(() => sink.close());
  // Set cfg = CreateObject("CDO.Configuration")
  // With cfg.Fields
  //   .Item(cdoSendUsingMethod) = cdoSendUsingPort : .Item(cdoSMTPServer) = "127.0.0.1"
  //   .Item(cdoSMTPAuthenticate) = cdoBasic : .Item(cdoSendUserName) = "shop" : .Item(cdoSendPassword) = "s3cret"
  //   .Update
  // End With
  const cfg = smtpConfiguration(sink, { smtpauthenticate: cdoBasic, sendusername: 'shop', sendpassword: 's3cret' });
  assert.equal(cfg.Fields.Item(F + 'sendpassword').Value, '', 'sendpassword is write-only');
  // Set m = CreateObject("CDO.Message") : Set m.Configuration = cfg
  // m.From = "shop@example.com" : m.To = "a@example.com" : m.Subject = "Order 42" : m.TextBody = "Thanks" : m.Send
  const m = createObject('CDO.Message');
  m.Configuration = cfg;
  m.From = 'shop@example.com';
  m.To = 'a@example.com';
  m.Subject = 'Order 42';
  m.TextBody = 'Thanks';
  const result = await m.Send();
  assert.equal(sink.messages.length, 1);
  assert.deepEqual(sink.messages[0]?.to, ['a@example.com']);
  const parsed = await parseMail(sink.messages[0]?.raw ?? Buffer.alloc(0));
  assert.equal(parsed.subject, 'Order 42');
  assert.equal(parsed.text?.trim(), 'Thanks');
  assert.equal(parsed.messageId, result.messageId);
  const stats = transportStats().find((p) => p.settings['port'] === sink.port);
  assert.ok(stats, 'the pool is listed');
  assert.equal(stats.settings['user'], 'shop');
  assert.ok(!JSON.stringify(transportStats()).includes('s3cret'), 'no secret in transportStats()');

  const bad = createObject('CDO.Message');
  bad.Configuration = smtpConfiguration(sink, { smtpauthenticate: cdoBasic, sendusername: 'shop', sendpassword: 'wrong' });
  bad.From = 'shop@example.com';
  bad.To = 'a@example.com';
  bad.TextBody = 'x';
  await assert.rejects(bad.Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_AUTHENTICATION_FAILURE' && e.number === -2147220971 && e.message.startsWith('The server rejected the logon attempt due to authentication failure.'));
});

async function certificate(dir: string): Promise<{ key: string; cert: string }> {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
  return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
}

test('smtpusessl: STARTTLS required on a plain port, implicit TLS on 465, on a certificate made for the test', async (t) => {
  const dir = await tempDir(t);
  const { key, cert } = await certificate(dir);
  // STARTTLS on an ephemeral port: the server must offer it, and the session is encrypted.
  let secured = false;
  const starttls = await startSmtpSink({ server: { key, cert, disabledCommands: ['AUTH'], onSecure: (_s, _sess, cb) => ((secured = true), cb()) } });
  t.after(() => starttls.close());
  const m = new Message();
  m.Configuration = smtpConfiguration(starttls, { smtpusessl: true, [TLS_CA_FIELD]: cert });
  m.From = 'a@example.com';
  m.To = 'b@example.com';
  m.TextBody = 'over STARTTLS';
  await m.Send();
  assert.ok(secured, 'the session was upgraded with STARTTLS');
  assert.equal(starttls.messages.length, 1);

  // A server without STARTTLS is refused when smtpusessl is on: never a silent plain-text send.
  const plain = await startSmtpSink();
  t.after(() => plain.close());
  const refused = new Message();
  refused.Configuration = smtpConfiguration(plain, { smtpusessl: -1, [TLS_CA_FIELD]: cert });
  refused.From = 'a@example.com';
  refused.To = 'b@example.com';
  refused.TextBody = 'x';
  await assert.rejects(refused.Send(), (e: unknown) => isCdoError(e) && e.code !== 'CDO_E_CALL_FAILED');
  assert.equal(plain.messages.length, 0);

  // Implicit TLS: port 465 on 127.0.0.1 (skipped when this machine cannot bind it).
  const received: string[] = [];
  const implicit = new SMTPServer({
    secure: true, key, cert, authOptional: true, disabledCommands: ['AUTH'], logger: false,
    onData(stream, _session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
      stream.on('end', () => {
        received.push(data);
        callback();
      });
    },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      implicit.once('error', reject);
      implicit.listen(465, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    t.diagnostic(`implicit TLS part skipped: ${(error as Error).message}`);
    return;
  }
  t.after(() => new Promise<void>((resolve) => implicit.close(() => resolve())));
  const tls = new Message();
  tls.Configuration = smtpConfiguration({ port: 465 } as SmtpSink, { smtpusessl: 'True', [TLS_CA_FIELD]: cert });
  tls.From = 'a@example.com';
  tls.To = 'b@example.com';
  tls.TextBody = 'implicit TLS';
  await tls.Send();
  assert.equal(received.length, 1);
  assert.match(received[0] ?? '', /implicit TLS/u);
  assert.equal(transportStats().find((p) => p.settings['port'] === 465)?.settings['tls'], 'implicit');
});

test('HTML with generated text, both bodies in either order, and the §3.2 state machine', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const dir = await tempDir(t);
  const cfg = smtpConfiguration(sink);
  // m.HTMLBody = "<h1>Hello</h1><p>World</p>" ' AutoGenerateTextBody is True by default
  const m = new Message();
  m.Configuration = cfg;
  m.From = 'a@example.com';
  m.To = 'b@example.com';
  assert.equal(m.AutoGenerateTextBody, true);
  m.HTMLBody = '<h1>Hello</h1><p>World &amp; all</p>';
  assert.equal(m.TextBody, 'Hello\n\nWorld & all', 'rule 1: setting HTMLBody overwrites TextBody at once');
  assert.equal(await m.TextBodyReady, 'Hello\n\nWorld & all', 'the converter makes the same text');
  assert.equal(m.TextBody, 'Hello\n\nWorld & all', 'TextBody reads the generated text back');
  await m.Send();
  let parsed = await parseMail(sink.messages.at(-1)?.raw ?? Buffer.alloc(0));
  assert.equal(parsed.text?.trim(), 'Hello\n\nWorld & all');
  assert.match(String(parsed.html), /<h1>Hello<\/h1>/u);
  const py = await pythonMail(sink.messages.at(-1)?.raw ?? Buffer.alloc(0), dir);
  assert.equal(py.type, 'multipart/alternative');
  assert.deepEqual(py.parts.slice(1).map((p) => p.type), ['text/plain', 'text/html']);
  assert.equal(py.defects, 0);

  // HTML first, then TextBody: the script's text wins and AutoGenerateTextBody goes off.
  const a = new Message();
  a.Configuration = cfg;
  a.From = 'a@example.com';
  a.To = 'b@example.com';
  a.HTMLBody = '<p>html</p>';
  a.TextBody = 'my own text';
  assert.equal(a.AutoGenerateTextBody, false);
  await a.Send();
  parsed = await parseMail(sink.messages.at(-1)?.raw ?? Buffer.alloc(0));
  assert.equal(parsed.text?.trim(), 'my own text');
  assert.match(String(parsed.html), /<p>html<\/p>/u);
  // TextBody first, then HTMLBody: the text survives (AutoGenerateTextBody is already off).
  const b = new Message();
  b.Configuration = cfg;
  b.From = 'a@example.com';
  b.To = 'b@example.com';
  b.TextBody = 'text first';
  b.HTMLBody = '<p>html second</p>';
  assert.equal(b.TextBody, 'text first');
  await b.Send();
  parsed = await parseMail(sink.messages.at(-1)?.raw ?? Buffer.alloc(0));
  assert.equal(parsed.text?.trim(), 'text first');
  assert.match(String(parsed.html), /html second/u);
  // AutoGenerateTextBody = False, HTMLBody only: one text/html part.
  const c = new Message();
  c.Configuration = cfg;
  c.From = 'a@example.com';
  c.To = 'b@example.com';
  c.AutoGenerateTextBody = false;
  c.HTMLBody = '<p>only html</p>';
  assert.equal(c.TextBody, '');
  await c.Send();
  const single = await pythonMail(sink.messages.at(-1)?.raw ?? Buffer.alloc(0), dir);
  assert.equal(single.type, 'text/html');
  // MimeFormatted = False: HTML forces it back on (rule 3); off again turns AutoGenerateTextBody off (rule 4).
  const d = new Message();
  d.MimeFormatted = false;
  assert.equal(d.AutoGenerateTextBody, false);
  d.HTMLBody = '<p>x</p>';
  assert.equal(d.MimeFormatted, true);
});

test('a Message is sent again after a change; each Send is a new message with its own Message-ID; GetStream is what was sent', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const m = new Message();
  m.Configuration = smtpConfiguration(sink);
  m.From = '"Ann Lee" ann@example.com';
  m.To = '"Bob Ray" bob@example.com';
  m.Subject = 'first';
  m.TextBody = 'one';
  const first = await m.Send();
  const stream = await m.GetStream();
  assert.equal(stream.ReadText(), sink.messages[0]?.raw.toString('latin1'));
  m.To = 'carol@example.com';
  m.Subject = 'second';
  const second = await m.Send();
  assert.notEqual(first.messageId, second.messageId);
  assert.deepEqual(sink.messages.map((s) => s.to), [['bob@example.com'], ['carol@example.com']]);
  const parsed = await parseMail(sink.messages[0]?.raw ?? Buffer.alloc(0));
  assert.equal(parsed.from?.value[0]?.name, 'Ann Lee');
  assert.equal(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value[0]?.name : '', 'Bob Ray');
});

test('a Japanese mail in iso-2022-jp: BodyPart.Charset for headers, TextBodyPart/HTMLBodyPart for bodies', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const dir = await tempDir(t);
  // m.BodyPart.Charset = "iso-2022-jp" : m.Subject = "ご注文ありがとうございます"
  // m.HTMLBody = "<p>日本語の本文</p>" : m.HTMLBodyPart.Charset = "iso-2022-jp"
  const m = createObject('CDO.Message') as Message & Record<string, unknown>;
  m.Configuration = smtpConfiguration(sink);
  m.From = 'shop@example.jp';
  m.To = 'kunde@example.jp';
  (m['bodypart'] as Record<string, unknown>)['charset'] = 'iso-2022-jp';
  m.Subject = 'ご注文ありがとうございます';
  m.HTMLBody = '<p>日本語の本文です。</p>';
  m.HTMLBodyPart.Charset = 'iso-2022-jp';
  m.TextBodyPart.Charset = 'ISO-2022-JP';
  await m.Send();
  const raw = sink.messages[0]?.raw ?? Buffer.alloc(0);
  assert.match(raw.toString('latin1'), /charset=ISO-2022-JP/iu);
  assert.match(raw.toString('latin1'), /=\?ISO-2022-JP\?/iu);
  const py = await pythonMail(raw, dir);
  assert.equal(py.headers['subject'], 'ご注文ありがとうございます');
  assert.equal(py.parts.find((p) => p.type === 'text/plain')?.text?.trim(), '日本語の本文です。');
  assert.equal(py.parts.find((p) => p.type === 'text/plain')?.charset, 'iso-2022-jp');
  const parsed = await parseMail(raw);
  assert.equal(parsed.subject, 'ご注文ありがとうございます');
  assert.throws(() => (m.BodyPart.Charset = 'klingon'), errorCode('CDO_E_INVALID_CHARSET', /character set is not installed/u));
});

test('CreateMHTMLBody from a local file with images and a style sheet; the suppress flags', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const dir = await tempDir(t);
  await mkdir(join(dir, 'img'));
  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e2a1a5730000000049454e44ae426082', 'hex');
  await writeFile(join(dir, 'img', 'logo.png'), png);
  await writeFile(join(dir, 'style.css'), 'p { color: red }');
  await writeFile(join(dir, 'letter.htm'), '<html><head><link rel="stylesheet" href="style.css"></head><body background="img/logo.png"><p>Dear customer</p><img src="img/logo.png" alt="logo"><img src="https://example.com/remote.png"></body></html>');
  // m.CreateMHTMLBody "file:///srv/mail/letter.htm", cdoSuppressNone
  const m = rootedMessage(t, dir, sink);
  m.Subject = 'MHTML';
  await m.CreateMHTMLBody(`file://${join(dir, 'letter.htm')}`, cdoSuppressNone);
  assert.match(m.HTMLBody, /src="cid:[0-9a-f]+@cdonts"/u);
  assert.match(m.HTMLBody, /https:\/\/example\.com\/remote\.png/u, 'absolute web links are left alone');
  assert.match(await m.TextBodyReady, /^Dear customer/u, 'setting the body generated the text (§3.2)');
  await m.Send();
  const raw = sink.messages[0]?.raw ?? Buffer.alloc(0);
  const py = await pythonMail(raw, dir);
  const image = py.parts.filter((p) => p.type === 'image/png');
  assert.equal(image.length, 1, 'the image referred to twice is one part');
  assert.equal(image[0]?.size, png.length);
  assert.ok(py.parts.some((p) => p.type === 'text/css'));
  const cid = /src="cid:([^"]+)"/u.exec(m.HTMLBody)?.[1];
  assert.equal(image[0]?.cid, `<${cid}>`);
  assert.ok(py.parts.some((p) => p.type === 'multipart/related'));
  const parsed = await parseMail(raw);
  assert.equal(parsed.attachments.find((a) => a.contentType === 'image/png')?.cid, cid);

  const suppressed = new Message();
  await suppressed.CreateMHTMLBody(join(dir, 'letter.htm'), cdoSuppressImages);
  assert.doesNotMatch(suppressed.HTMLBody, /src="cid:/u);
  assert.match(suppressed.HTMLBody, /href="cid:/u, 'style sheets are still embedded');
  await writeFile(join(dir, 'data.bin'), Buffer.from([0, 1, 2]));
  await assert.rejects(new Message().CreateMHTMLBody(join(dir, 'data.bin')), errorCode('CDO_E_INVALID_CONTENT_TYPE', /root of an MHTML message must be an HTML document/u));
  await assert.rejects(new Message().CreateMHTMLBody('http://127.0.0.1:1/x.htm'), errorCode('CDO_E_NO_ACCESS'));
});

test('AddAttachment + AddRelatedBodyPart: paths and file:// URLs, checked at once, read at Send, renamed through Fields', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const dir = await tempDir(t);
  await writeFile(join(dir, 'invoice.pdf'), '%PDF-1.4 fake');
  await writeFile(join(dir, 'logo.gif'), Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'));
  await writeFile(join(dir, 'map.gif'), Buffer.from('GIF89a\x02\x00\x02\x00', 'latin1'));
  const m = rootedMessage(t, dir, sink);
  m.HTMLBody = '<p><img src="cid:logo.gif"> <img src="map.gif"></p>';
  // Set bp = m.AddAttachment("C:\files\invoice.pdf")
  // bp.Fields("urn:schemas:mailheader:content-disposition") = "attachment; filename=""Rechnung.pdf""" : bp.Fields.Update
  const part = m.AddAttachment(join(dir, 'invoice.pdf'));
  assert.equal(part.FileName, 'invoice.pdf');
  assert.equal(part.ContentMediaType, 'application/pdf');
  part.Fields('urn:schemas:mailheader:content-disposition').Value = 'attachment; filename="Rechnung.pdf"';
  part.Fields.Update();
  m.AddAttachment(`file://${join(dir, 'logo.gif')}`);
  // m.AddRelatedBodyPart "C:\img\logo.gif", "logo.gif", cdoRefTypeId
  m.AddRelatedBodyPart(join(dir, 'logo.gif'), 'logo.gif', cdoRefTypeId);
  // A public script's pattern: cdoRefTypeLocation, then an explicit Content-ID "for Yahoo webmail".
  const map = m.AddRelatedBodyPart(join(dir, 'map.gif'), 'map.gif', cdoRefTypeLocation);
  map.Fields('urn:schemas:mailheader:Content-ID').Value = '<map.gif>';
  map.Fields.Update();
  assert.equal(m.Attachments.Count, 2);
  assert.equal(m.Attachments.Item(1).FileName, 'Rechnung.pdf');
  const names = [...m.Attachments].map((p) => p.FileName);
  assert.deepEqual(names, ['Rechnung.pdf', 'logo.gif']);
  await writeFile(join(dir, 'invoice.pdf'), '%PDF-1.4 changed after AddAttachment');
  await m.Send();
  const raw = sink.messages[0]?.raw ?? Buffer.alloc(0);
  const py = await pythonMail(raw, dir);
  assert.equal(py.type, 'multipart/mixed');
  const pdf = py.parts.find((p) => p.filename === 'Rechnung.pdf');
  assert.equal(pdf?.size, '%PDF-1.4 changed after AddAttachment'.length, 'bytes are read at Send');
  const related = py.parts.filter((p) => p.type === 'image/gif' && p.filename !== 'logo.gif' || (p.cid === '<logo.gif>'));
  assert.ok(related.some((p) => p.cid === '<logo.gif>' && p.location === null), 'cdoRefTypeId: a Content-ID, no Content-Location');
  assert.ok(py.parts.some((p) => p.location === 'map.gif' && p.cid === '<map.gif>'), 'cdoRefTypeLocation: a Content-Location, and the Content-ID the script set');
  assert.equal(py.defects, 0);
  // Attachments.Delete / DeleteAll
  m.Attachments.Delete(2);
  assert.equal(m.Attachments.Count, 1);
  m.Attachments.DeleteAll();
  assert.equal(m.Attachments.Count, 0);
  // At once: a missing file, a path outside attachmentRoot, an http URL not allowed.
  assert.throws(() => m.AddAttachment(join(dir, 'missing.pdf')), errorCode('CDO_E_NOT_FOUND'));
  assert.throws(() => m.AddAttachment('/etc/passwd'), errorCode('CDO_E_NO_ACCESS'));
  assert.throws(() => m.AddAttachment('https://example.com/a.pdf'), errorCode('CDO_E_NO_ACCESS'));
});

test('the pickup directory: smtpserverpickupdirectory, else the default one even when the default transport is SMTP', async (t) => {
  const dir = await tempDir(t);
  const explicit = join(dir, 'pickup');
  const m = new Message();
  // .Item(cdoSendUsingMethod) = cdoSendUsingPickup : .Item(cdoSMTPServerPickupDirectory) = "c:\inetpub\mailroot\pickup"
  m.Configuration.Fields.Item(F + 'sendusing').Value = cdoSendUsingPickup;
  m.Configuration.Fields.Item(F + 'smtpserverpickupdirectory').Value = explicit;
  m.Configuration.Fields.Update();
  m.From = 'a@example.com';
  m.To = 'b@example.com';
  m.Bcc = 'hidden@example.com';
  m.Subject = 'pickup';
  m.TextBody = 'into the pickup directory';
  const result = await m.Send();
  assert.equal(result.transport, 'pickup');
  const files = await readdir(explicit);
  assert.equal(files.length, 1);
  const raw = await readFile(join(explicit, files[0] ?? ''), 'latin1');
  assert.match(raw, /^X-Sender: <?a@example\.com>?\r\n/mu);
  assert.match(raw, /^X-Receiver: <?hidden@example\.com>?\r\n/mu);
  assert.doesNotMatch(raw, /^Bcc:/mu);

  // sendusing 1 without a directory: the default pickup directory, although the default transport is SMTP.
  const fallback = join(dir, 'default-pickup');
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  configure({ pickupDirectory: fallback, transport: sink.url });
  t.after(() => configure({ pickupDirectory: undefined as unknown as string, transport: 'memory:' }));
  const n = new Message();
  n.Configuration.Fields.Item(F + 'sendusing').Value = '1';
  n.Configuration.Fields.Update();
  n.From = 'a@example.com';
  n.To = 'b@example.com';
  n.TextBody = 'x';
  await n.Send();
  assert.equal((await readdir(fallback)).length, 1);
  assert.equal(sink.messages.length, 0);
  // No Configuration at all: the project's default transport, as NewMail.
  const d = new Message();
  d.From = 'a@example.com';
  d.To = 'b@example.com';
  d.TextBody = 'default';
  assert.equal((await d.Send()).transport, 'smtp');
  assert.equal(sink.messages.length, 1);
});

test('headers through Fields, Organization, Keywords, MDNRequested, importance; DSNOptions as SMTP DSN', async (t) => {
  const rcpt: Array<{ address: string; notify: unknown }> = [];
  const sink = await startSmtpSink({
    server: {
      hideDSN: false,
      onRcptTo(address, _session, callback) {
        rcpt.push({ address: address.address, notify: (address as { dsn?: { notify?: unknown } }).dsn?.notify });
        callback();
      },
    },
  });
  t.after(() => sink.close());
  const m = createObject('CDO.Message');
  m.Configuration = smtpConfiguration(sink);
  m.From = 'a@example.com';
  m.To = 'b@example.com';
  m.ReplyTo = 'reply@example.com';
  m.Subject = 'fields';
  m.TextBody = 'x';
  m.Organization = 'Example Shop';
  m.Keywords = 'order, invoice';
  m.MDNRequested = true;
  m.DSNOptions = cdoDSNFailure + cdoDSNSuccess;
  // .Fields("urn:schemas:mailheader:X-Mailer") = "Shop 2.1"
  // .Fields("urn:schemas:httpmail:importance") = 2 : .Fields("urn:schemas:mailheader:X-Custom") = "yes" : .Fields.Update
  m.Fields.Item('urn:schemas:mailheader:x-mailer').Value = 'Shop 2.1';
  m.Fields('urn:schemas:httpmail:importance').Value = 2;
  m.Fields.Item('urn:schemas:mailheader:X-Custom').Value = 'yes';
  assert.equal(m.Fields.Item('urn:schemas:mailheader:x-custom').Value, 'yes', 'pending writes read back');
  m.Fields.Update();
  assert.equal(m.Fields('urn:schemas:mailheader:subject').Value, 'fields');
  assert.equal(m.Fields('urn:schemas:httpmail:subject').Value, 'fields');
  m.Fields('urn:schemas:httpmail:subject').Value = 'through httpmail';
  m.Fields.Update();
  assert.equal(m.Subject, 'through httpmail');
  assert.throws(() => {
    m.Fields('urn:schemas:mailheader:bad').Value = 'a\r\nBcc: x@evil.example';
    m.Fields.Update();
  }, errorCode('CDO_E_INVALID_PARAMETER'));
  m.Fields.CancelUpdate();
  await m.Send();
  const parsed = await parseMail(sink.messages[0]?.raw ?? Buffer.alloc(0));
  assert.equal(parsed.headers.get('x-mailer'), 'Shop 2.1');
  assert.equal(parsed.headers.get('x-custom'), 'yes');
  assert.equal(parsed.headers.get('organization'), 'Example Shop');
  assert.equal(parsed.headers.get('keywords'), 'order, invoice');
  assert.match(sink.messages[0]?.raw.toString('latin1') ?? '', /^Importance: High\r$/mu);
  assert.deepEqual(addresses(parsed.replyTo), ['reply@example.com']);
  assert.match(String(JSON.stringify(parsed.headers.get('disposition-notification-to'))), /a@example\.com/u);
  assert.equal(parsed.subject, 'through httpmail');
  assert.deepEqual(rcpt, [{ address: 'b@example.com', notify: ['SUCCESS', 'FAILURE'] }]);
});

test('MimeFormatted = False: text only, attachments UUencoded, the HTML dropped', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.txt'), 'attached text');
  const m = new Message();
  m.Configuration = smtpConfiguration(sink);
  m.From = 'a@example.com';
  m.To = 'b@example.com';
  m.TextBody = 'plain body';
  m.AddAttachment(join(dir, 'a.txt'));
  m.MimeFormatted = false;
  await m.Send();
  const raw = sink.messages[0]?.raw.toString('latin1') ?? '';
  assert.match(raw, /^begin 644 a\.txt$/mu);
  assert.doesNotMatch(raw, /multipart/iu);
});

test('Send errors with CDOSYS codes and texts, in order: sendusing, server, From, recipients', async () => {
  const m = new Message();
  const fields = m.Configuration.Fields;
  // KB265527: a misspelled field name is a different, unknown field.
  fields.Item(F + 'sendusing').Value = 2;
  fields.Item(F + 'smtpserverr').Value = 'mail.example.com';
  fields.Update();
  assert.equal(fields.Count, 2, 'unknown names are stored');
  m.TextBody = 'x';
  await assert.rejects(m.Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_SMTP_SERVER_REQUIRED' && e.hresult === 0x8004020a && e.number === -2147220982 && e.message.startsWith('The SMTP server name is required, and was not found in the configuration source.'));
  fields.Item(F + 'sendusing').Value = 3;
  fields.Update();
  await assert.rejects(m.Send(), errorCode('CDO_E_INVALID_SEND_OPTION', /"SendUsing" configuration value is invalid/u));
  fields.Item(F + 'sendusing').Value = 2;
  fields.Item('HTTPS://schemas.microsoft.com/cdo/configuration/SMTPServer').Value = '127.0.0.1';
  fields.Item(F + 'smtpauthenticate').Value = cdoNTLM;
  fields.Update();
  await assert.rejects(m.Send(), errorCode('CDO_E_NO_SUPPORT'));
  fields.Item(F + 'smtpauthenticate').Value = 0;
  fields.Update();
  await assert.rejects(m.Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_FROM_MISSING' && e.number === -2147220979);
  m.Sender = 'sender@example.com';
  await assert.rejects(m.Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_RECIPIENT_MISSING' && e.hresult === 0x8004020c && e.number === -2147220980);
  // Load(cdoDefaults) clears the fields: back to the project's default transport.
  m.Configuration.Load(cdoDefaults);
  assert.equal(fields.Count, 0);
});

test('createObject: CDO ProgIDs in any case, members case-insensitive, Fields callable with Item, Update and Count', () => {
  const cfg = createObject('cdo.configuration') as Configuration & Record<string, unknown>;
  const fields = cfg['fields'] as Configuration['Fields'];
  fields(F + 'smtpserver').Value = 'a';
  fields.Item(F + 'sendusing').Value = 2;
  fields.Update();
  assert.equal(fields.Count, 2);
  assert.equal(cfg.Fields.Item(F + 'SMTPSERVER').Value, 'a');
  const m = createObject('CDO.MESSAGE') as Message & Record<string, unknown>;
  m['configuration'] = cfg;
  m['TO'] = new String('a@example.com');
  m['htmlbody'] = new String('<p>x</p>');
  assert.equal(m.To, 'a@example.com');
  assert.equal(m.HTMLBody, '<p>x</p>');
  assert.ok(createObject('CDO.DropDirectory'));
});

test('smtpauthenticate = cdoNTLM goes through configure({ ntlmTransport }) when the application gives one', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const asked: unknown[] = [];
  // The application's NTLM-capable transport; here a plain one to the sink, to see the hook is used with the fields' server.
  configure({ ntlmTransport: (server) => (asked.push(server), { host: server.host, port: server.port, ignoreTLS: true }) });
  t.after(() => configure({ ntlmTransport: undefined }));
  const m = new Message();
  m.Configuration = smtpConfiguration(sink, { smtpauthenticate: cdoNTLM, smtpconnectiontimeout: 7 });
  m.From = 'a@example.com';
  m.To = 'b@example.com';
  m.TextBody = 'ntlm';
  await m.Send();
  assert.deepEqual(asked, [{ host: '127.0.0.1', port: sink.port, tls: 'none', timeoutMs: 7000 }]);
  assert.equal(sink.messages.length, 1);
  assert.equal(transportStats().find((p) => p.settings['port'] === sink.port)?.settings['kind'], 'ntlm');
});

test('HTMLBody then MimeFormatted = False: the generated text is sent alone, the HTML is not', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const m = new Message();
  m.Configuration = smtpConfiguration(sink);
  m.From = 'a@example.com';
  m.To = 'b@example.com';
  m.HTMLBody = '<p>Generated <b>text</b></p>';
  m.MimeFormatted = false; // at once, before the conversion has finished
  await m.Send();
  const parsed = await parseMail(sink.messages[0]?.raw ?? Buffer.alloc(0));
  assert.equal(parsed.text?.trim(), 'Generated text');
  assert.equal(parsed.html, false);
});

test('a refused recipient is 0x8004020F with the server reply; an unreachable server is 0x80040213; the Message stays usable', async (t) => {
  const sink = await startSmtpSink({ rejectRecipient: (address) => (address.startsWith('nobody') ? { code: 550, message: 'No such user here' } : undefined) });
  t.after(() => sink.close());
  const m = new Message();
  m.Configuration = smtpConfiguration(sink);
  m.From = 'a@example.com';
  m.To = 'nobody@example.com';
  m.TextBody = 'x';
  await assert.rejects(m.Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_RECIPIENTS_REJECTED' && e.number === -2147220977 && /^The server rejected one or more recipient addresses\. The server response was: .*550 No such user here/u.test(e.message));
  m.To = 'somebody@example.com';
  await m.Send();
  assert.equal(sink.messages.length, 1);

  const closed = await startSmtpSink();
  const port = closed.port;
  await closed.close();
  const n = new Message();
  n.Configuration = smtpConfiguration({ port } as SmtpSink, { smtpconnectiontimeout: 5 });
  n.From = 'a@example.com';
  n.To = 'b@example.com';
  n.TextBody = 'x';
  await assert.rejects(n.Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_FAILED_TO_CONNECT' && e.message.startsWith('The transport failed to connect to the server.'));
});

test('ContentTransferEncoding of the text and HTML parts; a bad one is 0x800CCE1D', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const dir = await tempDir(t);
  const m = new Message();
  m.Configuration = smtpConfiguration(sink);
  m.From = 'a@example.com';
  m.To = 'b@example.com';
  m.HTMLBody = '<p>Grüße</p>';
  m.TextBody = 'Grüße';
  // m.TextBodyPart.ContentTransferEncoding = "base64" : m.HTMLBodyPart.ContentTransferEncoding = "quoted-printable"
  m.TextBodyPart.ContentTransferEncoding = 'BASE64';
  m.HTMLBodyPart.ContentTransferEncoding = 'quoted-printable';
  assert.equal(m.TextBodyPart.ContentTransferEncoding, 'base64');
  assert.throws(() => (m.TextBodyPart.ContentTransferEncoding = 'rot13'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_ENCODING_TYPE' && e.hresult === 0x800cce1d);
  await m.Send();
  const raw = sink.messages[0]?.raw.toString('latin1') ?? '';
  assert.match(raw, /Content-Type: text\/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64/iu);
  assert.match(raw, /Content-Type: text\/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable/u);
  const py = await pythonMail(sink.messages[0]?.raw ?? Buffer.alloc(0), dir);
  assert.equal(py.parts.find((p) => p.type === 'text/plain')?.text, 'Grüße');
});
