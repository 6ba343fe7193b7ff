import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { startRelay } from '../src/relay/relay.js';
import { startMailWorker } from '../src/queue/mail-worker.js';
import { dkimVerifierMissing, makeDkimKey, verifyDkim } from './support/dkim-verify.js';
import { parseMail } from './support/parse-mail.js';
import { postfixMissing, startPostfix, type DeliveredMessage, type PostfixOptions, type PrivatePostfix } from './support/postfix.js';
import { startRedis } from './support/redis-server.js';
import { makeTestCa } from './support/test-ca.js';
import { tempDir } from './support/temp-dir.js';
import { needsRedis } from './support/requirement.js';

const skip = postfixMissing();

/** A private Postfix for this test, stopped after it whatever happens. */
async function postfix(t: TestContext, options: PostfixOptions = {}): Promise<PrivatePostfix> {
  const root = await mkdtemp(join(tmpdir(), 'cdonts-postfix-'));
  const state: { server?: PrivatePostfix } = {};
  t.after(async () => {
    await state.server?.stop(); // Postfix first, then its directory
    await rm(root, { recursive: true, force: true });
  });
  state.server = await startPostfix(root, options);
  return state.server;
}

const recipients = (n: number, tag: string): string[] => Array.from({ length: n }, (_, i) => `${tag}${i}@cdonts.test`);

const PAYLOAD = randomBytes(256 * 1024);
const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const BODY = `First line\r\n.\r\n.leading dot\r\n${'long '.repeat(200)}\r\nÜmlaut — ende`;

async function send(mailer: Mailer, root: string, to: readonly string[], subject: string): Promise<Awaited<ReturnType<NewMail['Send']>>> {
  const mail = new NewMail({ mailer });
  mail.From = 'app@example.com';
  mail.To = to.slice(0, 2).join(', ');
  mail.Bcc = to.slice(2).join(', ');
  mail.Subject = subject;
  mail.MailFormat = 0;
  mail.Body = BODY;
  const path = join(root, 'payload.bin');
  await writeFile(path, PAYLOAD);
  mail.AttachFile(path, 'payload.bin', 1);
  return mail.Send();
}

/** Every copy parses, is intact, and each recipient has exactly one. */
async function assertDeliveredOnce(messages: readonly DeliveredMessage[], expected: readonly string[], log: () => Promise<string>): Promise<void> {
  assert.deepEqual(messages.map((m) => m.recipient).sort(), [...expected].sort(), `each recipient once\n${await log()}`);
  for (const message of messages) {
    const parsed = await parseMail(message.raw);
    assert.equal(parsed.text?.replace(/\r\n/gu, '\n').trim(), BODY.replace(/\r\n/gu, '\n'));
    assert.equal(sha(parsed.attachments[0]?.content ?? Buffer.alloc(0)), sha(PAYLOAD));
    assert.doesNotMatch(message.raw.toString('latin1'), /^(Bcc|X-Sender|X-Receiver):/imu);
  }
}

test('Postfix: the SMTP transport delivers to 10 recipients past smtpd_recipient_limit=3 (452), each copy once, intact and DKIM-valid', { skip }, async (t) => {
  const server = await postfix(t, { recipientLimit: 3 });
  const root = await tempDir(t);
  const key = makeDkimKey('example.com', 'pf');
  const mailer = new Mailer({ transport: server.url, dkim: key });
  t.after(() => mailer.close());
  const to = recipients(10, 'smtp');
  const result = await send(mailer, root, to, 'over the limit');
  assert.deepEqual([...(result.accepted ?? [])].sort(), [...to].sort());
  const messages = await server.waitForMessages(10);
  await assertDeliveredOnce(messages, to, () => server.log());
  // Postfix queued one message per transaction: 3 + 3 + 3 + 1 recipients.
  const transactions = [...(await server.log()).matchAll(/qmgr\[\d+\]: \w+: from=<app@example\.com>, size=\d+, nrcpt=(\d+)/gu)].map((m) => Number(m[1]));
  assert.deepEqual(transactions.sort(), [1, 3, 3, 3]);
  if (dkimVerifierMissing() === false) {
    for (const message of messages) assert.deepEqual(await verifyDkim(message.raw, [key]), [true], 'the signature survives Postfix');
  }
});

test('Postfix: STARTTLS verified against a private CA (tls.ca, rejectUnauthorized)', { skip }, async (t) => {
  const root = await tempDir(t);
  const ca = await makeTestCa(root);
  const server = await postfix(t, { tls: { certPath: ca.certPath, keyPath: ca.keyPath } });
  const mailer = new Mailer({ transport: { host: '127.0.0.1', port: server.port, requireTLS: true, tls: { ca: ca.ca, rejectUnauthorized: true } } });
  t.after(() => mailer.close());
  const to = recipients(2, 'tls');
  await send(mailer, root, to, 'over TLS');
  await assertDeliveredOnce(await server.waitForMessages(2), to, () => server.log());
  assert.match(await server.log(), /TLS connection established from/u);
});

test('Postfix: the relay delivers pickup files (envelope lines stripped), deferred remainders included', { skip }, async (t) => {
  const server = await postfix(t, { recipientLimit: 3 });
  const root = await tempDir(t);
  const pickup = join(root, 'pickup');
  await mkdir(pickup, { recursive: true });
  const writer = new Mailer({ transport: `pickup:${pickup}` });
  const expected: string[] = [];
  for (let i = 0; i < 4; i++) {
    const to = recipients(5, `relay${i}-`);
    expected.push(...to);
    await send(writer, root, to, `relay ${i}`);
  }
  await writer.close();
  const relay = await startRelay({ pickup, smtp: server.url, scanIntervalMs: 50, retryBaseMs: 3_600_000 });
  t.after(() => relay.close());
  await assertDeliveredOnce(await server.waitForMessages(expected.length), expected, () => server.log());
  assert.equal(relay.stats().retrying, 0);
});

test('Postfix: the queue worker delivers, deferred remainders included', { skip: skip || needsRedis() }, async (t) => {
  const server = await postfix(t, { recipientLimit: 3 });
  const root = await tempDir(t);
  const redis = await startRedis();
  const cleanups: Array<() => Promise<unknown>> = [() => redis.stop()];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const url = `${redis.url}?queue=postfix`;
  const mailer = new Mailer({ transport: url });
  const expected: string[] = [];
  for (let i = 0; i < 3; i++) {
    const to = recipients(5, `queue${i}-`);
    expected.push(...to);
    await send(mailer, root, to, `queued ${i}`);
  }
  await mailer.close();
  const worker = await startMailWorker({ redis: url, smtp: server.url });
  cleanups.push(() => worker.close());
  await assertDeliveredOnce(await server.waitForMessages(expected.length), expected, () => server.log());
  assert.equal(worker.stats().retrying, 0);
});
