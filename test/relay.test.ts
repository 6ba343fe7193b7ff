import assert from 'node:assert/strict';
import { readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { NewMail } from '../src/new-mail.js';
import { Mailer } from '../src/mailer.js';
import { Relay, type RelayEvent } from '../src/relay/relay.js';
import { addresses, parseMail } from './support/parse-mail.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { startScriptedSmtp } from './support/scripted-smtp.js';
import { tempDir } from './support/temp-dir.js';

async function writeMails(pickup: string, count: number, extra: (mail: NewMail, i: number) => void = () => undefined): Promise<void> {
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const mail = new NewMail({ mailer });
      mail.From = 'site@example.com';
      mail.To = `to${i}@example.com`;
      mail.Bcc = `audit${i}@example.com`;
      mail.Subject = `relay ${i}`;
      mail.Body = `body ${i}`;
      extra(mail, i);
      return mail.Send();
    }),
  );
  await mailer.close();
}

async function setup(t: TestContext) {
  const root = await tempDir(t);
  const pickup = join(root, 'pickup');
  await mkdir(pickup);
  return { root, pickup };
}

test('relay --once semantics: pickup files go out over SMTP to their envelope, without the envelope lines', async (t) => {
  const { root, pickup } = await setup(t);
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  await writeMails(pickup, 20);
  const relay = await new Relay({ pickup, smtp: sink.url, scanIntervalMs: 50 }).start();
  await relay.drain();
  await relay.close();
  assert.equal(sink.messages.length, 20);
  assert.equal(relay.stats().delivered, 20);
  for (const message of sink.messages) {
    const text = message.raw.toString();
    assert.doesNotMatch(text, /^X-(Sender|Receiver):/imu, 'envelope lines are not sent');
    assert.doesNotMatch(text, /^Bcc:/imu);
    const parsed = await parseMail(message.raw);
    const i = (parsed.subject ?? '').split(' ')[1];
    assert.deepEqual(message.to, [`to${i}@example.com`, `audit${i}@example.com`], 'Bcc recipients come from X-Receiver');
    assert.equal(message.from, 'site@example.com');
  }
  assert.deepEqual(await readdir(pickup), []);
  assert.deepEqual(await readdir(join(root, 'queue')), [], 'nothing left in the queue');
});

test('a file without envelope lines falls back to From/To/Cc/Bcc, and its Bcc header is not sent', async (t) => {
  const { pickup } = await setup(t);
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  await writeFile(
    join(pickup, 'handwritten.eml'),
    'From: "Web" <web@example.com>\r\nTo: a@example.com, "B" <b@example.com>\r\nCc: c@example.com\r\nBcc: hidden@example.com\r\nSubject: by hand\r\n\r\nhello\r\n',
  );
  const relay = await new Relay({ pickup, smtp: sink.url }).start();
  await relay.drain();
  await relay.close();
  const [message] = sink.messages;
  assert.equal(message?.from, 'web@example.com');
  assert.deepEqual(message?.to, ['a@example.com', 'b@example.com', 'c@example.com', 'hidden@example.com']);
  assert.doesNotMatch(message?.raw.toString() ?? '', /hidden@example\.com/u);
  const parsed = await parseMail(message?.raw ?? '');
  assert.deepEqual(addresses(parsed.to), ['a@example.com', 'b@example.com']);
});

test('temporary failures are retried with back-off until the server accepts', async (t) => {
  const { pickup } = await setup(t);
  const server = await startScriptedSmtp({ dataEnd: '451 4.3.0 try again later' });
  t.after(() => server.close());
  await writeMails(pickup, 3);
  const events: RelayEvent[] = [];
  const relay = await new Relay({ pickup, smtp: `smtp://127.0.0.1:${server.port}`, retryBaseMs: 100, scanIntervalMs: 30, onEvent: (e) => events.push(e) }).start();
  t.after(() => relay.close());
  await waitFor(() => events.filter((e) => e.type === 'deferred').length >= 3);
  assert.equal(relay.stats().delivered, 0);
  server.script = {}; // the server recovers
  await waitFor(() => relay.stats().delivered === 3, 10_000);
  const deferred = events.filter((e): e is Extract<RelayEvent, { type: 'deferred' }> => e.type === 'deferred');
  assert.ok(deferred.every((e) => e.retryInMs >= 50 && e.retryInMs <= 150), 'first retry: base delay ±50 %');
  assert.equal(server.received.filter((r) => /Subject: relay/u.test(r)).length >= 3, true);
});

test('a 550 for one recipient goes to badmail with a reason; the others are delivered once and never resent', async (t) => {
  const { root, pickup } = await setup(t);
  let deferAudit = true;
  const sink = await startSmtpSink({
    rejectRecipient: (address) => {
      if (address === 'to0@example.com') return { code: 550, message: 'no such user' };
      if (address === 'audit0@example.com' && deferAudit) return { code: 451, message: 'greylisted' };
      return undefined;
    },
  });
  t.after(() => sink.close());
  await writeMails(pickup, 1);
  const relay = await new Relay({ pickup, smtp: sink.url, retryBaseMs: 50, scanIntervalMs: 30 }).start();
  t.after(() => relay.close());
  await waitFor(() => sink.messages.length === 0 && relay.stats().retrying === 1, 5_000);
  deferAudit = false;
  await waitFor(() => relay.stats().failed === 1, 10_000);
  await relay.close();
  // audit0 was accepted on the retry only; to0 was refused for good and never retried
  const deliveries = sink.messages.map((m) => m.to);
  assert.deepEqual(deliveries, [['audit0@example.com']]);
  const badmail = await readdir(join(root, 'badmail'));
  assert.deepEqual(badmail.sort(), [badmail.find((n) => n.endsWith('.eml')), badmail.find((n) => n.endsWith('.reason.txt'))].sort());
  const reason = await readFile(join(root, 'badmail', badmail.find((n) => n.endsWith('.reason.txt')) ?? ''), 'utf8');
  assert.match(reason, /to0@example\.com: 550/u);
  assert.match(reason, /Delivered to: audit0@example\.com/u);
});

test('a permanent failure for the whole message goes to badmail; a message past its maximum age too', async (t) => {
  const { root, pickup } = await setup(t);
  const server = await startScriptedSmtp({ dataEnd: '554 5.7.1 rejected' });
  t.after(() => server.close());
  await writeMails(pickup, 2);
  const relay = await new Relay({ pickup, smtp: `smtp://127.0.0.1:${server.port}` }).start();
  await relay.drain();
  await relay.close();
  assert.equal(relay.stats().failed, 2);
  assert.equal((await readdir(join(root, 'badmail'))).filter((n) => n.endsWith('.reason.txt')).length, 2);

  const slow = await startScriptedSmtp({ dataEnd: '451 later' });
  t.after(() => slow.close());
  await writeMails(pickup, 1);
  const expiring = await new Relay({ pickup, smtp: `smtp://127.0.0.1:${slow.port}`, retryBaseMs: 20, maxAgeMs: 200, scanIntervalMs: 20 }).start();
  await waitFor(() => expiring.stats().failed === 1, 10_000);
  await expiring.close();
  const reasons = (await readdir(join(root, 'badmail'))).filter((n) => n.endsWith('.reason.txt'));
  const texts = await Promise.all(reasons.map((n) => readFile(join(root, 'badmail', n), 'utf8')));
  assert.ok(texts.some((text) => /^gave up after \d+ attempts: /mu.test(text)));
});

test('two relays on one pickup directory deliver every message exactly once', async (t) => {
  const { pickup } = await setup(t);
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const a = await new Relay({ pickup, smtp: sink.url, scanIntervalMs: 10, concurrency: 5 }).start();
  const b = await new Relay({ pickup, smtp: sink.url, scanIntervalMs: 10, concurrency: 5 }).start();
  await writeMails(pickup, 300);
  await waitFor(() => a.stats().delivered + b.stats().delivered === 300, 20_000);
  await Promise.all([a.drain(), b.drain()]);
  await Promise.all([a.close(), b.close()]);
  const subjects = await Promise.all(sink.messages.map(async (m) => (await parseMail(m.raw)).subject));
  assert.equal(subjects.length, 300);
  assert.equal(new Set(subjects).size, 300, 'no message twice');
  t.diagnostic(`relay A delivered ${a.stats().delivered}, relay B ${b.stats().delivered}`);
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('recipients in local domains are written to the drop folder; the others go over SMTP', async (t) => {
  const { root, pickup } = await setup(t);
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  const mail = new NewMail({ mailer });
  mail.From = 'site@example.com';
  mail.To = 'jane@intranet.example; bob@remote.example';
  mail.Cc = 'Ops <ops@INTRANET.example>';
  mail.Subject = 'mixed';
  await mail.Send();
  const relay = await new Relay({ pickup, smtp: sink.url, localDomains: ['intranet.example'] }).start();
  await relay.drain();
  await relay.close();
  assert.deepEqual(sink.messages.map((m) => m.to), [['bob@remote.example']]);
  const dropped = await readdir(join(root, 'drop'));
  assert.equal(dropped.length, 1);
  const file = await readFile(join(root, 'drop', dropped[0] ?? ''), 'utf8');
  assert.match(file, /^X-Sender: site@example\.com\r\nX-Receiver: jane@intranet\.example\r\nX-Receiver: ops@intranet\.example\r\n/u);
  assert.equal((await parseMail(file)).subject, 'mixed');
});

test('the rate limit holds across the whole pool', async (t) => {
  const { pickup } = await setup(t);
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  await writeMails(pickup, 30);
  const started = Date.now();
  const relay = await new Relay({ pickup, smtp: sink.url, ratePerSecond: 10, scanIntervalMs: 20, concurrency: 10 }).start();
  await relay.drain();
  await waitFor(() => relay.stats().delivered === 30, 10_000);
  await relay.close();
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 2_000, `30 messages at 10/s took ${elapsed} ms`);
});

test('with bounce on, a permanent failure sends the sender a delivery status notification (RFC 3464) from the null sender', async (t) => {
  const { pickup } = await setup(t);
  const sink = await startSmtpSink({ rejectRecipient: (a) => (a === 'to0@example.com' ? { code: 550, message: '5.1.1 no such user' } : undefined) });
  t.after(() => sink.close());
  await writeMails(pickup, 1);
  const relay = await new Relay({ pickup, smtp: sink.url, bounce: true, scanIntervalMs: 20 }).start();
  await waitFor(() => sink.messages.some((m) => m.from === ''), 10_000);
  await relay.drain();
  await relay.close();
  const bounce = sink.messages.find((m) => m.from === '');
  assert.deepEqual(bounce?.to, ['site@example.com']);
  const raw = bounce?.raw.toString() ?? '';
  assert.match(raw, /Content-Type: multipart\/report; report-type=delivery-status/u);
  assert.match(raw, /Final-Recipient: rfc822; to0@example\.com\r\nAction: failed\r\nStatus: 5\.1\.1\r\nDiagnostic-Code: smtp; 550 5\.1\.1 no such user/u);
  assert.match(raw, /Subject: relay 0/u, 'the original headers are included');
  const parsed = await parseMail(bounce?.raw ?? '');
  assert.equal(parsed.subject, 'Delivery Status Notification (Failure)');
  assert.match(parsed.text ?? '', /to0@example\.com: 550 5\.1\.1 no such user/u);
});
