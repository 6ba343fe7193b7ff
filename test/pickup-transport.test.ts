import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { NewMail } from '../src/new-mail.js';
import { Mailer } from '../src/mailer.js';
import { nextPickupName } from '../src/transports/pickup-transport.js';
import { CdoBodyFormatHTML, CdoHigh, CdoMailFormatMime } from '../src/cdo-constants.js';
import { addresses, parseMail } from './support/parse-mail.js';
import { tempDir } from './support/temp-dir.js';
import { needsPython } from './support/requirement.js';

const run = promisify(execFile);

async function fullMail(t: import('node:test').TestContext) {
  const dir = await tempDir(t);
  const pickup = join(dir, 'pickup');
  const attachment = join(dir, 'report.bin');
  const bytes = randomBytes(70_000);
  await writeFile(attachment, bytes);
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  const mail = new NewMail({ mailer });
  mail.From = 'Web Site <web@example.com>';
  mail.To = 'a@example.com; "Doe, Jane" <jane@example.com>';
  mail.Cc = 'Ünïcode Name <cc@example.com>';
  mail.Bcc = 'hidden@example.com, "Secret Two" <hidden2@example.com>';
  mail.Subject = 'Grüße — 日本語 — hello';
  mail.BodyFormat = CdoBodyFormatHTML;
  mail.MailFormat = CdoMailFormatMime;
  mail.Body = '<h1>Bonjour</h1><p>Hello <b>world</b>, ça va? <a href="https://example.com/x">the site</a></p>';
  mail.Importance = CdoHigh;
  mail.Value('Reply-To', 'sales@example.com');
  mail.AttachFile(attachment, 'Quarterly report.bin', 1);
  const result = await mail.Send();
  await mailer.close();
  return { pickup, bytes, result };
}

test('pickup: one .eml written by rename, CRLF only, envelope lines first, no Bcc header', async (t) => {
  const { pickup, result } = await fullMail(t);
  const files = await readdir(pickup);
  assert.equal(files.length, 1);
  assert.match(files[0] ?? '', /\.eml$/u, 'no temporary file left behind');
  assert.equal(result.path, join(pickup, files[0] ?? ''));
  assert.equal(result.transport, 'pickup');
  const raw = await readFile(result.path ?? '');
  const text = raw.toString('latin1');
  assert.equal(/\r(?!\n)|(?<!\r)\n/u.test(text), false, 'every line ends in CRLF');
  const lines = text.split('\r\n');
  assert.equal(lines[0], 'X-Sender: web@example.com');
  assert.deepEqual(lines.slice(1, 6), [
    'X-Receiver: a@example.com',
    'X-Receiver: jane@example.com',
    'X-Receiver: cc@example.com',
    'X-Receiver: hidden@example.com',
    'X-Receiver: hidden2@example.com',
  ]);
  const headerBlock = text.slice(0, text.indexOf('\r\n\r\n'));
  assert.equal(/^bcc:/imu.test(headerBlock), false, 'Bcc never appears in the headers');
  assert.equal(text.includes('hidden@example.com', text.indexOf('\r\n\r\n')), false);
});

test('pickup output read back by mailparser: subject, addresses, text, HTML and attachment bytes', async (t) => {
  const { result, bytes } = await fullMail(t);
  const parsed = await parseMail(await readFile(result.path ?? ''));
  assert.equal(parsed.subject, 'Grüße — 日本語 — hello');
  assert.deepEqual(addresses(parsed.from), ['web@example.com']);
  assert.equal(parsed.from?.value[0]?.name, 'Web Site');
  assert.deepEqual(addresses(parsed.to), ['a@example.com', 'jane@example.com']);
  assert.equal((Array.isArray(parsed.to) ? parsed.to[0] : parsed.to)?.value[1]?.name, 'Doe, Jane');
  assert.deepEqual(addresses(parsed.cc), ['cc@example.com']);
  assert.equal((Array.isArray(parsed.cc) ? parsed.cc[0] : parsed.cc)?.value[0]?.name, 'Ünïcode Name');
  assert.equal(parsed.bcc, undefined);
  assert.deepEqual(addresses(parsed.replyTo), ['sales@example.com']);
  assert.equal(parsed.headers.get('priority'), 'high');
  assert.match(parsed.text ?? '', /Bonjour/u);
  assert.match(parsed.text ?? '', /Hello world, ça va\? the site \[https:\/\/example\.com\/x\]/u);
  assert.doesNotMatch(parsed.text ?? '', /BONJOUR|<b>/u, 'no upper-cased headings, no tags');
  assert.equal(typeof parsed.html, 'string');
  assert.match(parsed.html as string, /<b>world<\/b>/u);
  assert.equal(parsed.attachments.length, 1);
  const [attachment] = parsed.attachments;
  assert.equal(attachment?.filename, 'Quarterly report.bin');
  assert.ok(attachment?.content.equals(bytes), 'attachment is byte-exact');
  assert.equal(parsed.messageId, result.messageId);
});

test('pickup output read back by Python\'s email package', { skip: needsPython() }, async (t) => {
  const { result, bytes } = await fullMail(t);
  const script = `
import email, sys, json, hashlib
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
parts = [p for p in msg.walk() if not p.is_multipart()]
att = [p for p in parts if p.get_filename()]
print(json.dumps({
  'subject': str(msg['subject']),
  'to': [a.addr_spec for a in msg['to'].addresses],
  'bcc': msg['bcc'],
  'types': [p.get_content_type() for p in parts],
  'att_name': att[0].get_filename(),
  'att_sha': hashlib.sha256(att[0].get_content()).hexdigest(),
  'defects': sum(len(p.defects) for p in msg.walk()),
}))`;
  const { stdout } = await run('python3', ['-c', script, result.path ?? '']);
  const report = JSON.parse(stdout) as Record<string, unknown>;
  assert.equal(report['subject'], 'Grüße — 日本語 — hello');
  assert.deepEqual(report['to'], ['a@example.com', 'jane@example.com']);
  assert.equal(report['bcc'], null);
  assert.deepEqual(report['types'], ['text/plain', 'text/html', 'application/octet-stream']);
  assert.equal(report['att_name'], 'Quarterly report.bin');
  const { createHash } = await import('node:crypto');
  assert.equal(report['att_sha'], createHash('sha256').update(bytes).digest('hex'));
  assert.equal(report['defects'], 0);
});

test('pickup names sort by time and never collide, even across a burst of sends', async (t) => {
  const dir = await tempDir(t);
  const mailer = new Mailer({ transport: `pickup:${dir}` });
  const results = await Promise.all(
    Array.from({ length: 300 }, (_, i) => {
      const mail = new NewMail({ mailer });
      mail.From = 'a@example.com';
      mail.To = 'b@example.com';
      mail.Subject = `n${i}`;
      return mail.Send();
    }),
  );
  await mailer.close();
  const files = await readdir(dir);
  assert.equal(files.length, 300);
  assert.equal(new Set(results.map((r) => r.path)).size, 300);
  const early = nextPickupName(new Date('2026-01-01T00:00:00.000Z'));
  const later = nextPickupName(new Date('2026-01-01T00:00:00.001Z'));
  const muchLater = nextPickupName(new Date('2027-06-30T12:00:00.000Z'));
  assert.deepEqual([muchLater, later, early].sort(), [early, later, muchLater]);
});

test('a text body in MIME format is one text/plain part, with bare LF turned into CRLF', async (t) => {
  const dir = await tempDir(t);
  const mailer = new Mailer({ transport: `pickup:${dir}` });
  const mail = new NewMail({ mailer });
  mail.From = 'a@example.com';
  mail.To = 'b@example.com';
  mail.MailFormat = CdoMailFormatMime;
  mail.Body = 'line one\nline two\n.\nafter a lone dot';
  const { path } = await mail.Send();
  const raw = (await readFile(path ?? '')).toString('latin1');
  assert.equal(/(?<!\r)\n/u.test(raw), false);
  const parsed = await parseMail(raw);
  assert.equal(parsed.html, false);
  assert.equal(parsed.text?.replace(/\r\n/gu, '\n').trim(), 'line one\nline two\n.\nafter a lone dot');
});
