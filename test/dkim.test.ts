import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import { close, configure, getDefaultMailer } from '../src/default-mailer.js';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { Configuration } from '../src/cdosys/configuration.js';
import { Message } from '../src/cdosys/message.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { readPickupFile } from '../src/relay/pickup-envelope.js';
import { startRelay } from '../src/relay/relay.js';
import { startMailWorker } from '../src/queue/mail-worker.js';
import { dkimVerifierMissing, makeDkimKey, verifyDkim } from './support/dkim-verify.js';
import { startRedis } from './support/redis-server.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { tempDir } from './support/temp-dir.js';
import { needsRedis } from './support/requirement.js';

const skip = dkimVerifierMissing();
const CONFIGURATION = 'http://schemas.microsoft.com/cdo/configuration/';
const key = makeDkimKey('example.com', 'mail2026');
const second = makeDkimKey('example.net', 'backup');

async function sink(t: TestContext): Promise<SmtpSink> {
  const s = await startSmtpSink();
  t.after(() => s.close());
  return s;
}

/** A MIME message with an HTML body (converted to text), an attachment, a dot line and a long line. */
function message(mailer: Mailer): NewMail {
  const mail = new NewMail({ mailer });
  mail.From = '"Web Site" <web@example.com>';
  mail.To = 'user@example.org';
  mail.Bcc = 'audit@example.org';
  mail.Subject = 'Signé – DKIM';
  mail.BodyFormat = 0;
  mail.MailFormat = 0;
  mail.Body = `<h1>Order</h1><p>Thanks — ${'x'.repeat(1_200)}</p>\n.\n<p>.dot line</p>`;
  return mail;
}

async function attachment(root: string): Promise<string> {
  const path = join(root, 'report.csv');
  await writeFile(path, 'a,b\r\n1,2\r\n');
  return path;
}

const tampered = (raw: Buffer): Buffer => Buffer.from(raw.toString('latin1').replace('1,2', '1,3').replace('Order', 'Ordre'), 'latin1');

test('SMTP: every message is signed; python3-dkim verifies it, and a changed body fails', { skip }, async (t) => {
  const server = await sink(t);
  const root = await tempDir(t);
  const mailer = new Mailer({ transport: server.url, dkim: key, attachmentRoot: root });
  t.after(() => mailer.close());
  const mail = message(mailer);
  mail.AttachFile(await attachment(root));
  await mail.Send();
  const raw = server.messages[0]?.raw ?? Buffer.alloc(0);
  assert.match(raw.toString(), /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=example\.com;/u);
  assert.deepEqual(await verifyDkim(raw, [key]), [true]);
  assert.deepEqual(await verifyDkim(tampered(raw), [key]), [false]);
});

test('several keys: one signature each, all verify', { skip }, async (t) => {
  const server = await sink(t);
  const mailer = new Mailer({ transport: server.url, dkim: { keys: [key, second] } });
  t.after(() => mailer.close());
  await message(mailer).Send();
  assert.deepEqual(await verifyDkim(server.messages[0]?.raw ?? Buffer.alloc(0), [key, second]), [true, true]);
});

test('pickup: the file carries the signature under its envelope lines; the relay delivers it unchanged', { skip }, async (t) => {
  const server = await sink(t);
  const root = await tempDir(t);
  const pickup = join(root, 'pickup');
  const mailer = new Mailer({ transport: `pickup:${pickup}`, dkim: key, attachmentRoot: root });
  t.after(() => mailer.close());
  const mail = message(mailer);
  mail.AttachFile(await attachment(root));
  const result = await mail.Send();
  const file = await readFile(result.path ?? '');
  assert.match(file.toString(), /^X-Sender: web@example\.com\r\nX-Receiver: user@example\.org\r\nX-Receiver: audit@example\.org\r\nDKIM-Signature: /u);
  const { message: signed } = readPickupFile(file);
  assert.deepEqual(await verifyDkim(signed, [key]), [true]);
  const relay = await startRelay({ pickup, smtp: server.url, scanIntervalMs: 50 });
  t.after(() => relay.close());
  for (let waited = 0; relay.stats().delivered < 1 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  const delivered = server.messages[0]?.raw ?? Buffer.alloc(0);
  assert.ok(delivered.equals(signed), 'the relay sends the signed bytes as they are');
  assert.deepEqual(await verifyDkim(delivered, [key]), [true]);
  assert.deepEqual(await verifyDkim(tampered(delivered), [key]), [false]);
});

test('queue: the job carries the signed message; the worker delivers it verifiable', { skip: skip || needsRedis() }, async (t) => {
  const server = await sink(t);
  const redis = await startRedis();
  const cleanups: Array<() => Promise<unknown>> = [() => redis.stop()];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const url = `${redis.url}?queue=dkim`;
  const mailer = new Mailer({ transport: url, dkim: key });
  await message(mailer).Send();
  await mailer.close();
  const worker = await startMailWorker({ redis: url, smtp: server.url });
  cleanups.push(() => worker.close());
  for (let waited = 0; worker.stats().delivered < 1 && waited < 15_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await verifyDkim(server.messages[0]?.raw ?? Buffer.alloc(0), [key]), [true]);
});

test('cdonts send --dkim-domain --dkim-selector --dkim-key signs what it sends', { skip }, async (t) => {
  const server = await sink(t);
  const cwd = await tempDir(t);
  await writeFile(join(cwd, 'dkim.pem'), key.privateKey);
  const bin = resolve(import.meta.dirname, '..', 'bin', 'cdonts.js');
  const args = ['send', '--from', 'web@example.com', '--to', 'you@example.org', '--subject', 'CLI', '--body', 'signed', '--transport', server.url, '--dkim-domain', 'example.com', '--dkim-selector', 'mail2026', '--dkim-key', 'dkim.pem'];
  const code = await new Promise<number>((done) => {
    execFile(process.execPath, [bin, ...args], { cwd, timeout: 30_000 }, (error) => done(error === null ? 0 : Number(error.code ?? -1)));
  });
  assert.equal(code, 0);
  assert.deepEqual(await verifyDkim(server.messages[0]?.raw ?? Buffer.alloc(0), [key]), [true]);
  const partial = await new Promise<number>((done) => {
    execFile(process.execPath, [bin, ...args.slice(0, -2)], { cwd, timeout: 30_000 }, (error) => done(error === null ? 0 : Number(error.code ?? -1)));
  });
  assert.equal(partial, 2, '--dkim-* options go together');
});

test('a bad DKIM option is a typed error when the Mailer is made, not a failed Send later', () => {
  const invalid = (e: unknown): boolean => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER';
  assert.throws(() => new Mailer({ transport: 'memory:', dkim: { ...key, privateKey: 'not a key' } }), invalid);
  assert.throws(() => new Mailer({ transport: 'memory:', dkim: { ...key, domainName: 'localhost' } }), invalid);
  assert.throws(() => new Mailer({ transport: 'memory:', dkim: { ...key, keySelector: 'a;b=c' } }), invalid);
  assert.throws(() => new Mailer({ transport: 'memory:', dkim: { keys: [] } }), invalid);
  assert.throws(() => new Mailer({ transport: 'memory:', dkim: { ...key, privateKey: makeEd25519() } }), invalid, 'nodemailer would drop an Ed25519 signature silently');
});

function makeEd25519(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

test('configure({ dkim }) signs what new NewMail() sends', { skip }, async () => {
  configure({ transport: 'memory:', dkim: key });
  try {
    const mail = new NewMail();
    mail.From = 'web@example.com';
    mail.To = 'user@example.org';
    mail.Subject = 'configured';
    mail.Body = 'signed by default';
    await mail.Send();
    const raw = getDefaultMailer().memory?.messages.at(-1)?.raw ?? Buffer.alloc(0);
    assert.deepEqual(await verifyDkim(raw, [key]), [true]);
  } finally {
    await close();
  }
});

test('configure({ dkim }) signs what a CDO.Message sends through its own Configuration (a shared pool)', { skip }, async (t) => {
  const root = await tempDir(t);
  const pickup = join(root, 'cdosys-pickup');
  configure({ transport: 'memory:', dkim: key });
  try {
    const cfg = new Configuration();
    cfg.Fields.Item(`${CONFIGURATION}sendusing`).Value = 1;
    cfg.Fields.Item(`${CONFIGURATION}smtpserverpickupdirectory`).Value = pickup;
    cfg.Fields.Update();
    const msg = new Message();
    msg.Configuration = cfg;
    msg.From = 'shop@example.com';
    msg.To = 'user@example.org';
    msg.Subject = 'CDOSYS, signed';
    msg.TextBody = 'Order 42';
    const result = await msg.Send();
    const { message: signed } = readPickupFile(await readFile(result.path ?? ''));
    assert.match(signed.toString(), /^DKIM-Signature: v=1; a=rsa-sha256;/u);
    assert.deepEqual(await verifyDkim(signed, [key]), [true]);
    assert.deepEqual(await verifyDkim(Buffer.from(signed.toString('latin1').replace('Order 42', 'Order 43'), 'latin1'), [key]), [false]);
  } finally {
    await close();
  }
});
