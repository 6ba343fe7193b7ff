// kill -9 of the relay (a child process) at random points during a 1,000-message backlog,
// restarted each time: every message arrives; duplicates are counted and reported.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { NewMail } from '../src/new-mail.js';
import { Mailer } from '../src/mailer.js';
import { startScriptedSmtp } from './support/scripted-smtp.js';
import { tempDir } from './support/temp-dir.js';
import { needsScript } from './support/requirement.js';

const BACKLOG = 1_000;
const BIN = resolve(import.meta.dirname, '..', 'bin', 'cdonts.js');

/**
 * Runs a relay to its end or, with `kill`, kills it with SIGKILL once the server has
 * accepted `after` more messages from it — so every kill lands while the relay delivers
 * (a timer would often fire while Node is still booting on a busy machine), or once
 * everything has arrived.
 */
function runRelay(args: string[], kill?: { delivered: () => number; after: number; allDone: () => boolean }): Promise<{ code: number | null; killed: boolean }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, 'relay', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    const start = kill?.delivered() ?? 0;
    const poll =
      kill === undefined
        ? undefined
        : setInterval(() => {
            if (kill.delivered() - start >= kill.after || kill.allDone()) child.kill('SIGKILL');
          }, 2);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      done({ code, killed: signal === 'SIGKILL' });
    });
  });
}

test(`relay killed with SIGKILL at random points during a ${BACKLOG}-message backlog: every message arrives`, async (t) => {
  const root = await tempDir(t);
  const pickup = join(root, 'pickup');
  await mkdir(pickup);
  // A slightly slow server, so that kills land mid-delivery as well as between deliveries.
  const server = await startScriptedSmtp({ delayMs: 1 });
  t.after(() => server.close());
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  for (let start = 0; start < BACKLOG; start += 100) {
    await Promise.all(
      Array.from({ length: 100 }, (_, k) => {
        const mail = new NewMail({ mailer });
        mail.From = 'a@example.com';
        mail.To = 'b@example.com';
        mail.Subject = `crash ${start + k}`;
        mail.Body = 'x';
        return mail.Send();
      }),
    );
  }
  await mailer.close();
  const args = ['--pickup', pickup, '--smtp', `smtp://127.0.0.1:${server.port}`, '--retry-base', '0.05', '--concurrency', '20'];
  let kills = 0;
  let interrupted = 0; // deliveries a killed relay left in flight (NAME.PID.sending in the queue)
  let deliveredByKilled = 0;
  const received = (): string[] => server.received.map((raw) => /^Subject: (crash \d+)\r$/mu.exec(raw)?.[1] ?? '');
  const queue = join(root, 'queue');
  for (let runs = 0; new Set(received()).size < BACKLOG && runs < 40; runs++) {
    const before = server.received.length;
    const { killed } = await runRelay(args, { delivered: () => server.received.length, after: 1 + Math.floor(Math.random() * 80), allDone: () => new Set(received()).size >= BACKLOG });
    if (!killed) continue;
    kills++;
    deliveredByKilled += server.received.length - before;
    interrupted += (await readdir(queue).catch(() => [])).filter((n) => n.endsWith('.sending')).length;
  }
  // The test proves something only if the kills landed while the relay was delivering.
  assert.ok(kills >= 1 && deliveredByKilled >= 1, `killed relays delivered ${deliveredByKilled} messages over ${kills} kills`);
  assert.ok(interrupted >= 1, 'at least one kill left a delivery in flight for the next relay to recover');
  assert.equal((await runRelay([...args, '--once'])).code, 0, 'a final relay drains whatever is left and exits cleanly');
  const subjects = received();
  const unique = new Set(subjects);
  assert.equal(unique.size, BACKLOG, 'every message arrived');
  for (let i = 0; i < BACKLOG; i++) assert.ok(unique.has(`crash ${i}`));
  assert.deepEqual(await readdir(pickup), []);
  assert.deepEqual((await readdir(queue)).filter((n) => !n.endsWith('.json')), [], 'queue empty: every in-flight file was recovered');
  const duplicates = subjects.length - unique.size;
  t.diagnostic(`${kills} kills, ${deliveredByKilled} deliveries by relays that were then killed, ${interrupted} deliveries left in flight and recovered; ${duplicates} duplicate deliveries of ${BACKLOG} (${((duplicates / BACKLOG) * 100).toFixed(2)} %), each from a kill between the server's acceptance and the relay's bookkeeping`);
  assert.ok(duplicates <= kills * 20, 'duplicates only from deliveries in flight at a kill (at most concurrency per kill)');
});

test('SIGTERM stops the relay gracefully: deliveries in flight finish, nothing is left half-done', async (t) => {
  const root = await tempDir(t);
  const pickup = join(root, 'pickup');
  await mkdir(pickup);
  const server = await startScriptedSmtp({ delayMs: 2 });
  t.after(() => server.close());
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  await Promise.all(
    Array.from({ length: 200 }, (_, i) => {
      const mail = new NewMail({ mailer });
      mail.From = 'a@example.com';
      mail.To = 'b@example.com';
      mail.Subject = `term ${i}`;
      return mail.Send();
    }),
  );
  await mailer.close();
  const child = spawn(process.execPath, [BIN, 'relay', '--pickup', pickup, '--smtp', `smtp://127.0.0.1:${server.port}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // SIGTERM in the middle of the backlog: once some messages went out, well before all did.
  for (let waited = 0; server.received.length < 10 && waited < 20_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  assert.equal(code, 0);
  assert.match(output, /"type":"delivered"/u, 'structured log lines when not in a terminal');
  assert.match(output, /relay: stopped; \d+ delivered, 0 failed/u);
  const queue = await readdir(join(root, 'queue'));
  assert.deepEqual(queue.filter((n) => n.endsWith('.sending')), [], 'nothing left marked as being sent');
  const delivered = new Set(server.received.map((raw) => /^Subject: (term \d+)\r$/mu.exec(raw)?.[1]));
  const remaining = (await readdir(pickup)).length + queue.filter((n) => n.endsWith('.eml')).length;
  assert.equal(delivered.size + remaining, 200, 'every message is either delivered or still waiting');
});

test('in a terminal the relay shows a live progress line, and --once ends with a summary', { skip: needsScript() }, async (t) => {
  const root = await tempDir(t);
  const pickup = join(root, 'pickup');
  await mkdir(pickup);
  const server = await startScriptedSmtp();
  t.after(() => server.close());
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  await Promise.all(
    Array.from({ length: 5 }, (_, i) => {
      const mail = new NewMail({ mailer });
      mail.From = 'a@example.com';
      mail.To = 'b@example.com';
      mail.Subject = `tty ${i}`;
      return mail.Send();
    }),
  );
  await mailer.close();
  // util-linux `script` gives the relay a real pseudo-terminal.
  const command = [process.execPath, BIN, 'relay', '--pickup', pickup, '--smtp', `smtp://127.0.0.1:${server.port}`, '--once'].map((a) => `'${a}'`).join(' ');
  const output = await new Promise<string>((done, fail) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? done(text) : fail(new Error(`exit ${code}: ${text}`))));
  });
  assert.match(output, /\rdelivered \d+ {2}retrying \d+ {2}queued \d+ {2}failed 0/u, 'a progress line rewritten in place');
  assert.doesNotMatch(output, /"type":"delivered"/u, 'no JSON lines in a terminal');
  assert.match(output, /relay: 5 delivered, 0 failed, 0 waiting to retry/u);
});
