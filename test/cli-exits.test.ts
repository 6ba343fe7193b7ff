// The CLI's documented exit codes and flags, each against a real server or folder.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { parseMail } from './support/parse-mail.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { tempDir } from './support/temp-dir.js';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'cdonts.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cdonts(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolvePromise) => {
    const env = { ...process.env, CDONTS_TRANSPORT: '', CDONTS_PICKUP_DIR: '' };
    execFile(process.execPath, [BIN, ...args], { cwd, env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolvePromise({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

async function queueMail(pickup: string, mails: Array<{ to: string; subject: string; from?: string }>): Promise<void> {
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  for (const { to, subject, from = 'sender@example.com' } of mails) {
    const m = new NewMail({ mailer });
    m.From = from;
    m.To = to;
    m.Subject = subject;
    m.Body = 'x';
    await m.Send();
  }
  await mailer.close();
}

test('cdonts send exits 1 with one typed line when the server answers 550', async (t) => {
  const cwd = await tempDir(t);
  const sink = await startSmtpSink({ rejectRecipient: () => ({ code: 550, message: '5.1.1 no such user' }) });
  t.after(() => sink.close());
  const run = await cdonts(['send', '--from', 'a@example.com', '--to', 'gone@example.com', '--body', 'x', '--transport', sink.url], cwd);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^cdonts: CDO_E_\w+: .*550/u);
  assert.equal(run.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  assert.equal(sink.messages.length, 0);
});

test('cdonts send exits 1 when the pickup directory cannot be written (its path is a file)', async (t) => {
  const cwd = await tempDir(t);
  await writeFile(join(cwd, 'not-a-dir'), 'x');
  const run = await cdonts(['send', '--from', 'a@example.com', '--to', 'b@example.com', '--body', 'x', '--transport', `pickup:${join(cwd, 'not-a-dir')}`], cwd);
  assert.equal(run.code, 1, run.stderr);
  assert.match(run.stderr, /^cdonts: CDO_E_NO_PICKUP_DIR: /u);
  // The same below a file: the directory cannot be created.
  const below = await cdonts(['send', '--from', 'a@example.com', '--to', 'b@example.com', '--body', 'x', '--transport', `pickup:${join(cwd, 'not-a-dir', 'pickup')}`], cwd);
  assert.equal(below.code, 1, below.stderr);
});

test('relay --once exits 1 when a message failed, and moves it to badmail; 0 when all went out', async (t) => {
  const dir = await tempDir(t);
  const pickup = join(dir, 'pickup');
  const sink = await startSmtpSink({ rejectRecipient: (a) => (a.startsWith('gone@') ? { code: 550, message: '5.1.1 no such user' } : undefined) });
  t.after(() => sink.close());
  await queueMail(pickup, [{ to: 'gone@example.com', subject: 'fails' }]);
  const failed = await cdonts(['relay', '--pickup', pickup, '--smtp', sink.url, '--once'], dir);
  assert.equal(failed.code, 1, failed.stderr);
  assert.equal((await readdir(join(dir, 'badmail'))).filter((n) => n.endsWith('.eml')).length, 1);
  await queueMail(pickup, [{ to: 'ok@example.com', subject: 'works' }]);
  const ok = await cdonts(['relay', '--pickup', pickup, '--smtp', sink.url, '--once'], dir);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(sink.messages.length, 1);
});

test('relay flags: --local-domain and --drop deliver locally, --bounce sends a DSN, --max-age gives up, --rate is taken', async (t) => {
  const dir = await tempDir(t);
  const pickup = join(dir, 'pickup');
  const drop = join(dir, 'my-drop');
  const sink = await startSmtpSink({
    rejectRecipient: (a) => (a.startsWith('gone@') ? { code: 550, message: '5.1.1 no such user' } : a.startsWith('later@') ? { code: 451, message: '4.3.0 try later' } : undefined),
  });
  t.after(() => sink.close());
  await queueMail(pickup, [
    { to: 'jane@intranet.example', subject: 'local one' },
    { to: 'bob@remote.example', subject: 'remote one' },
    { to: 'gone@remote.example', subject: 'bounces', from: 'author@example.com' },
  ]);
  const run = await cdonts(['relay', '--pickup', pickup, '--smtp', sink.url, '--local-domain', 'intranet.example', '--drop', drop, '--bounce', '--rate', '50', '--once'], dir);
  assert.equal(run.code, 1, 'one message failed');
  const dropped = (await readdir(drop)).filter((n) => n.endsWith('.eml'));
  assert.equal(dropped.length, 1, '--local-domain went to --drop');
  assert.match(await readFile(join(drop, dropped[0] ?? ''), 'utf8'), /^Subject: local one\r$/mu);
  const received = await Promise.all(sink.messages.map(async (m) => ({ from: m.from, to: m.to, subject: (await parseMail(m.raw)).subject ?? '' })));
  assert.ok(received.some((m) => m.subject === 'remote one' && m.to.includes('bob@remote.example')));
  assert.ok(!received.some((m) => m.to.includes('jane@intranet.example')), 'the local recipient was not sent over SMTP');
  const dsn = received.find((m) => m.to.includes('author@example.com'));
  assert.ok(dsn !== undefined, '--bounce: the sender got a delivery status notification');
  assert.equal(dsn.from, '', 'from the null sender');

  // --max-age (hours) that has passed: a temporary failure is not retried, the message goes to badmail.
  await queueMail(pickup, [{ to: 'later@remote.example', subject: 'too old' }]);
  const aged = await cdonts(['relay', '--pickup', pickup, '--smtp', sink.url, '--max-age', '0.000001', '--retry-base', '0.01', '--once'], dir);
  assert.equal(aged.code, 1, aged.stderr);
  const badmail = await readdir(join(dir, 'badmail'));
  assert.equal(badmail.filter((n) => n.endsWith('.eml')).length, 2, 'the bounced message and the one past its age');

  for (const flag of ['--rate', '--max-age']) {
    const bad = await cdonts(['relay', '--pickup', pickup, '--smtp', sink.url, flag, 'soon', '--once'], dir);
    assert.equal(bad.code, 2, `${flag} with a non-number is a usage error`);
  }
});

test('cdonts worker stops promptly on SIGTERM while still connecting to a Redis that never answers', async (t) => {
  const sockets = new Set<Socket>();
  let connected!: () => void;
  const firstConnection = new Promise<void>((resolve) => (connected = resolve));
  const silent = createServer((socket) => {
    sockets.add(socket);
    connected();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });
  const port = (silent.address() as AddressInfo).port;
  const child = spawn(process.execPath, [BIN, 'worker', '--redis', `redis://127.0.0.1:${port}/0?queue=q`, '--smtp', 'smtp://127.0.0.1:1', '--connect-timeout', '120000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await firstConnection; // the worker is connecting now, and will not hear back
  // The connect timeout is two minutes: an exit before the test's own timeout is the SIGTERM's doing.
  const hang = setTimeout(() => child.kill('SIGKILL'), 30_000);
  child.kill('SIGTERM');
  const { code, signal } = await exited;
  clearTimeout(hang);
  assert.equal(signal, null, `the worker did not end on SIGTERM by itself (killed by ${signal ?? ''}); stderr: ${stderr}`);
  assert.ok(code === 0 || code === 1, `exit code ${code}`);
  assert.doesNotMatch(stdout, /"type":"ready"/u, 'it never got connected');
  assert.doesNotMatch(stderr, /at .+:\d+:\d+/u, 'no stack trace');
});
