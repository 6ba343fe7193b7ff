// What `cdonts worker` writes: a live progress line in a terminal (run under a real
// pseudo-terminal with util-linux `script`), one JSON line per event otherwise.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { startRedis } from './support/redis-server.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { tempDir } from './support/temp-dir.js';
import { needsRedis } from './support/requirement.js';

const skip = needsRedis();
const BIN = resolve(import.meta.dirname, '..', 'bin', 'cdonts.js');

/** Redis, a sink refusing gone@example.com for good, and a cleanup stack run last-in first-out. */
async function setUp(t: TestContext, queue: string) {
  const stack: Array<() => unknown> = [];
  t.after(async () => {
    for (const cleanup of stack.reverse()) await cleanup();
  });
  const defer = (cleanup: () => unknown) => void stack.push(cleanup);
  const redis = await startRedis();
  defer(() => redis.stop());
  const sink = await startSmtpSink({ rejectRecipient: (a) => (a === 'gone@example.com' ? { code: 550, message: '5.1.1 no such user' } : undefined) });
  defer(() => sink.close());
  const url = `${redis.url}?queue=${queue}`;
  const mailer = new Mailer({ transport: url });
  defer(() => mailer.close());
  const send = (to: string, subject: string) => {
    const m = new NewMail({ mailer });
    m.From = 'app@example.com';
    m.To = to;
    m.Subject = subject;
    m.Body = subject;
    return m.Send();
  };
  return { url, sink, send, defer };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => (child.exitCode !== null || child.signalCode !== null ? done(child.exitCode) : child.once('exit', (code) => done(code))));
}

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (const started = Date.now(); !condition() && Date.now() - started < timeoutMs; ) await new Promise((r) => setTimeout(r, 25));
}

test('in a terminal `cdonts worker` keeps one progress line up to date, counting delivered and failed messages', { skip }, async (t) => {
  const { url, sink, send, defer } = await setUp(t, 'tty');
  await Promise.all([send('a@example.com', 'tty 1'), send('b@example.com', 'tty 2'), send('gone@example.com', 'tty refused')]);
  // `script` gives the worker a real pseudo-terminal; the shell writes its pid and becomes the worker.
  const pidFile = join(await tempDir(t), 'worker.pid');
  const command = `echo $$ > '${pidFile}'; exec ${[process.execPath, BIN, 'worker', '--redis', url, '--smtp', sink.url].map((a) => `'${a}'`).join(' ')}`;
  const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'inherit'] });
  defer(() => (child.exitCode === null && child.signalCode === null ? (child.kill('SIGKILL'), exited(child)) : undefined));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));

  await until(() => /delivered 2 {2}retrying 0 {2}failed 1/u.test(output));
  assert.match(output, /\rdelivered 2 {2}retrying 0 {2}failed 1 /u, 'the backlog: two delivered, one refused for good');
  // Mail that arrives while it runs moves the same line on.
  await Promise.all([send('c@example.com', 'tty 3'), send('d@example.com', 'tty 4')]);
  await until(() => /delivered 4 {2}retrying 0 {2}failed 1/u.test(output));
  const pid = Number(await readFile(pidFile, 'utf8'));
  process.kill(pid, 'SIGTERM');
  assert.equal(await exited(child), 0, output);

  assert.equal(sink.messages.length, 4);
  const updates = [...output.matchAll(/\rdelivered (\d+) {2}retrying (\d+) {2}failed (\d+)/gu)].map((m) => [m[1], m[2], m[3]].map(Number));
  assert.deepEqual(updates.map(([d = 0, r = 0, f = 0]) => d + r + f), [1, 2, 3, 4, 5], `one update per event: ${JSON.stringify(updates)}`);
  assert.deepEqual(updates.at(-1), [4, 0, 1]);
  assert.equal(output.split(/\r?\n/u).filter((line) => line.includes('\rdelivered')).length, 1, 'rewritten in place on one line');
  assert.doesNotMatch(output, /"type":/u, 'no JSON lines in a terminal');
  assert.match(output, /\r?\nworker: stopped; 4 delivered, 1 failed/u, 'a summary on its own line at the end');
});

test('without a terminal `cdonts worker` writes a ready line, then one JSON line per event, and no progress line', { skip }, async (t) => {
  const { url, sink, send, defer } = await setUp(t, 'json');
  await Promise.all([send('a@example.com', 'json 1'), send('gone@example.com', 'json refused')]);
  const child = spawn(process.execPath, [BIN, 'worker', '--redis', url, '--smtp', sink.url], { stdio: ['ignore', 'pipe', 'pipe'] });
  defer(() => (child.exitCode === null && child.signalCode === null ? (child.kill('SIGKILL'), exited(child)) : undefined));
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  await until(() => out.split('\n').length > 3);
  await send('b@example.com', 'json 2');
  await until(() => out.split('\n').length > 4);
  child.kill('SIGTERM');
  assert.equal(await exited(child), 0, err);

  const lines = out.trimEnd().split('\n');
  assert.equal(lines.pop(), 'worker: stopped; 2 delivered, 1 failed');
  const [ready, ...events] = lines.map((line) => JSON.parse(line) as { time: string; type: string; id: string; detail: string });
  assert.equal(ready?.type, 'ready', 'the first line says the worker is connected');
  assert.deepEqual(events.map((e) => e.type).sort(), ['delivered', 'delivered', 'failed']);
  for (const e of events) {
    assert.ok(!Number.isNaN(Date.parse(e.time)) && e.time.endsWith('Z'), `an ISO time: ${e.time}`);
    assert.match(e.id, /^[\w.-]+@example\.com$/u, 'the job id, which is the Message-ID');
  }
  assert.match(events.find((e) => e.type === 'failed')?.detail ?? '', /gone@example\.com: .*550/u);
  assert.equal(err, '', 'nothing on stderr: no progress line');
  assert.equal(sink.messages.length, 2);
});
