import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { UndeliveredRecipientsError } from '../src/errors/undelivered-recipients-error.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { startRelay } from '../src/relay/relay.js';
import { startMailWorker } from '../src/queue/mail-worker.js';
import { parseMail } from './support/parse-mail.js';
import { startRedis } from './support/redis-server.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { tempDir } from './support/temp-dir.js';

const HAS_REDIS = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some((p) => existsSync(p));

/**
 * An smtp-server that, like Postfix's smtpd_recipient_limit, takes at most `limit`
 * recipients per transaction and answers the next ones `452 4.5.3 Error: too many recipients`;
 * `refuse` answers chosen addresses with a code of their own.
 */
async function limitedSink(t: TestContext, limit: number, refuse: (address: string) => { code: number; message: string } | undefined = () => undefined): Promise<SmtpSink & { connections: number }> {
  const counter = { connections: 0 };
  const sink = await startSmtpSink({
    server: {
      onConnect(_session, callback) {
        counter.connections++;
        callback();
      },
      onRcptTo(address, session, callback) {
        const refusal = refuse(address.address);
        if (refusal !== undefined) {
          callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }));
          return;
        }
        if (session.envelope.rcptTo.length >= limit) {
          callback(Object.assign(new Error('4.5.3 Error: too many recipients'), { responseCode: 452 }));
          return;
        }
        callback();
      },
    },
  });
  t.after(() => sink.close());
  return Object.defineProperty(sink, 'connections', { get: () => counter.connections }) as SmtpSink & { connections: number };
}

const recipients = (n: number): string[] => Array.from({ length: n }, (_, i) => `r${i}@example.com`);

function message(mailer: Mailer, to: readonly string[]): NewMail {
  const mail = new NewMail({ mailer });
  mail.From = 'app@example.com';
  mail.To = to.slice(0, 2).join(', ');
  mail.Bcc = to.slice(2).join(', ');
  mail.Subject = 'limits';
  mail.Body = 'every recipient gets this once';
  return mail;
}

function delivered(sink: SmtpSink): string[] {
  return sink.messages.flatMap((m) => m.to).sort();
}

test('452 too many recipients: the rest go in further transactions on the pool; everyone gets it once', async (t) => {
  const sink = await limitedSink(t, 3);
  const mailer = new Mailer({ transport: sink.url });
  t.after(() => mailer.close());
  const to = recipients(10);
  const result = await message(mailer, to).Send();
  assert.deepEqual([...(result.accepted ?? [])].sort(), [...to].sort());
  assert.deepEqual(result.rejected, []);
  assert.deepEqual(result.envelope.to, to);
  assert.equal(sink.messages.length, 4, '3 + 3 + 3 + 1');
  assert.equal(sink.connections, 1, 'every transaction on the one pooled connection');
  assert.deepEqual(delivered(sink), [...to].sort());
  const ids = await Promise.all(sink.messages.map(async (m) => (await parseMail(m.raw)).messageId));
  assert.equal(new Set(ids).size, 1, 'one message, several transactions');
  assert.ok(sink.messages.every((m) => !m.raw.toString().includes('r5@example.com')), 'Bcc stays out of the bytes');
});

test('a recipient still deferred at the end: Send rejects with who got it and who did not, code kept', async (t) => {
  const sink = await limitedSink(t, 3, (address) => (address === 'r7@example.com' ? { code: 450, message: '4.2.0 greylisted, try later' } : undefined));
  const mailer = new Mailer({ transport: sink.url });
  t.after(() => mailer.close());
  const to = recipients(10);
  const error = await message(mailer, to).Send().then(
    () => assert.fail('Send resolved with a recipient undelivered'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof UndeliveredRecipientsError, String(error));
  assert.ok(isCdoError(error));
  assert.equal(error.code, 'CDO_E_RECIPIENTS_REJECTED');
  assert.equal(error.responseCode, 450);
  assert.equal(error.temporary, true);
  assert.deepEqual(error.deferred.map((d) => d.recipient), ['r7@example.com']);
  assert.deepEqual([...error.accepted].sort(), to.filter((r) => r !== 'r7@example.com').sort());
  assert.deepEqual(error.rejected, ['r7@example.com']);
  assert.match(error.message, /r7@example\.com: .*greylisted/u);
  assert.deepEqual(delivered(sink), to.filter((r) => r !== 'r7@example.com').sort(), 'the others got it, once');
});

test('a permanent 5xx beside accepted recipients stays in rejected: Send resolves', async (t) => {
  const sink = await limitedSink(t, 4, (address) => (address === 'r1@example.com' ? { code: 550, message: '5.1.1 no such user' } : undefined));
  const mailer = new Mailer({ transport: sink.url });
  t.after(() => mailer.close());
  const to = recipients(6);
  const result = await message(mailer, to).Send();
  assert.deepEqual(result.rejected, ['r1@example.com']);
  assert.deepEqual([...(result.accepted ?? [])].sort(), to.filter((r) => r !== 'r1@example.com').sort());
  assert.deepEqual(delivered(sink), to.filter((r) => r !== 'r1@example.com').sort());
});

test('every recipient refused for good: Send rejects as before (CDO_E_RECIPIENTS_REJECTED, 550)', async (t) => {
  const sink = await limitedSink(t, 4, () => ({ code: 550, message: '5.1.1 no such user' }));
  const mailer = new Mailer({ transport: sink.url });
  t.after(() => mailer.close());
  await assert.rejects(message(mailer, recipients(3)).Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_RECIPIENTS_REJECTED' && (e as UndeliveredRecipientsError).responseCode === 550);
  assert.equal(sink.messages.length, 0);
});

test('the relay sends a deferred remainder in further transactions at once, not after its back-off', async (t) => {
  const sink = await limitedSink(t, 2);
  const root = await tempDir(t);
  const pickup = join(root, 'pickup');
  await mkdir(pickup, { recursive: true });
  const to = recipients(7);
  const events: string[] = [];
  const relay = await startRelay({ pickup, smtp: sink.url, retryBaseMs: 3_600_000, scanIntervalMs: 50, onEvent: (e) => events.push(e.type) });
  t.after(() => relay.close());
  const envelope = ['X-Sender: app@example.com', ...to.map((r) => `X-Receiver: ${r}`)].join('\r\n');
  await writeFile(join(pickup, 'm.eml'), `${envelope}\r\nFrom: app@example.com\r\nTo: r0@example.com\r\nSubject: relay\r\n\r\nbody\r\n`);
  for (let waited = 0; relay.stats().delivered < 1 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  assert.equal(relay.stats().delivered, 1);
  assert.ok(!events.includes('deferred'), events.join(','));
  assert.deepEqual(delivered(sink), [...to].sort());
});

test('the queue worker sends a deferred remainder in further transactions within one attempt', { skip: !HAS_REDIS && 'redis-server is not installed' }, async (t) => {
  const sink = await limitedSink(t, 2);
  const redis = await startRedis();
  const cleanups: Array<() => Promise<unknown>> = [() => redis.stop()];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup(); // the worker before Redis
  });
  const url = `${redis.url}?queue=limits`;
  const mailer = new Mailer({ transport: url });
  const to = recipients(7);
  await message(mailer, to).Send();
  await mailer.close();
  const events: string[] = [];
  const worker = await startMailWorker({ redis: url, smtp: sink.url, onEvent: (e) => events.push(e.type) });
  cleanups.push(() => worker.close());
  for (let waited = 0; worker.stats().delivered < 1 && waited < 15_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  assert.equal(worker.stats().delivered, 1);
  assert.deepEqual(events, ['delivered']);
  assert.deepEqual(delivered(sink), [...to].sort());
});
