// `cdonts worker`'s flags, through the CLI against a real Redis and SMTP server:
// --local-domain/--drop write locally, --bounce sends a DSN, --rate is taken, bad values exit 2.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { parseMail } from './support/parse-mail.js';
import { startRedis } from './support/redis-server.js';
import { needsRedis } from './support/requirement.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { tempDir } from './support/temp-dir.js';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'cdonts.js');
const skip = needsRedis();

test('cdonts worker --local-domain --drop --bounce --rate: local recipients to the drop folder, remote over SMTP, a DSN for the 550', { skip }, async (t) => {
  const cleanups: Array<() => unknown> = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const redis = await startRedis();
  cleanups.push(() => redis.stop());
  const sink = await startSmtpSink({ rejectRecipient: (a) => (a === 'gone@remote.example' ? { code: 550, message: '5.1.1 no such user' } : undefined) });
  cleanups.push(() => sink.close());
  const dir = await tempDir(t);
  const drop = join(dir, 'drop');
  const url = `${redis.url}?queue=flags&attempts=2&backoff=50`;
  const mailer = new Mailer({ transport: url });
  for (const [to, subject] of [['jane@intranet.example; bob@remote.example', 'mixed'], ['gone@remote.example', 'will bounce']] as const) {
    const m = new NewMail({ mailer });
    m.From = 'author@example.com';
    m.To = to;
    m.Subject = subject;
    m.Body = 'x';
    await m.Send();
  }
  await mailer.close();

  const worker = spawn(process.execPath, [BIN, 'worker', '--redis', url, '--smtp', sink.url, '--local-domain', 'intranet.example', '--drop', drop, '--bounce', '--rate', '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((done) => worker.once('exit', (code) => done(code)));
  cleanups.push(() => (worker.exitCode === null && worker.signalCode === null ? worker.kill('SIGKILL') : undefined));
  let out = '';
  worker.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const dsnArrived = (): boolean => sink.messages.some((m) => m.to.includes('author@example.com'));
  for (let waited = 0; (sink.messages.length < 2 || !dsnArrived()) && waited < 20_000; waited += 20) await new Promise((r) => setTimeout(r, 20));

  const remote = sink.messages.find((m) => m.from === 'author@example.com');
  assert.deepEqual(remote?.to, ['bob@remote.example'], 'only the remote recipient went over SMTP');
  const dsn = sink.messages.find((m) => m.to.includes('author@example.com'));
  assert.ok(dsn !== undefined, '--bounce: a delivery status notification reached the sender');
  assert.equal(dsn.from, '', 'from the null sender');
  assert.match(dsn.raw.toString(), /Final-Recipient: rfc822; gone@remote\.example/u);
  const dropped = (await readdir(drop)).filter((n) => n.endsWith('.eml'));
  assert.equal(dropped.length, 1, '--local-domain wrote one file into --drop');
  const local = await readFile(join(drop, dropped[0] ?? ''));
  assert.equal((await parseMail(local)).subject, 'mixed');
  assert.match(local.toString(), /^X-Receiver: jane@intranet\.example\r$/mu);

  worker.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.match(out, /"type":"ready"/u);
  assert.match(out, /"type":"failed"/u, 'the 550 is reported as a failed event');
});

test('cdonts worker: a --rate or --concurrency that is not a positive number is a usage error (exit 2)', async () => {
  for (const args of [['--rate', 'fast'], ['--concurrency', '0'], ['--connect-timeout', '-5']]) {
    const code = await new Promise<number>((done) => {
      execFile(process.execPath, [BIN, 'worker', '--redis', 'redis://127.0.0.1:1/0?queue=q', '--smtp', 'smtp://127.0.0.1:1', ...args], { timeout: 20_000 }, (error) => done(error === null ? 0 : typeof error.code === 'number' ? error.code : -1));
    });
    assert.equal(code, 2, args.join(' '));
  }
});
