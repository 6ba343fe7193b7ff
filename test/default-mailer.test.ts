import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { configure, close, getDefaultMailer } from '../src/default-mailer.js';
import { converter } from '../src/converter/converter.js';
import { NewMail } from '../src/new-mail.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { MemoryTransport } from '../src/transports/memory-transport.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { tempDir } from './support/temp-dir.js';

function mail(): NewMail {
  const m = new NewMail();
  m.From = 'a@example.com';
  m.To = 'b@example.com';
  m.BodyFormat = 'markdown';
  m.MailFormat = 0;
  m.Body = '*hello*';
  return m;
}

test('configure() picks the transport; close() drains in-flight sends, then stops the converter', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  configure({ transport: sink.url, converterLingerMs: 60_000 });
  const sends = Array.from({ length: 20 }, () => mail().Send());
  await close();
  assert.equal(sink.messages.length, 20, 'every send in flight when close() was called was delivered');
  assert.ok((await Promise.all(sends)).every((r) => r.transport === 'smtp'));
  assert.equal(converter.stats().state, 'idle');
  assert.equal(converter.stats().refs, 0);
  await close(); // idempotent
  await mail().Send(); // and the next send starts afresh with the same configuration
  assert.equal(sink.messages.length, 21);
  await close();
});

test('a new transport applies to the next Send; the old one drains in the background', async (t) => {
  const first = await startSmtpSink();
  const second = await startSmtpSink();
  t.after(() => Promise.all([first.close(), second.close()]));
  configure({ transport: first.url });
  const inFlight = mail().Send();
  configure({ transport: second.url });
  await mail().Send();
  await inFlight;
  await close();
  assert.equal(first.messages.length, 1);
  assert.equal(second.messages.length, 1);
});

test('configure() accepts a nodemailer transport object and refuses unknown options and bad URLs', async () => {
  const memory = new MemoryTransport();
  configure({ transport: memory });
  await mail().Send();
  assert.equal(memory.messages.length, 1);
  assert.throws(() => configure({ transprot: 'x' } as never), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER');
  assert.throws(() => configure({ transport: 'carrier-pigeon:' }), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_SEND_OPTION');
  assert.equal(getDefaultMailer().transportName, 'memory', 'a refused configure() changes nothing');
  await close();
});

test('attachmentRoot from configure() applies to AttachFile', async (t) => {
  const root = await tempDir(t);
  await writeFile(join(root, 'ok.txt'), 'ok');
  configure({ transport: 'memory:', attachmentRoot: root });
  const m = mail();
  m.AttachFile(join(root, 'ok.txt'));
  assert.throws(() => m.AttachFile(resolve(import.meta.filename)), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_NO_ACCESS');
  await m.Send();
  await close();
});

// These two run the built package (dist/), as a user's script would.
test('with nothing configured, a script writes to ./mailroot/pickup and exits promptly without close()', async (t) => {
  const cwd = await tempDir(t);
  const script = `
    import { NewMail } from ${JSON.stringify(pathToFileURL(resolve(import.meta.dirname, '..', 'dist', 'index.js')).href)};
    const m = new NewMail();
    m.From = 'a@example.com'; m.To = 'b@example.com'; m.BodyFormat = 'html'; m.MailFormat = 0; m.Body = '<p>x</p>';
    const r = await m.Send();
    console.log(r.path);`;
  await writeFile(join(cwd, 'script.mjs'), script);
  const started = Date.now();
  const stdout = await new Promise<string>((res, rej) =>
    execFile(process.execPath, ['script.mjs'], { cwd, env: { ...process.env, CDONTS_TRANSPORT: '', CDONTS_PICKUP_DIR: '' }, timeout: 20_000 }, (error, out) => (error === null ? res(out) : rej(new Error(error.message)))),
  );
  const elapsed = Date.now() - started;
  assert.match(stdout.trim(), /mailroot\/pickup\/.+\.eml$/u);
  assert.equal((await readdir(join(cwd, 'mailroot', 'pickup'))).length, 1);
  assert.ok(elapsed < 10_000, `exited after ${elapsed} ms; the converter linger must not hold the process`);
});

test('a script that sends over pooled SMTP exits promptly without close(), and the message arrived', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const cwd = await tempDir(t);
  const script = `
    import { NewMail, configure } from ${JSON.stringify(pathToFileURL(resolve(import.meta.dirname, '..', 'dist', 'index.js')).href)};
    configure({ transport: ${JSON.stringify(sink.url)}, converterLingerMs: 600000 });
    await Promise.all([1, 2, 3].map(async (i) => {
      const m = new NewMail();
      m.From = 'a@example.com'; m.To = 'b@example.com'; m.Subject = 'n' + i; m.BodyFormat = 'html'; m.MailFormat = 0; m.Body = '<p>x</p>';
      await m.Send();
    }));`;
  await writeFile(join(cwd, 'script.mjs'), script);
  const started = Date.now();
  await new Promise<void>((res, rej) =>
    execFile(process.execPath, ['script.mjs'], { cwd, timeout: 20_000 }, (error) => (error === null ? res() : rej(new Error(error.message)))),
  );
  const elapsed = Date.now() - started;
  assert.equal(sink.messages.length, 3);
  assert.ok(elapsed < 10_000, `exited after ${elapsed} ms; pooled sockets and linger timers must not hold the process`);
});
