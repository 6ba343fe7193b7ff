// Public API that README documents and no other test exercised.
import assert from 'node:assert/strict';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { CdoLow, close, configure, formatAddressList, getDropDirectory, isCdoError, Mailer, NewMail, parseAddressList, Session, startRelay } from '../src/index.js';
import { MAX_HEADER_VALUE_LENGTH } from '../src/header-text.js';
import { MAX_BODY_LENGTH } from '../src/new-mail.js';
import { parseMail } from './support/parse-mail.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { tempDir } from './support/temp-dir.js';

const typed = (code: string) => (e: unknown) => isCdoError(e) && e.code === code;

test('formatAddressList writes back what parseAddressList read, quoting names that need it', () => {
  const list = parseAddressList('jane@example.com, "Doe, John" <john@example.com>, Ann Lee <ann@example.com>, bob@example.com (Bob)', 'To');
  assert.deepEqual(list, [
    { name: '', address: 'jane@example.com' },
    { name: 'Doe, John', address: 'john@example.com' },
    { name: 'Ann Lee', address: 'ann@example.com' },
    { name: 'Bob', address: 'bob@example.com' },
  ]);
  const text = formatAddressList(list);
  assert.match(text, /"Doe, John" <john@example\.com>/u, 'a comma in a name is quoted');
  assert.deepEqual(parseAddressList(text, 'To'), list, 'round trip');
  assert.equal(formatAddressList([]), '');
});

test('configure({ dropDirectory }) and CDONTS_DROP_DIR choose the Inbox; configure() wins over the environment', async (t) => {
  const dir = await tempDir(t);
  const fromEnv = join(dir, 'env-drop');
  const fromConfig = join(dir, 'config-drop');
  const saved = process.env['CDONTS_DROP_DIR'];
  t.after(async () => {
    if (saved === undefined) delete process.env['CDONTS_DROP_DIR'];
    else process.env['CDONTS_DROP_DIR'] = saved;
    configure({});
    await close();
  });
  // One message in each folder, so the Inbox shows which one it read.
  for (const [folder, subject] of [[fromEnv, 'from the environment'], [fromConfig, 'from configure']] as const) {
    const mailer = new Mailer({ transport: `pickup:${folder}` });
    const m = new NewMail({ mailer });
    m.From = 'web@example.com';
    m.To = 'jane@example.com';
    m.Subject = subject;
    m.Body = 'x';
    await m.Send();
    await mailer.close();
  }
  const inboxSubjects = (): string[] => {
    const s = new Session();
    s.LogonSMTP('Jane', 'jane@example.com');
    const subjects = [...s.Inbox.Messages].map((m) => m.Subject);
    s.Logoff();
    return subjects;
  };
  configure({});
  delete process.env['CDONTS_DROP_DIR'];
  assert.equal(getDropDirectory(), './mailroot/drop');
  process.env['CDONTS_DROP_DIR'] = fromEnv;
  assert.equal(getDropDirectory(), fromEnv);
  assert.deepEqual(inboxSubjects(), ['from the environment']);
  configure({ dropDirectory: fromConfig });
  assert.equal(getDropDirectory(), fromConfig, 'configure() wins over CDONTS_DROP_DIR');
  assert.deepEqual(inboxSubjects(), ['from configure']);
});

test('smtputf8: true sends a non-ASCII local part to a server that offers SMTPUTF8; off, it is refused before sending', async (t) => {
  const envelopes: Array<{ from: string; to: string[]; utf8: boolean }> = [];
  const raws: Buffer[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        raws.push(Buffer.concat(chunks));
        const args = session.envelope.mailFrom === false ? {} : ((session.envelope.mailFrom as { args?: Record<string, unknown> }).args ?? {});
        envelopes.push({ from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address, to: session.envelope.rcptTo.map((r) => r.address), utf8: 'SMTPUTF8' in args });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;

  const off = new Mailer({ transport: url });
  const refused = new NewMail({ mailer: off });
  refused.From = 'web@example.com';
  refused.To = 'josé@example.com';
  refused.Body = 'x';
  await assert.rejects(refused.Send(), typed('CDO_E_INVALID_PARAMETER'));
  await off.close();
  assert.equal(envelopes.length, 0);

  const on = new Mailer({ transport: url, smtputf8: true });
  const m = new NewMail({ mailer: on });
  m.From = 'web@example.com';
  m.To = 'josé@example.com';
  m.Subject = 'olá';
  m.Body = 'x';
  await m.Send();
  await on.close();
  assert.equal(envelopes.length, 1);
  assert.deepEqual(envelopes[0]?.to, ['josé@example.com'], 'the server received the UTF-8 local part');
  assert.equal(envelopes[0]?.utf8, true, 'MAIL FROM carried SMTPUTF8');
  assert.equal((await parseMail(raws[0] ?? Buffer.alloc(0))).subject, 'olá');
});

test('await using a Mailer closes it at the end of the block, after its sends', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  let outer: Mailer | undefined;
  {
    await using mailer = new Mailer({ transport: sink.url });
    outer = mailer;
    const m = new NewMail({ mailer });
    m.From = 'a@example.com';
    m.To = 'b@example.com';
    m.Body = 'x';
    await m.Send();
    assert.equal(mailer.state, 'open');
  }
  assert.equal(outer.state, 'closed');
  assert.equal(sink.messages.length, 1);
  const late = new NewMail({ mailer: outer });
  late.From = 'a@example.com';
  late.To = 'b@example.com';
  await assert.rejects(late.Send(), typed('CDO_E_END_OF_SESSION'));
});

test('startRelay: pickup files go out over SMTP; stats count them; close() stops it', async (t) => {
  const dir = await tempDir(t);
  const pickup = join(dir, 'pickup');
  await mkdir(pickup);
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const relay = await startRelay({ pickup, smtp: sink.url });
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  for (let i = 0; i < 3; i++) {
    const m = new NewMail({ mailer });
    m.From = 'a@example.com';
    m.To = 'b@example.com';
    m.Subject = `relayed ${i}`;
    m.Body = 'x';
    await m.Send();
  }
  await mailer.close();
  for (let waited = 0; sink.messages.length < 3 && waited < 15_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  await relay.close();
  assert.equal(relay.stats().state, 'stopped');
  assert.equal(relay.stats().delivered, 3);
  const subjects = await Promise.all(sink.messages.map(async (m) => (await parseMail(m.raw)).subject));
  assert.deepEqual(subjects.sort(), ['relayed 0', 'relayed 1', 'relayed 2']);
  assert.deepEqual(await readdir(pickup), []);
});

test('Importance Low writes Importance: low, X-Priority: 5 and X-MSMail-Priority: Low', async () => {
  const mailer = new Mailer({ transport: 'memory:' });
  const m = new NewMail({ mailer });
  m.From = 'a@example.com';
  m.To = 'b@example.com';
  m.Importance = CdoLow;
  m.Body = 'x';
  await m.Send();
  const raw = mailer.memory?.messages[0]?.raw.toString() ?? '';
  await mailer.close();
  assert.match(raw, /^Importance: low\r$/imu);
  assert.match(raw, /^X-Priority: 5/mu);
  assert.match(raw, /^X-MSMail-Priority: Low\r$/imu);
});

test('size caps: a Body over 32 Mi characters and a header value over 16 Ki are CDO_E_STRING_TOO_LONG; at the cap they are accepted', () => {
  const m = new NewMail({ mailer: new Mailer({ transport: 'memory:' }) });
  assert.throws(() => (m.Body = 'x'.repeat(MAX_BODY_LENGTH + 1)), typed('CDO_E_STRING_TOO_LONG'));
  m.Body = 'x'.repeat(MAX_BODY_LENGTH);
  assert.throws(() => (m.Subject = 's'.repeat(MAX_HEADER_VALUE_LENGTH + 1)), typed('CDO_E_STRING_TOO_LONG'));
  assert.throws(() => m.Value('X-Note', 'v'.repeat(MAX_HEADER_VALUE_LENGTH + 1)), typed('CDO_E_STRING_TOO_LONG'));
  m.Subject = 's'.repeat(MAX_HEADER_VALUE_LENGTH);
  // The caps README states are the ones the code enforces.
  assert.equal(MAX_BODY_LENGTH, 32 * 1024 * 1024);
  assert.equal(MAX_HEADER_VALUE_LENGTH, 16 * 1024);
});

test('an RTF string body is read when it is sent: its error comes from Send, typed, and the NewMail stays usable', async () => {
  const mailer = new Mailer({ transport: 'memory:' });
  const m = new NewMail({ mailer });
  m.From = 'a@example.com';
  m.To = 'b@example.com';
  m.BodyFormat = 'rtf';
  m.MailFormat = 0;
  m.Body = 'this is not {\\rtf at all'; // accepted when assigned
  await assert.rejects(m.Send(), typed('CDO_E_BAD_DATA'));
  assert.equal(mailer.memory?.messages.length, 0);
  m.Body = '{\\rtf1\\ansi Hello {\\b RTF}\\par}';
  await m.Send();
  assert.match(mailer.memory?.messages[0]?.raw.toString() ?? '', /Hello/u);
  await mailer.close();
});
