import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import nodemailer from 'nodemailer';
import { Queue } from 'bullmq';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { QueueTransport } from '../src/queue/queue-transport.js';
import { startMailWorker } from '../src/queue/mail-worker.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { parseMail } from './support/parse-mail.js';
import { startRedis } from './support/redis-server.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { startScriptedSmtp } from './support/scripted-smtp.js';
import { needsRedis } from './support/requirement.js';

const skip = needsRedis();

/** A Redis for one test, and a cleanup stack run last-in first-out (workers before Redis). */
async function redis(t: TestContext) {
  const server = await startRedis();
  const stack: Array<() => Promise<unknown>> = [() => server.stop()];
  t.after(async () => {
    for (const cleanup of stack.reverse()) await cleanup();
  });
  return Object.assign(server, { defer: (cleanup: () => Promise<unknown>) => void stack.push(cleanup) });
}

function mail(mailer: Mailer, subject: string): NewMail {
  const m = new NewMail({ mailer });
  m.From = 'app@example.com';
  m.To = 'user@example.com';
  m.Bcc = 'audit@example.com';
  m.Subject = subject;
  m.BodyFormat = 'html';
  m.MailFormat = 0;
  m.Body = `<p>${subject}</p>`;
  return m;
}

test('Send through redis:// enqueues; two workers deliver every message exactly once, Bcc in the envelope only', { skip }, async (t) => {
  const server = await redis(t);
  const sink = await startSmtpSink();
  server.defer(() => sink.close());
  const url = `${server.url}?queue=mail-a`;
  const mailers = [new Mailer({ transport: url }), new Mailer({ transport: url })];
  const results = await Promise.all(Array.from({ length: 60 }, (_, i) => mail(mailers[i % 2] as Mailer, `queued ${i}`).Send()));
  assert.ok(results.every((r) => r.transport === 'queue' && /^queued as /u.test(r.response ?? '')));
  await Promise.all(mailers.map((m) => m.close()));
  const workers = await Promise.all([startMailWorker({ redis: url, smtp: sink.url, concurrency: 5 }), startMailWorker({ redis: url, smtp: sink.url, concurrency: 5 })]);
  server.defer(() => Promise.all(workers.map((w) => w.close())));
  const delivered = (): number => workers.reduce((n, w) => n + w.stats().delivered, 0);
  for (let waited = 0; (sink.messages.length < 60 || delivered() < 60) && waited < 15_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 200)); // a message sent twice would arrive meanwhile
  const subjects = await Promise.all(sink.messages.map(async (m) => (await parseMail(m.raw)).subject));
  assert.equal(subjects.length, 60);
  assert.equal(new Set(subjects).size, 60, 'each message once');
  assert.deepEqual(sink.messages[0]?.to, ['user@example.com', 'audit@example.com']);
  assert.doesNotMatch(sink.messages[0]?.raw.toString() ?? '', /audit@example\.com/u);
  assert.equal(delivered(), 60);
});

test('the job id is the Message-ID: sending the same message twice enqueues it once', { skip }, async (t) => {
  const server = await redis(t);
  const url = `${server.url}?queue=mail-b`;
  const transport = new QueueTransport(url);
  const transporter = nodemailer.createTransport(transport);
  const message = { from: 'a@example.com', to: 'b@example.com', subject: 'once', text: 'x', messageId: '<same-id@example.com>' };
  await transporter.sendMail(message);
  await transporter.sendMail(message);
  const queue = new Queue('mail-b', { connection: { host: '127.0.0.1', port: server.port } });
  server.defer(() => queue.close());
  assert.equal(await queue.getWaitingCount(), 1);
  await transport.close();
});

test('Redis unreachable: a typed error within the timeout, never a hang; the NewMail stays usable', { skip }, async (t) => {
  const server = await redis(t);
  await server.stop();
  const mailer = new Mailer({ transport: `${server.url}?queue=mail-c&timeout=1000` });
  server.defer(() => mailer.close());
  const m = mail(mailer, 'nowhere');
  const started = Date.now();
  await assert.rejects(m.Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_FAILED_TO_CONNECT');
  assert.ok(Date.now() - started < 4_000, `failed after ${Date.now() - started} ms`);
  assert.equal(m.state, 'composing');
});

test('messages over the size limit are refused with a clear error, not stored', { skip }, async (t) => {
  const server = await redis(t);
  const mailer = new Mailer({ transport: `${server.url}?queue=mail-d&maxBytes=2000` });
  server.defer(() => mailer.close());
  const m = mail(mailer, 'big');
  m.Body = `<p>${'x'.repeat(5000)}</p>`;
  await assert.rejects(m.Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_STRING_TOO_LONG');
});

test('temporary failures are retried with back-off; permanent ones land in the failed set with the SMTP reply', { skip }, async (t) => {
  const server = await redis(t);
  const flaky = await startScriptedSmtp({ dataEnd: '451 4.3.0 try later' });
  server.defer(() => flaky.close());
  const url = `${server.url}?queue=mail-e&attempts=5&backoff=100`;
  const mailer = new Mailer({ transport: url });
  await mail(mailer, 'eventually').Send();
  await mailer.close();
  const worker = await startMailWorker({ redis: url, smtp: `smtp://127.0.0.1:${flaky.port}` });
  server.defer(() => worker.close());
  for (let waited = 0; worker.stats().retrying < 1 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  flaky.script = {};
  for (let waited = 0; worker.stats().delivered < 1 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  assert.equal(worker.stats().delivered, 1);

  const refusing = await startScriptedSmtp({ rcpt: '550 5.1.1 no such user' });
  server.defer(() => refusing.close());
  const url2 = `${server.url}?queue=mail-f&attempts=5&backoff=100`;
  const mailer2 = new Mailer({ transport: url2 });
  await mail(mailer2, 'never').Send();
  await mailer2.close();
  const worker2 = await startMailWorker({ redis: url2, smtp: `smtp://127.0.0.1:${refusing.port}` });
  server.defer(() => worker2.close());
  const queue = new Queue('mail-f', { connection: { host: '127.0.0.1', port: server.port } });
  server.defer(() => queue.close());
  for (let waited = 0; (await queue.getFailedCount()) < 1 && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  const [failed] = await queue.getFailed();
  assert.match(failed?.failedReason ?? '', /550 5\.1\.1 no such user/u);
  assert.equal(failed?.attemptsMade, 1, 'a permanent failure is not retried');
});

test('Redis restarted under load: every Send resolves or fails typed, and every one that resolved is delivered', { skip }, async (t) => {
  const { tempDir } = await import('./support/temp-dir.js');
  const server = await startRedis({ durableIn: await tempDir(t) });
  const sink = await startSmtpSink();
  const url = `${server.url}?queue=restart&timeout=1500`;
  const mailer = new Mailer({ transport: url });
  // A job the worker held when Redis died stays locked until its lock expires, then is taken
  // again (stalled): a 2 s lock brings it back well within the wait below; BullMQ's default
  // (30 s, checked every 30 s) did not, and failed a CI run on the loaded machine.
  const worker = await startMailWorker({ redis: url, smtp: sink.url, concurrency: 5, lockDurationMs: 2_000 });
  t.after(async () => {
    await worker.close();
    await mailer.close();
    await sink.close();
    await server.stop();
  });
  const outcomes: Array<{ subject: string; ok: boolean }> = [];
  let restartedAt = 0;
  const recovered = (): boolean => outcomes.length >= 5 && outcomes.slice(-5).every((o) => o.ok);
  const sending = (async () => {
    // keep sending through the outage, and after Redis is back until five in a row succeed (or 15 s)
    for (let i = 0; restartedAt === 0 || (!recovered() && Date.now() - restartedAt < 15_000); i++) {
      const subject = `restart ${i}`;
      try {
        await mail(mailer, subject).Send();
        outcomes.push({ subject, ok: true });
      } catch (error) {
        assert.ok(isCdoError(error), `a typed error, got ${String(error)}`);
        outcomes.push({ subject, ok: false });
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  await new Promise((r) => setTimeout(r, 400));
  await server.stop(); // kill -9 of Redis under load
  await new Promise((r) => setTimeout(r, 600));
  await server.start();
  restartedAt = Date.now();
  await sending;
  const acknowledged = outcomes.filter((o) => o.ok).map((o) => o.subject);
  for (let waited = 0; waited < 20_000; waited += 50) {
    const got = new Set(await Promise.all(sink.messages.map(async (m) => (await parseMail(m.raw)).subject)));
    if (acknowledged.every((s) => got.has(s))) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const delivered = new Set(await Promise.all(sink.messages.map(async (m) => (await parseMail(m.raw)).subject)));
  const lost = acknowledged.filter((s) => !delivered.has(s));
  assert.deepEqual(lost, [], 'nothing acknowledged was lost');
  assert.ok(recovered(), `senders recover once Redis is back: ${outcomes.map((o) => (o.ok ? '+' : '-')).join('')}`);
  t.diagnostic(`${acknowledged.length} acknowledged and delivered, ${outcomes.length - acknowledged.length} refused during the outage`);
});

test('worker: local domains go to the drop folder; a permanent failure bounces to the sender from the null sender', { skip }, async (t) => {
  const { tempDir } = await import('./support/temp-dir.js');
  const { readdir, readFile } = await import('node:fs/promises');
  const server = await redis(t);
  const drop = await tempDir(t);
  const sink = await startSmtpSink({ rejectRecipient: (a) => (a === 'gone@remote.example' ? { code: 550, message: '5.1.1 no such user' } : undefined) });
  server.defer(() => sink.close());
  const url = `${server.url}?queue=mail-g&attempts=3&backoff=50`;
  const mailer = new Mailer({ transport: url });
  const local = new NewMail({ mailer });
  local.From = 'app@example.com';
  local.To = 'jane@intranet.example; bob@remote.example';
  local.Subject = 'mixed';
  await local.Send();
  const failing = new NewMail({ mailer });
  failing.From = 'app@example.com';
  failing.To = 'gone@remote.example';
  failing.Subject = 'will bounce';
  await failing.Send();
  await mailer.close();
  const worker = await startMailWorker({ redis: url, smtp: sink.url, localDomains: ['intranet.example'], drop, bounce: true });
  server.defer(() => worker.close());
  for (let waited = 0; sink.messages.length < 2 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  const remote = sink.messages.find((m) => m.from === 'app@example.com');
  assert.deepEqual(remote?.to, ['bob@remote.example']);
  const dropped = await readdir(drop);
  assert.equal(dropped.length, 1);
  assert.match(await readFile(`${drop}/${dropped[0] ?? ''}`, 'utf8'), /^X-Sender: app@example\.com\r\nX-Receiver: jane@intranet\.example\r\n/u);
  const dsn = sink.messages.find((m) => m.from === '');
  assert.deepEqual(dsn?.to, ['app@example.com']);
  assert.match(dsn?.raw.toString() ?? '', /Final-Recipient: rfc822; gone@remote\.example\r\nAction: failed\r\nStatus: 5\.1\.1/u);
});

test('the queue transport and the worker also take ioredis connection options (host, port, db; Sentinel: queue-sentinel.test.ts)', { skip }, async (t) => {
  const server = await redis(t);
  const sink = await startSmtpSink();
  server.defer(() => sink.close());
  const spec = { redis: { host: '127.0.0.1', port: server.port, db: 1 }, queue: 'mail-h' };
  const mailer = new Mailer({ transport: spec });
  const result = await mail(mailer, 'by options').Send();
  assert.equal(result.transport, 'queue');
  await mailer.close();
  const worker = await startMailWorker({ redis: spec, smtp: sink.url });
  server.defer(() => worker.close());
  for (let waited = 0; sink.messages.length < 1 && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  assert.equal((await parseMail(sink.messages[0]?.raw ?? '')).subject, 'by options');
  assert.throws(() => new Mailer({ transport: { redis: { host: '127.0.0.1' }, queue: 'bad name!' } }), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_SEND_OPTION');
});

test('worker: a 550 for one recipient does not hide behind the others being accepted — it is bounced', { skip }, async (t) => {
  const server = await redis(t);
  const sink = await startSmtpSink({ rejectRecipient: (a) => (a === 'gone@example.com' ? { code: 550, message: '5.1.1 no such user' } : undefined) });
  server.defer(() => sink.close());
  const url = `${server.url}?queue=mail-i`;
  const mailer = new Mailer({ transport: url });
  const m = new NewMail({ mailer });
  m.From = 'app@example.com';
  m.To = 'ok@example.com; gone@example.com';
  m.Subject = 'partly';
  await m.Send();
  await mailer.close();
  const worker = await startMailWorker({ redis: url, smtp: sink.url, bounce: true });
  server.defer(() => worker.close());
  // The sink has a message before the worker counts it delivered (the 250 reply, then the job's completion).
  for (let waited = 0; (sink.messages.length < 2 || worker.stats().delivered < 2) && waited < 10_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(sink.messages.find((x) => x.from === 'app@example.com')?.to, ['ok@example.com']);
  assert.match(sink.messages.find((x) => x.from === '')?.raw.toString() ?? '', /Final-Recipient: rfc822; gone@example\.com/u);
  assert.equal(worker.stats().delivered, 2, 'the message to ok@, then the bounce itself (it goes through the same queue)');
});
