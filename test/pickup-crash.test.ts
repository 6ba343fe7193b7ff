// Crash safety of the pickup writer: a child process writing a burst is killed with
// SIGKILL mid-way, repeatedly. No partial .eml is ever visible, every send that resolved
// is on disk intact, and stale temporary files are removed at the next start.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { NewMail } from '../src/new-mail.js';
import { Mailer } from '../src/mailer.js';
import { parseMail } from './support/parse-mail.js';
import { tempDir } from './support/temp-dir.js';

const ROUNDS = 6;
const DIST = pathToFileURL(resolve(import.meta.dirname, '..', 'dist', 'index.js')).href;

const writer = (pickup: string, round: number) => `
import { Mailer, NewMail } from ${JSON.stringify(DIST)};
const mailer = new Mailer({ transport: ${JSON.stringify(`pickup:${pickup}`)} });
const filler = 'x'.repeat(200_000);
let i = 0;
const one = async () => {
  const n = i++;
  const m = new NewMail({ mailer });
  m.From = 'a@example.com'; m.To = 'b@example.com';
  m.Subject = 'r${round} n' + n;
  m.Body = 'token r${round} n' + n + '\\n' + filler + '\\nend r${round} n' + n;
  m.MailFormat = 0;
  const r = await m.Send();
  process.stdout.write('OK ' + r.path + '\\n');
};
// eight writers at a time, forever, until killed
await Promise.all(Array.from({ length: 8 }, async () => { for (;;) await one(); }));
`;

async function runAndKill(dir: string, script: string, killAfterLines: number): Promise<string[]> {
  const file = join(dir, `writer-${Math.random().toString(36).slice(2)}.mjs`);
  await writeFile(file, script);
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const resolved: string[] = [];
  let buffer = '';
  await new Promise<void>((done) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith('OK ')) resolved.push(line.slice(3));
      }
      if (resolved.length >= killAfterLines && child.exitCode === null) child.kill('SIGKILL');
    });
    child.on('exit', () => done());
  });
  return resolved;
}

test(`pickup writer killed with SIGKILL ${ROUNDS} times or more: no partial .eml, every resolved send intact, stale temps cleaned`, async (t) => {
  const dir = await tempDir(t);
  const pickup = join(dir, 'pickup');
  const allResolved: string[] = [];
  let tempsSeen = 0;
  // A kill that lands between two files proves nothing: go on (up to 3× the rounds) until one
  // has caught a writer mid-file and left its temporary behind.
  let round = 0;
  for (; round < ROUNDS || (tempsSeen === 0 && round < ROUNDS * 3); round++) {
    const resolved = await runAndKill(dir, writer(pickup, round), 5 + Math.floor(Math.random() * 40));
    allResolved.push(...resolved);
    const names = await readdir(pickup);
    tempsSeen += names.filter((n) => n.endsWith('.tmp')).length;
    for (const name of names.filter((n) => n.endsWith('.eml'))) {
      const parsed = await parseMail(await readFile(join(pickup, name)));
      const label = parsed.subject ?? '';
      assert.match(label, /^r\d+ n\d+$/u, `${name} has its subject`);
      const text = parsed.text ?? '';
      assert.ok(text.startsWith(`token ${label}\n`) && text.trimEnd().endsWith(`end ${label}`), `${name} is complete`);
    }
    for (const path of resolved) {
      assert.ok(names.includes(path.split('/').pop() ?? ''), `${path} resolved, so it is on disk`);
    }
  }
  assert.ok(allResolved.length >= ROUNDS * 5);
  assert.ok(tempsSeen >= 1, `no kill in ${round} rounds caught a writer mid-file`);
  // The next start removes what the killed writers left behind.
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  const mail = new NewMail({ mailer });
  mail.From = 'a@example.com';
  mail.To = 'b@example.com';
  await mail.Send();
  await mailer.close();
  const after = await readdir(pickup);
  assert.deepEqual(after.filter((n) => n.endsWith('.tmp')), [], 'stale temporary files are removed');
  // Files whose rename happened just before the kill are whole but never reported: >=.
  assert.ok(after.filter((n) => n.endsWith('.eml')).length >= allResolved.length + 1, 'no resolved message vanished');
  for (const path of allResolved) assert.ok(after.includes(path.split('/').pop() ?? ''), `${path} survived the cleanup`);
  t.diagnostic(`${round} kills; ${allResolved.length} sends resolved before them; ${tempsSeen} temporary files were left by killed writers and cleaned`);
});

test('a live writer\'s temporary file is left alone; an abandoned one is removed', async (t) => {
  const dir = await tempDir(t);
  const { removeStaleTemporaries } = await import('../src/transports/pickup-transport.js');
  const mine = `20260101T000000000Z-000001-${process.pid.toString(36)}-aaaaaaaaaaaa.tmp`;
  const dead = `20260101T000000000Z-000001-${(2 ** 22 + 12345).toString(36)}-bbbbbbbbbbbb.tmp`;
  await writeFile(join(dir, mine), 'partial');
  await writeFile(join(dir, dead), 'partial');
  await writeFile(join(dir, 'kept.eml'), 'whole');
  assert.equal(await removeStaleTemporaries(dir), 1);
  assert.deepEqual((await readdir(dir)).sort(), ['kept.eml', mine].sort());
});
