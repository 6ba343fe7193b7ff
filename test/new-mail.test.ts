import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { NewMail } from '../src/new-mail.js';
import { Mailer } from '../src/mailer.js';
import { isCdoError, type CdoError } from '../src/errors/cdo-error.js';
import { CdoBodyFormatHTML, CdoBodyFormatText, CdoHigh, CdoLow, CdoMailFormatMime, CdoMailFormatText, CdoNormal } from '../src/cdo-constants.js';
import { parseMail, addresses } from './support/parse-mail.js';
import { tempDir } from './support/temp-dir.js';

function code(expected: string) {
  return (error: unknown): boolean => {
    assert.ok(isCdoError(error), `expected a CdoError, got ${String(error)}`);
    assert.equal(error.code, expected, error.message);
    return true;
  };
}

function memoryMail(): { mail: NewMail; mailer: Mailer } {
  const mailer = new Mailer({ transport: 'memory:' });
  return { mail: new NewMail({ mailer }), mailer };
}

test('defaults are those of CDONTS', () => {
  const mail = new NewMail();
  assert.equal(mail.BodyFormat, CdoBodyFormatText);
  assert.equal(mail.MailFormat, CdoMailFormatText);
  assert.equal(mail.Importance, CdoNormal);
  assert.equal(mail.Version, '1.2');
  assert.equal(mail.Subject, '');
  assert.equal(mail.To, '');
});

test('recipient lists accept ; or , with quotes, display names and trailing separators', () => {
  const mail = new NewMail();
  mail.To = 'a@example.com; "Doe, Jane" <jane@example.com>;';
  assert.equal(mail.To, 'a@example.com, "Doe, Jane" <jane@example.com>');
  mail.Cc = 'Duck Newsletter<newsletter@duck.com>, paulelling@yahoo.com (Paul Elling)';
  assert.equal(mail.Cc, '"Duck Newsletter" <newsletter@duck.com>, "Paul Elling" <paulelling@yahoo.com>');
  mail.To = 'b@example.com'; // last assignment wins
  assert.equal(mail.To, 'b@example.com');
  mail.Bcc = '';
  assert.equal(mail.Bcc, '');
});

test('bad addresses are refused at assignment with CDO_E_INVALID_PARAMETER', () => {
  const mail = new NewMail();
  for (const bad of ['not an address', 'a@b@c.example', 'x@', '@example.com', 'group: a@b.example;', 'a@exa mple.com', 'a@-bad-.example', 'a b@c.example', 'Jane <jane@x.example> extra', '"user"@example.com(x)evil.com', 'user@trusted.example((a)attacker@evil.example)']) {
    assert.throws(() => (mail.To = bad), code('CDO_E_INVALID_PARAMETER'), bad);
  }
  assert.throws(() => (mail.From = 'a@example.com, b@example.com'), code('CDO_E_INVALID_PARAMETER'));
  assert.equal(mail.To, '', 'a refused assignment changes nothing');
});

test('CR, LF and other controls in header values are rejected, never stripped', () => {
  const mail = new NewMail();
  for (const bad of ['x\r\nBcc: attacker@evil.example', 'x\nBcc: a@b', 'x\rBcc: a@b', 'x\u0000', 'x\u007f', 'x\u2028y', 'x\ud800']) {
    assert.throws(() => (mail.Subject = bad), code('CDO_E_INVALID_PARAMETER'), JSON.stringify(bad));
    assert.throws(() => mail.Value('X-Custom', bad), code('CDO_E_INVALID_PARAMETER'));
    assert.throws(() => (mail.From = `Name ${bad} <a@example.com>`), code('CDO_E_INVALID_PARAMETER'));
    assert.throws(() => (mail.To = `jane@example.com${bad}`), code('CDO_E_INVALID_PARAMETER'));
  }
  assert.equal(mail.Subject, '');
  mail.Subject = 'tab\tis fine';
});

test('Value() adds repeated headers, reads them back, and refuses bad or reserved names', () => {
  const mail = new NewMail();
  mail.Value('Reply-To', 'sales@example.com');
  assert.equal(mail.Value('reply-to'), 'sales@example.com');
  mail.Value('X-Tag', 'one');
  mail.Value('X-Tag', 'two');
  assert.deepEqual(mail.Value('X-Tag'), ['one', 'two']);
  assert.equal(mail.Value('X-None'), undefined);
  for (const name of ['Bad Name', 'Bad:Name', 'X-\r\nBcc', 'Név', '']) assert.throws(() => mail.Value(name, 'v'), code('CDO_E_INVALID_PARAMETER'), name);
  for (const name of ['Bcc', 'content-type', 'X-Receiver', 'X-Sender', 'From', 'Message-ID']) assert.throws(() => mail.Value(name, 'v'), code('CDO_E_INVALID_PARAMETER'), name);
});

test('enum properties take the CDONTS numbers or names, and refuse anything else', () => {
  const mail = new NewMail();
  mail.BodyFormat = CdoBodyFormatHTML;
  assert.equal(mail.BodyFormat, 0);
  mail.BodyFormat = 'markdown';
  assert.equal(mail.BodyFormat, 'markdown');
  mail.MailFormat = CdoMailFormatMime;
  mail.Importance = CdoHigh;
  mail.Importance = 'low';
  assert.equal(mail.Importance, 'low');
  assert.throws(() => (mail.BodyFormat = 2 as never), code('CDO_E_INVALID_PARAMETER'));
  assert.throws(() => (mail.BodyFormat = '0' as never), code('CDO_E_INVALID_PARAMETER'));
  assert.throws(() => (mail.BodyFormat = 'pdf' as never), code('CDO_E_INVALID_PARAMETER'));
  assert.throws(() => (mail.MailFormat = 3 as never), code('CDO_E_INVALID_PARAMETER'));
  assert.throws(() => (mail.Importance = 7 as never), code('CDO_E_INVALID_PARAMETER'));
  assert.throws(() => (mail.Body = 12 as never), code('CDO_E_INVALID_PARAMETER'));
});

test('Send without recipients or without From is a typed error and leaves the object usable', async () => {
  const { mail, mailer } = memoryMail();
  mail.From = 'a@example.com';
  await assert.rejects(mail.Send(), code('CDO_E_NO_RECIPIENTS'));
  const other = new NewMail({ mailer });
  other.To = 'b@example.com';
  await assert.rejects(other.Send(), code('CDO_E_FROM_MISSING'));
  other.From = 'a@example.com';
  await other.Send();
  assert.equal(mailer.memory?.messages.length, 1);
});

test('a successful Send invalidates the object: every member but Version throws CDO_E_INVALID_OBJECT', async () => {
  const { mail } = memoryMail();
  mail.From = 'a@example.com';
  mail.To = 'b@example.com';
  await mail.Send();
  assert.equal(mail.state, 'sent');
  assert.equal(mail.Version, '1.2');
  const uses: Array<() => unknown> = [
    () => mail.To, () => (mail.To = 'c@example.com'), () => mail.Subject, () => (mail.Body = 'x'),
    () => mail.Value('X-A', 'b'), () => mail.Value('X-A'), () => mail.BodyFormat, () => (mail.Importance = 2),
    () => mail.AttachFile('/etc/hostname'),
  ];
  for (const use of uses) assert.throws(use, code('CDO_E_INVALID_OBJECT'));
  await assert.rejects(mail.Send(), code('CDO_E_INVALID_OBJECT'));
});

test('while a Send is in flight the object is busy; a second Send fails fast', async () => {
  const { mail } = memoryMail();
  mail.From = 'a@example.com';
  mail.To = 'b@example.com';
  mail.BodyFormat = 'html';
  mail.Body = '<p>x</p>';
  const first = mail.Send();
  assert.equal(mail.state, 'sending');
  await assert.rejects(mail.Send(), code('CDO_E_BUSY'));
  assert.throws(() => (mail.Subject = 'late'), code('CDO_E_BUSY'));
  await first;
  assert.equal(mail.state, 'sent');
});

test('Send arguments: From, Subject, Body and Importance override; To is added', async () => {
  const { mail, mailer } = memoryMail();
  mail.From = 'prop@example.com';
  mail.To = 'first@example.com';
  mail.Subject = 'property subject';
  mail.Body = 'property body';
  mail.Importance = CdoLow;
  const result = await mail.Send('arg@example.com', 'second@example.com', 'argument subject', 'argument body', CdoHigh);
  assert.deepEqual(result.envelope, { from: 'arg@example.com', to: ['first@example.com', 'second@example.com'] });
  const parsed = await parseMail(mailer.memory?.messages[0]?.raw ?? '');
  assert.equal(parsed.subject, 'argument subject');
  assert.equal(parsed.text?.trim(), 'argument body');
  assert.equal(parsed.headers.get('priority'), 'high');
  assert.match(mailer.memory?.messages[0]?.raw.toString() ?? '', /^Importance: High\r$/mu);
  assert.deepEqual(addresses(parsed.to), ['first@example.com', 'second@example.com']);
});

test('positional gaps in Send (undefined or null) keep the properties', async () => {
  const { mail, mailer } = memoryMail();
  mail.From = 'prop@example.com';
  mail.To = 'to@example.com';
  mail.Subject = 'kept';
  await mail.Send(undefined, null, undefined, 'only the body', null);
  const parsed = await parseMail(mailer.memory?.messages[0]?.raw ?? '');
  assert.equal(parsed.subject, 'kept');
  assert.equal(parsed.text?.trim(), 'only the body');
});

test('a failed Send leaves the object usable, so it can be fixed and sent again', async (t) => {
  const dir = await tempDir(t);
  const blocker = join(dir, 'not-a-directory');
  await writeFile(blocker, 'x');
  const mail = new NewMail({ mailer: new Mailer({ transport: `pickup:${blocker}` }) });
  mail.From = 'a@example.com';
  mail.To = 'b@example.com';
  await assert.rejects(mail.Send(), (e: unknown) => code('CDO_E_NO_PICKUP_DIR')(e) && typeof (e as CdoError).hresult === 'number');
  assert.equal(mail.state, 'composing');
  mail.Subject = 'fixed';
  assert.equal(mail.Subject, 'fixed');
});

test('AttachFile refuses missing files, URLs, and paths outside attachmentRoot', async (t) => {
  const root = await tempDir(t);
  const inside = join(root, 'ok.txt');
  await writeFile(inside, 'fine');
  const mail = new NewMail({ mailer: new Mailer({ transport: 'memory:', attachmentRoot: root }) });
  assert.throws(() => mail.AttachFile(join(root, 'missing.txt')), code('CDO_E_NOT_FOUND'));
  assert.throws(() => mail.AttachFile(join(root, 'sub', '..')), code('CDO_E_NO_ACCESS'), 'the root itself is not a file inside it');
  assert.throws(() => mail.AttachFile('/etc/hostname'), code('CDO_E_NO_ACCESS'));
  assert.throws(() => mail.AttachFile(join(root, '..', '..', 'etc', 'hostname')), code('CDO_E_NO_ACCESS'));
  assert.throws(() => mail.AttachFile('file:///etc/passwd'), code('CDO_E_NO_ACCESS'));
  assert.throws(() => mail.AttachFile('http://169.254.169.254/latest/meta-data/'), code('CDO_E_NO_ACCESS'));
  assert.throws(() => mail.AttachFile(inside, 'x', 5 as never), code('CDO_E_INVALID_PARAMETER'));
  mail.AttachFile(inside);
});

test('errors carry the CDONTS hresult and the VBScript Err.Number', () => {
  const mail = new NewMail();
  try {
    mail.To = 'bad';
    assert.fail('should have thrown');
  } catch (error) {
    assert.ok(isCdoError(error));
    assert.equal(error.hresult, 0x80070057);
    assert.equal(error.number, -2147024809);
  }
});
