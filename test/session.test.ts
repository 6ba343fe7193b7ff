import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { createObject, configure, close, CdoHigh, CdoCc, CdoBcc, CdoTo, CdoDefaultFolderInbox, CdoDefaultFolderOutbox, Mailer, NewMail, Session, isCdoError } from '../src/index.js';
import { parseMail } from './support/parse-mail.js';
import { tempDir } from './support/temp-dir.js';

async function dropFolder(t: TestContext) {
  const dir = await tempDir(t);
  const drop = join(dir, 'drop');
  const files = join(dir, 'files');
  await import('node:fs/promises').then((fs) => fs.mkdir(files));
  const attachment = randomBytes(4000);
  await writeFile(join(files, 'report.pdf'), attachment);
  const mailer = new Mailer({ transport: `pickup:${drop}` });
  const send = async (to: string, subject: string, setup: (m: NewMail) => void = () => undefined) => {
    const m = new NewMail({ mailer });
    m.From = '"Web Site" <web@example.com>';
    m.To = to;
    m.Subject = subject;
    setup(m);
    await m.Send();
  };
  await send('jane@example.com', 'first, plain text', (m) => (m.Body = 'Hello Jane'));
  await send('bob@example.com', 'for bob only', (m) => (m.Body = 'Hi Bob'));
  await send('"Jane Doe" <JANE@example.com>; bob@example.com', 'second, html with attachment', (m) => {
    m.MailFormat = 0;
    m.BodyFormat = 0;
    m.Body = '<p>Hello <b>Jane</b></p>';
    m.Importance = CdoHigh;
    m.AttachFile(join(files, 'report.pdf'), 'report.pdf', 1);
  });
  await send('carol@example.com', 'bcc to jane', (m) => {
    m.Bcc = 'jane@example.com';
    m.Body = 'blind copy';
  });
  await mailer.close();
  return { drop, attachment, dir };
}

test('LogonSMTP binds the Inbox to one address: only its messages, oldest first, 1-based', async (t) => {
  const { drop } = await dropFolder(t);
  const s = new Session({ dropDirectory: drop });
  s.LogonSMTP('Jane', 'jane@example.com');
  assert.equal(s.Name, 'Jane');
  const messages = s.Inbox.Messages;
  assert.equal(messages.Count, 3);
  assert.deepEqual([...messages].map((m) => m.Subject), ['first, plain text', 'second, html with attachment', 'bcc to jane']);
  assert.equal(messages.Item(1).Subject, 'first, plain text');
  assert.throws(() => messages.Item(0), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_NOT_FOUND');
  assert.equal(messages.GetFirst()?.Subject, 'first, plain text');
  assert.equal(messages.GetNext()?.Subject, 'second, html with attachment');
  assert.equal(messages.GetLast()?.Subject, 'bcc to jane');
  assert.equal(messages.GetPrevious()?.Subject, 'second, html with attachment');
  assert.equal(messages.GetNext()?.Subject, 'bcc to jane');
  assert.equal(messages.GetNext(), null);
  assert.equal(s.GetDefaultFolder(CdoDefaultFolderInbox).Name, 'Inbox');
  assert.equal(s.GetDefaultFolder(CdoDefaultFolderOutbox).Messages.Count, 0, 'the Outbox always counts 0, as in CDONTS');
  s.LogonSMTP('Bob', 'bob@example.com');
  assert.deepEqual([...s.Inbox.Messages].map((m) => m.Subject), ['for bob only', 'second, html with attachment']);
});

test('a message: Text and HTMLText kept consistent, Sender, Recipients, Importance, Size, times, attachments byte-exact', async (t) => {
  const { drop, attachment, dir } = await dropFolder(t);
  const session = new Session({ dropDirectory: drop });
  session.LogonSMTP('Jane', 'jane@example.com');
  const [plain, html] = [...session.Inbox.Messages];
  assert.ok(plain && html);
  assert.equal(plain.Text.trim(), 'Hello Jane');
  assert.match(plain.HTMLText, /<p>Hello Jane<\/p>/u, 'HTMLText computed from the text');
  assert.equal(html.Text.trim(), 'Hello Jane', 'Text from the text part');
  assert.match(html.HTMLText, /<b>Jane<\/b>/u);
  assert.equal(html.Sender.Name, 'Web Site');
  assert.equal(html.Sender.Address, 'web@example.com');
  assert.equal(html.Sender.Type, 'SMTP');
  assert.deepEqual([...html.Recipients].map((r) => [r.Name, r.Address, r.Type]), [['Jane Doe', 'JANE@example.com', CdoTo], ['', 'bob@example.com', CdoTo]]);
  assert.equal(html.Importance, 2);
  assert.equal(plain.Importance, 1);
  assert.ok(html.Size > 4000);
  assert.ok(html.TimeSent instanceof Date && Math.abs(Date.now() - html.TimeSent.getTime()) < 60_000);
  assert.ok(html.TimeReceived instanceof Date);
  assert.equal(html.Attachments.Count, 1);
  const file = html.Attachments.Item(1);
  assert.equal(file.Name, 'report.pdf');
  const saved = join(dir, 'saved.pdf');
  file.WriteToFile(saved);
  assert.ok((await readFile(saved)).equals(attachment), 'WriteToFile is byte-exact');
});

test('Inbox messages are read-only; Delete removes the file', async (t) => {
  const { drop } = await dropFolder(t);
  const s = new Session({ dropDirectory: drop });
  s.LogonSMTP('Jane', 'jane@example.com');
  const message = s.Inbox.Messages.Item(1);
  assert.throws(() => (message.Subject = 'x'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_NO_ACCESS');
  assert.throws(() => message.Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_NO_ACCESS');
  assert.throws(() => message.Recipients.Add('x', 'x@example.com'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_NO_ACCESS');
  assert.throws(() => s.Inbox.Messages.Add('x'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_NO_ACCESS');
  const before = (await readdir(drop)).length;
  message.Delete();
  assert.equal((await readdir(drop)).length, before - 1);
  assert.throws(() => message.Subject, (e: unknown) => isCdoError(e) && e.code === 'CDO_E_OBJECT_DELETED');
  assert.equal(s.Inbox.Messages.Count, 2);
  s.Inbox.Messages.Delete();
  assert.equal(s.Inbox.Messages.Count, 0);
  s.LogonSMTP('Bob', 'bob@example.com');
  assert.equal(s.Inbox.Messages.Count, 1, "Bob's own message is still there");
});

test('nothing works before LogonSMTP or after Logoff (CDO_E_NOT_INITIALIZED); SetLocaleIDs only before', async (t) => {
  const { drop } = await dropFolder(t);
  const s = new Session({ dropDirectory: drop });
  for (const use of [() => s.Inbox, () => s.Outbox, () => s.Name, () => s.GetDefaultFolder(1), () => s.Logoff()]) {
    assert.throws(use, (e: unknown) => isCdoError(e) && e.code === 'CDO_E_NOT_INITIALIZED' && e.hresult === 0x80040605);
  }
  s.SetLocaleIDs(1252);
  s.LogonSMTP('Jane', 'jane@example.com');
  assert.throws(() => s.SetLocaleIDs(1252), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_CALL_FAILED');
  assert.throws(() => s.GetDefaultFolder(3), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER');
  assert.throws(() => s.LogonSMTP('x', 'not an address'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER');
  s.Logoff();
  assert.throws(() => s.Inbox, (e: unknown) => isCdoError(e) && e.code === 'CDO_E_NOT_INITIALIZED');
});

test('Outbox.Messages.Add composes a message with Recipients.Add and Attachments.Add, and Send delivers it', async (t) => {
  const { dir } = await dropFolder(t);
  const pickup = join(dir, 'pickup');
  configure({ transport: `pickup:${pickup}` });
  t.after(() => close());
  const file = join(dir, 'files', 'report.pdf');
  const s = createObject('CDONTS.Session') as Session & Record<string, unknown>;
  s.LogonSMTP('Jane Doe', 'jane@example.com');
  const message = s.Outbox.Messages.Add('Weekly report', 'See attached.', CdoHigh);
  message.Recipients.Add('Bob', 'bob@example.com', CdoTo);
  message.Recipients.Add('', 'carol@example.com', CdoCc);
  message.Recipients.Add('Audit', 'audit@example.com', CdoBcc);
  message.Attachments.Add('report.pdf', 1, file);
  const result = await message.Send();
  assert.deepEqual(result.envelope, { from: 'jane@example.com', to: ['bob@example.com', 'carol@example.com', 'audit@example.com'] });
  const parsed = await parseMail(await readFile(result.path ?? ''));
  assert.equal(parsed.subject, 'Weekly report');
  assert.equal(parsed.from?.value[0]?.name, 'Jane Doe');
  assert.equal(parsed.text?.trim(), 'See attached.');
  assert.equal(parsed.attachments[0]?.filename, 'report.pdf');
  assert.equal(parsed.headers.get('priority'), 'high');
  await assert.rejects(message.Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_OBJECT');
  assert.equal(typeof s['logoff'], 'function', 'members are case-insensitive on createObject');
});

test('a large folder is listed without parsing the messages', async (t) => {
  const dir = await tempDir(t);
  const drop = join(dir, 'drop');
  const mailer = new Mailer({ transport: `pickup:${drop}` });
  await Promise.all(
    Array.from({ length: 500 }, (_, i) => {
      const m = new NewMail({ mailer });
      m.From = 'a@example.com';
      m.To = i % 2 === 0 ? 'jane@example.com' : 'bob@example.com';
      m.Subject = `n${i}`;
      m.Body = 'x'.repeat(20_000);
      return m.Send();
    }),
  );
  await mailer.close();
  const s = new Session({ dropDirectory: drop });
  s.LogonSMTP('Jane', 'jane@example.com');
  const started = performance.now();
  const messages = s.Inbox.Messages;
  assert.equal(messages.Count, 250);
  const listing = performance.now() - started;
  assert.ok(listing < 2_000, `listed 500 files in ${listing.toFixed(0)} ms`);
  assert.match(messages.Item(250).Subject, /^n\d+$/u);
});

test('a message the parser refuses (more than 1,000 MIME parts) is a typed error, not a crash', async (t) => {
  const dir = await tempDir(t);
  const drop = join(dir, 'drop');
  const file = join(dir, 'tiny.txt');
  await writeFile(file, 'x');
  const mailer = new Mailer({ transport: `pickup:${drop}` });
  const m = new NewMail({ mailer });
  m.From = 'web@example.com';
  m.To = 'jane@example.com';
  m.Subject = 'many parts';
  for (let i = 0; i < 1_050; i++) m.AttachFile(file, `f${i}.txt`, 1);
  await m.Send();
  await mailer.close();
  const s = new Session({ dropDirectory: drop });
  s.LogonSMTP('Jane', 'jane@example.com');
  const message = s.Inbox.Messages.Item(1);
  assert.throws(() => message.Subject, (error: unknown) => isCdoError(error) && error.code === 'CDO_E_BAD_DATA' && /cannot be read/u.test(error.message));
});
