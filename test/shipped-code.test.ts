// The code users install is dist/, not src/: these run it in child processes, the way an
// application would. `npm test` builds dist/ before the tests run.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from './support/temp-dir.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const DIST = pathToFileURL(join(ROOT, 'dist', 'index.js')).href;

/** Runs an ES module script with plain Node (no tsx) and returns its last stdout line as JSON. */
async function runScript(dir: string, name: string, source: string): Promise<unknown> {
  const file = join(dir, name);
  await writeFile(file, source);
  const { stdout } = await run(process.execPath, [file], { cwd: dir, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop() ?? 'null');
}

test('dist/ is built (npm test builds it before the tests)', () => {
  assert.ok(existsSync(join(ROOT, 'dist', 'index.js')), 'run `npm run build` first');
});

test('dist/: a body of 8 KB and more is converted in dist\'s worker threads and arrives intact', async (t) => {
  const dir = await tempDir(t);
  const result = (await runScript(
    dir,
    'big-body.mjs',
    `
import { Mailer, NewMail, converter } from ${JSON.stringify(DIST)};
const { DEFAULT_POOL_THRESHOLD } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'converter', 'pooled-engines.js')).href)});
const mailer = new Mailer({ transport: 'memory:' });
const m = new NewMail({ mailer });
m.From = 'a@example.com'; m.To = 'b@example.com'; m.Subject = 'big';
m.BodyFormat = 0; m.MailFormat = 0;
const paragraph = '<p>' + 'lorem ipsum '.repeat(40) + '</p>';
let html = '<h1>Start marker</h1>';
while (html.length < DEFAULT_POOL_THRESHOLD * 2) html += paragraph;
m.Body = html + '<p>End marker</p>';
const lease = await converter.acquire();
await m.Send();
const stats = converter.stats();
await lease.release();
const raw = mailer.memory.messages[0].raw.toString();
await mailer.close();
await converter.close();
console.log(JSON.stringify({ length: html.length, threshold: DEFAULT_POOL_THRESHOLD, pool: stats.pool, hasStart: raw.includes('START MARKER') || raw.includes('Start marker'), hasEnd: raw.includes('End marker') }));
`,
  )) as { length: number; threshold: number; pool: { completed: number; threads: number }; hasStart: boolean; hasEnd: boolean };
  assert.ok(result.length >= result.threshold);
  assert.ok(result.pool.completed >= 1, `the text part was converted in the pool: ${JSON.stringify(result.pool)}`);
  assert.ok(result.pool.threads >= 1);
  assert.ok(result.hasStart && result.hasEnd, 'the converted message is whole');
});

test('dist/: a Session reads a message (parsed in dist\'s worker thread, answered synchronously)', async (t) => {
  const dir = await tempDir(t);
  const drop = join(dir, 'drop');
  const result = (await runScript(
    dir,
    'session.mjs',
    `
import { Mailer, NewMail, Session } from ${JSON.stringify(DIST)};
const mailer = new Mailer({ transport: ${JSON.stringify(`pickup:${drop}`)} });
const m = new NewMail({ mailer });
m.From = '"Web Site" <web@example.com>'; m.To = 'jane@example.com'; m.Subject = 'hello from dist';
m.BodyFormat = 0; m.MailFormat = 0; m.Body = '<p>Hello <b>Jane</b></p>';
await m.Send();
await mailer.close();
const s = new Session({ dropDirectory: ${JSON.stringify(drop)} });
s.LogonSMTP('Jane', 'jane@example.com');
const [msg] = [...s.Inbox.Messages];
const out = { count: s.Inbox.Messages.Count, subject: msg.Subject, text: msg.Text, html: msg.HTMLText, sender: msg.Sender.Address };
s.Logoff();
console.log(JSON.stringify(out));
`,
  )) as { count: number; subject: string; text: string; html: string; sender: string };
  assert.equal(result.count, 1);
  assert.equal(result.subject, 'hello from dist');
  assert.match(result.text, /Hello \*?\*?Jane/iu);
  assert.match(result.html, /<b>Jane<\/b>/u);
  assert.equal(result.sender, 'web@example.com');
});

test('require(\'cdonts\') from a CommonJS script, installed as a package, sends a message', async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'node_modules'));
  await symlink(ROOT, join(dir, 'node_modules', 'cdonts'), 'dir');
  const pickup = join(dir, 'pickup');
  const script = join(dir, 'app.cjs');
  await writeFile(
    script,
    `
const cdonts = require('cdonts');
const { NewMail, configure, close, CdoHigh } = cdonts;
configure({ transport: ${JSON.stringify(`pickup:${pickup}`)} });
const m = new NewMail();
m.From = 'a@example.com'; m.To = 'b@example.com'; m.Subject = 'from CommonJS'; m.Body = 'hi'; m.Importance = CdoHigh;
m.Send().then(async (r) => { await close(); console.log(JSON.stringify({ path: r.path, type: typeof cdonts.createObject })); }, (e) => { console.error(e); process.exit(1); });
`,
  );
  const { stdout, stderr } = await run(process.execPath, [script], { cwd: dir, timeout: 60_000 });
  const result = JSON.parse(stdout.trim()) as { path: string; type: string };
  assert.equal(result.type, 'function');
  assert.ok(existsSync(result.path), 'the message is in the pickup directory');
  assert.doesNotMatch(stderr, /ExperimentalWarning|Error/u, 'no warning on the supported Node versions');
});
