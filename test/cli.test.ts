import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { parseMail, addresses } from './support/parse-mail.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { tempDir } from './support/temp-dir.js';

const BIN = resolve(import.meta.dirname, '..', 'bin', 'cdonts.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cdonts(args: string[], options: { cwd: string; env?: Record<string, string>; input?: string }): Promise<Run> {
  return new Promise((resolvePromise) => {
    const env = { ...process.env, CDONTS_TRANSPORT: '', CDONTS_PICKUP_DIR: '', ...options.env };
    const child = execFile(process.execPath, [BIN, ...args], { cwd: options.cwd, env, timeout: 20_000 }, (error, stdout, stderr) => {
      resolvePromise({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
    child.stdin?.end(options.input ?? '');
  });
}

test('quick start: `cdonts send` writes into ./mailroot/pickup and says where', async (t) => {
  const cwd = await tempDir(t);
  const run = await cdonts(['send', '--from', 'web@example.com', '--to', 'you@example.com', '--subject', 'Hello', '--body', 'It works'], { cwd });
  assert.equal(run.code, 0, run.stderr);
  const match = /^sent via pickup: (.+\.eml)$/mu.exec(run.stdout);
  assert.ok(match, run.stdout);
  const files = await readdir(join(cwd, 'mailroot', 'pickup'));
  assert.deepEqual(files.map((f) => join(cwd, 'mailroot', 'pickup', f)), [match[1]]);
  assert.match(run.stdout, /^Message-ID: <.+>$/mu);
  const parsed = await parseMail(await readFile(match[1] ?? ''));
  assert.equal(parsed.subject, 'Hello');
  assert.equal(parsed.text?.trim(), 'It works');
});

test('every option: markdown body from a file, attachments, headers, importance, over SMTP', async (t) => {
  const cwd = await tempDir(t);
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  await writeFile(join(cwd, 'body.md'), '# Report\n\nAll **green**.');
  await writeFile(join(cwd, 'data.csv'), 'a,b\n1,2\n');
  const run = await cdonts(
    ['send', '--from', 'Ops <ops@example.com>', '--to', 'a@example.com', '--to', 'b@example.com', '--cc', 'c@example.com', '--bcc', 'd@example.com',
      '--subject', 'Daily', '--body-file', 'body.md', '--format', 'markdown', '--attach', 'data.csv', '--importance', 'high',
      '--header', 'Reply-To: help@example.com', '--header', 'X-Run: 42', '--transport', sink.url],
    { cwd },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^sent via smtp: 250 /mu);
  const [message] = sink.messages;
  assert.deepEqual(message?.to, ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com']);
  const parsed = await parseMail(message?.raw ?? '');
  assert.deepEqual(addresses(parsed.to), ['a@example.com', 'b@example.com']);
  assert.equal(parsed.bcc, undefined);
  assert.match(String(parsed.html), /<h1>Report<\/h1>/u);
  assert.match(parsed.text ?? '', /All green\./u);
  assert.equal(parsed.attachments[0]?.filename, 'data.csv');
  assert.equal(parsed.attachments[0]?.content.toString(), 'a,b\n1,2\n');
  assert.equal(parsed.headers.get('x-run'), '42');
  assert.equal(parsed.headers.get('priority'), 'high');
});

test('--body-file - reads standard input', async (t) => {
  const cwd = await tempDir(t);
  const run = await cdonts(['send', '--from', 'a@example.com', '--to', 'b@example.com', '--body-file', '-', '--dry-run'], { cwd, input: 'from stdin' });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /from stdin/u);
});

test('--dry-run prints the message and sends nothing', async (t) => {
  const cwd = await tempDir(t);
  const run = await cdonts(['send', '--from', 'a@example.com', '--to', 'b@example.com', '--bcc', 'secret@example.com', '--subject', 'Dry', '--body', '<p>hi</p>', '--format', 'html', '--dry-run'], { cwd });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^Subject: Dry\r?$/mu);
  assert.match(run.stdout, /multipart\/alternative/u);
  assert.doesNotMatch(run.stdout, /secret@example\.com/u);
  assert.match(run.stderr, /dry run: nothing sent \(Message-ID <.+>\)/u);
  await assert.rejects(readdir(join(cwd, 'mailroot')), { code: 'ENOENT' });
});

test('CDONTS_PICKUP_DIR and CDONTS_TRANSPORT choose the destination without code changes', async (t) => {
  const cwd = await tempDir(t);
  const pickup = join(cwd, 'elsewhere');
  const viaDir = await cdonts(['send', '--from', 'a@example.com', '--to', 'b@example.com'], { cwd, env: { CDONTS_PICKUP_DIR: pickup } });
  assert.equal(viaDir.code, 0, viaDir.stderr);
  assert.equal((await readdir(pickup)).length, 1);
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const viaUrl = await cdonts(['send', '--from', 'a@example.com', '--to', 'b@example.com'], { cwd, env: { CDONTS_TRANSPORT: sink.url } });
  assert.equal(viaUrl.code, 0, viaUrl.stderr);
  assert.equal(sink.messages.length, 1);
});

test('bad arguments: one line on stderr, exit 2, no stack trace', async (t) => {
  const cwd = await tempDir(t);
  const cases: string[][] = [
    ['send', '--frm', 'x'],
    ['send', '--to', 'b@example.com'],
    ['send', '--from', 'a@example.com'],
    ['send', '--from', 'a@example.com', '--to', 'not an address'],
    ['send', '--from', 'a@example.com', '--to', 'b@example.com', '--format', 'pdf'],
    ['send', '--from', 'a@example.com', '--to', 'b@example.com', '--importance', 'urgent'],
    ['send', '--from', 'a@example.com', '--to', 'b@example.com', '--header', 'no colon'],
    ['send', '--from', 'a@example.com', '--to', 'b@example.com', '--subject', 'x\r\nBcc: evil@example.com'],
    ['send', '--from', 'a@example.com', '--to', 'b@example.com', '--transport', 'gopher://x'],
    ['frobnicate'],
    [],
  ];
  for (const args of cases) {
    const run = await cdonts(args, { cwd });
    assert.equal(run.code, 2, `${args.join(' ')} → ${run.code} ${run.stderr}`);
    assert.doesNotMatch(run.stderr, /\n\s+at /u, 'no stack trace');
    if (args.length > 0) assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  }
  await assert.rejects(readdir(join(cwd, 'mailroot')), { code: 'ENOENT' }, 'nothing was written');
});

test('an unreadable attachment or body file exits 3; an unreachable server exits 1', async (t) => {
  const cwd = await tempDir(t);
  const missing = await cdonts(['send', '--from', 'a@example.com', '--to', 'b@example.com', '--attach', 'nope.pdf'], { cwd });
  assert.equal(missing.code, 3, missing.stderr);
  assert.match(missing.stderr, /^cdonts: CDO_E_NOT_FOUND: /u);
  const noBody = await cdonts(['send', '--from', 'a@example.com', '--to', 'b@example.com', '--body-file', 'nope.txt'], { cwd });
  assert.equal(noBody.code, 3, noBody.stderr);
  const down = await cdonts(['send', '--from', 'a@example.com', '--to', 'b@example.com', '--transport', 'smtp://127.0.0.1:1'], { cwd });
  assert.equal(down.code, 1, down.stderr);
  assert.match(down.stderr, /^cdonts: CDO_E_FAILED_TO_CONNECT: /u);
});

test('--help prints the usage and exits 0', async (t) => {
  const cwd = await tempDir(t);
  const run = await cdonts(['send', '--help'], { cwd });
  assert.equal(run.code, 0);
  assert.match(run.stdout, /Usage: cdonts send/u);
  assert.match(run.stdout, /Exit codes:/u);
});

test('inbox and relay: --help and bad arguments', async (t) => {
  const cwd = await tempDir(t);
  assert.equal((await cdonts(['inbox', '--help'], { cwd })).code, 0);
  assert.equal((await cdonts(['relay', '--help'], { cwd })).code, 0);
  for (const args of [['inbox', '--port', 'abc'], ['inbox', 'a', 'b'], ['relay', '--pickup', 'x'], ['relay', '--smtp', 'smtp://127.0.0.1:25', '--concurrency', '-1']]) {
    const run = await cdonts(args, { cwd });
    assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.equal(run.stderr.trim().split('\n').length, 1);
  }
});
