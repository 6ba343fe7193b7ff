import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { NewMail } from '../src/new-mail.js';
import { Mailer } from '../src/mailer.js';
import { CdoEncodingBase64, CdoEncodingUUencode, CdoMailFormatText } from '../src/cdo-constants.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { parseMail } from './support/parse-mail.js';
import { tempDir } from './support/temp-dir.js';
import { needsPython } from './support/requirement.js';

const run = promisify(execFile);

function memory(): { mail: NewMail; raw: () => Buffer } {
  const mailer = new Mailer({ transport: 'memory:' });
  const mail = new NewMail({ mailer });
  mail.From = 'a@example.com';
  mail.To = 'b@example.com';
  return { mail, raw: () => mailer.memory?.messages.at(-1)?.raw ?? Buffer.alloc(0) };
}

test('MailFormat Text: UUencoded attachments decode byte-exact with Python\'s binascii', { skip: needsPython() }, async (t: TestContext) => {
  const dir = await tempDir(t);
  const files = { 'data.bin': randomBytes(10_007), 'empty.txt': Buffer.alloc(0), 'small.txt': Buffer.from('hi\n') };
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
  const { mail, raw } = memory();
  mail.MailFormat = CdoMailFormatText;
  mail.Body = 'See the attached files.';
  mail.AttachFile(join(dir, 'data.bin'));
  mail.AttachFile(join(dir, 'empty.txt'), 'empty.txt', CdoEncodingUUencode);
  mail.AttachFile(join(dir, 'small.txt'), 'renamed.txt');
  await mail.Send();
  const message = raw();
  assert.match(message.toString('latin1'), /^Content-Type: text\/plain/mu);
  assert.doesNotMatch(message.toString('latin1'), /multipart/u);
  const script = `
import sys, email, binascii, hashlib, json
from email import policy
msg = email.message_from_bytes(open(sys.argv[1], 'rb').read(), policy=policy.default)
body = msg.get_content()
out, name, data = {}, None, None
for line in body.splitlines():
    if line.startswith('begin '):
        name, data = line.split(' ', 2)[2], b''
    elif line == 'end':
        out[name] = hashlib.sha256(data).hexdigest(); name = None
    elif name is not None and line != '\`':
        data += binascii.a2b_uu(line)
print(json.dumps({'files': out, 'intro': body.splitlines()[0]}))`;
  const path = join(dir, 'message.eml');
  await writeFile(path, message);
  const { stdout } = await run('python3', ['-c', script, path]);
  const result = JSON.parse(stdout) as { files: Record<string, string>; intro: string };
  assert.equal(result.intro, 'See the attached files.');
  const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
  assert.deepEqual(result.files, { 'data.bin': sha(files['data.bin']), 'empty.txt': sha(files['empty.txt']), 'renamed.txt': sha(files['small.txt']) });
});

test('MailFormat Text with an HTML or Markdown body sends its text rendering only', async () => {
  for (const [format, body] of [['html', '<h1>Title</h1><p>Para <b>bold</b></p>'], ['markdown', '# Title\n\nPara **bold**']] as const) {
    const { mail, raw } = memory();
    mail.BodyFormat = format;
    mail.Body = body;
    await mail.Send();
    const parsed = await parseMail(raw());
    assert.equal(parsed.html, false, format);
    assert.equal(parsed.text?.trim(), 'Title\n\nPara bold');
  }
});

test('a Base64 attachment switches a Text message to MIME, as in CDONTS', async (t: TestContext) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.pdf'), '%PDF-1.4');
  const { mail, raw } = memory();
  mail.AttachFile(join(dir, 'a.pdf'), undefined, CdoEncodingBase64);
  await mail.Send();
  const parsed = await parseMail(raw());
  assert.equal(parsed.attachments[0]?.contentType, 'application/pdf');
  assert.match(raw().toString(), /Content-Transfer-Encoding: base64/u);
});

test('attachment names: non-ASCII and quotes are encoded (RFC 2231), path parts reduced to the base name', async (t: TestContext) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'x.bin'), 'x');
  const { mail, raw } = memory();
  mail.MailFormat = 0;
  mail.AttachFile(join(dir, 'x.bin'), 'Résumé "final" – 日本.docx');
  mail.AttachFile(join(dir, 'x.bin'), '..\\..\\Windows\\win.ini');
  mail.AttachFile(join(dir, 'x.bin'), '../../etc/passwd');
  assert.throws(() => mail.AttachFile(join(dir, 'x.bin'), 'bad\r\nname'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER');
  assert.throws(() => mail.AttachFile(join(dir, 'x.bin'), 'dir/'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER');
  await mail.Send();
  const parsed = await parseMail(raw());
  assert.deepEqual(parsed.attachments.map((a) => a.filename), ['Résumé "final" – 日本.docx', 'win.ini', 'passwd']);
  assert.equal(parsed.attachments[0]?.contentType, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  assert.match(raw().toString(), /filename\*0?\*=utf-8''/iu);
});

test('AttachURL with cid: the HTML that says src="cid:logo.png" gets that Content-ID', async (t: TestContext) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'logo.png'), 'png-bytes');
  const { mail, raw } = memory();
  mail.MailFormat = 0;
  mail.BodyFormat = 'html';
  mail.Body = '<p><img src="cid:logo.png"></p>';
  mail.AttachURL(join(dir, 'logo.png'), 'logo.png', 'http://www.example.com/img/');
  await mail.Send();
  const text = raw().toString();
  assert.match(text, /^Content-Id: <logo\.png>\r$/imu);
  assert.match(text, /^Content-Location: logo\.png\r$/mu);
  assert.match(text, /^Content-Base: http:\/\/www\.example\.com\/img\/\r$/mu);
  const parsed = await parseMail(raw());
  assert.equal(parsed.attachments[0]?.cid, 'logo.png');
  assert.equal(parsed.attachments[0]?.related, true);
});

test('ContentBase and ContentLocation label the HTML body part', async () => {
  const { mail, raw } = memory();
  mail.MailFormat = 0;
  mail.BodyFormat = 0;
  mail.ContentBase = 'http://host/graphs/';
  mail.ContentLocation = 'Jul1998/21Jul98/';
  mail.Body = '<IMG SRC=today.gif>';
  assert.equal(mail.ContentBase, 'http://host/graphs/');
  await mail.Send();
  const text = raw().toString();
  const htmlPart = text.slice(text.indexOf('Content-Type: text/html'));
  assert.match(htmlPart, /^Content-Base: http:\/\/host\/graphs\/\r$/mu);
  assert.match(htmlPart, /^Content-Location: Jul1998\/21Jul98\/\r$/mu);
  assert.throws(() => (mail.ContentBase = 'x\r\ny'), (e: unknown) => isCdoError(e));
});

test('AttachURL validates like AttachFile', async (t: TestContext) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, 'a.gif'), 'gif');
  const { mail } = memory();
  assert.throws(() => mail.AttachURL(join(dir, 'missing.gif'), 'a.gif'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_NOT_FOUND');
  assert.throws(() => mail.AttachURL('http://example.com/a.gif', 'a.gif'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_NO_ACCESS');
  assert.throws(() => mail.AttachURL(join(dir, 'a.gif'), ''), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER');
  assert.throws(() => mail.AttachURL(join(dir, 'a.gif'), 'a.gif\r\nX: y'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER');
});

test('repeated Value headers are all written, in order', async () => {
  const { mail, raw } = memory();
  mail.Value('X-Tag', 'one');
  mail.Value('X-Tag', 'two');
  mail.Value('Comments', 'Grüße');
  await mail.Send();
  const text = raw().toString();
  assert.ok(text.indexOf('X-Tag: one') < text.indexOf('X-Tag: two') && text.includes('X-Tag: two'));
  assert.match(text, /^Comments: =\?UTF-8\?Q\?Gr=C3=BC=C3=9Fe\?=\r$/mu, 'non-ASCII values are RFC 2047 encoded');
});
