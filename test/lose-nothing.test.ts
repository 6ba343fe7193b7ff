// Paths that could lose mail or leak without a sound, each pinned with a real failure:
// a pickup write the kernel refuses, an attachment swapped for a symlink between
// AttachFile and Send, and a missing path outside attachmentRoot.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { watch } from 'node:fs';
import { mkdir, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { isCdoError } from '../src/errors/cdo-error.js';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { tempDir } from './support/temp-dir.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const SRC = pathToFileURL(join(ROOT, 'src', 'index.ts')).href;

// The writer runs with a 64 KiB file-size limit (RLIMIT_FSIZE, which binds root too, unlike
// permissions): the kernel refuses the write of a bigger message part-way with EFBIG.
const limitedWriter = (pickup: string, fsync: boolean) => `
import { readdirSync } from 'node:fs';
import { Mailer, NewMail, PickupTransport } from ${JSON.stringify(SRC)};
const mailer = new Mailer({ transport: new PickupTransport({ directory: ${JSON.stringify(pickup)}, fsync: ${fsync} }) });
const send = async (size) => {
  const m = new NewMail({ mailer });
  m.From = 'a@example.com'; m.To = 'b@example.com'; m.Subject = 'size ' + size; m.MailFormat = 0;
  m.Body = 'x'.repeat(size);
  try { await m.Send(); return 'sent'; } catch (e) { return e.code ?? String(e); }
};
const big = await send(1_000_000);
const afterBig = readdirSync(${JSON.stringify(pickup)});
const small = await send(100);
const afterSmall = readdirSync(${JSON.stringify(pickup)});
await mailer.close();
console.log(JSON.stringify({ big, afterBig, small, afterSmall }));
`;

for (const fsync of [false, true]) {
  test(`a pickup write the kernel refuses (EFBIG) leaves nothing behind and reports CDO_E_DISK_ERROR; the next send works (fsync ${fsync})`, async (t) => {
    const dir = await tempDir(t);
    const pickup = join(dir, 'pickup');
    await mkdir(pickup);
    const script = join(dir, 'writer.mjs');
    await writeFile(script, limitedWriter(pickup, fsync));
    // SIGXFSZ ignored (it is inherited through exec) so the write fails with EFBIG instead of killing.
    const { stdout } = await run('bash', ['-c', `trap '' XFSZ; ulimit -f 64; exec "${process.execPath}" --import tsx "${script}"`], { cwd: ROOT });
    const result = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { big: string; afterBig: string[]; small: string; afterSmall: string[] };
    assert.equal(result.big, 'CDO_E_DISK_ERROR');
    assert.deepEqual(result.afterBig, [], 'no temporary and no partial .eml is left');
    assert.equal(result.small, 'sent');
    assert.equal(result.afterSmall.length, 1);
    assert.match(result.afterSmall[0] ?? '', /\.eml$/u);
  });
}

test('a pickup rename that fails (the final name taken by a non-empty directory) leaves no temporary and reports CDO_E_DISK_ERROR', async (t) => {
  const dir = await tempDir(t);
  const pickup = join(dir, 'pickup');
  await mkdir(pickup);
  const mailer = new Mailer({ transport: `pickup:${pickup}` });
  // As soon as a temporary appears, its final name is taken by a non-empty directory, so
  // the rename fails for real (root included). A 20 MB message takes far longer to write.
  const blockers = new Set<string>();
  const watcher = watch(pickup, (_event, name) => {
    if (name?.endsWith('.tmp') !== true) return;
    const target = join(pickup, name.replace(/\.tmp$/u, '.eml'));
    if (blockers.has(target)) return;
    blockers.add(target);
    void mkdir(target)
      .then(() => writeFile(join(target, 'occupied'), 'x'))
      .catch(() => undefined);
  });
  t.after(() => watcher.close());
  let refused = 0;
  for (let attempt = 0; attempt < 5 && refused === 0; attempt++) {
    const m = new NewMail({ mailer });
    m.From = 'a@example.com';
    m.To = 'b@example.com';
    m.MailFormat = 0;
    m.Body = 'x'.repeat(20_000_000);
    try {
      await m.Send(); // the blocker came too late this time: a whole .eml file, fine
    } catch (error) {
      assert.ok(isCdoError(error) && error.code === 'CDO_E_DISK_ERROR', String(error));
      refused++;
    }
  }
  await mailer.close();
  assert.ok(refused >= 1, 'no attempt had its rename blocked');
  const left = await readdir(pickup);
  assert.deepEqual(left.filter((n) => n.endsWith('.tmp')), [], 'the temporary was removed');
  for (const name of left.filter((n) => blockers.has(join(pickup, n)))) assert.ok((await stat(join(pickup, name))).isDirectory(), 'only the blocker is at the final name');
});

test('an attachment swapped for a symlink out of attachmentRoot between AttachFile and Send is refused at Send, and nothing is sent', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await mkdir(root);
  const secret = join(dir, 'secret.txt');
  await writeFile(secret, 'SECRET-OUTSIDE-THE-ROOT');
  const file = join(root, 'report.txt');
  await writeFile(file, 'the report');
  const mailer = new Mailer({ transport: 'memory:', attachmentRoot: root });
  const mail = new NewMail({ mailer });
  mail.From = 'a@example.com';
  mail.To = 'b@example.com';
  mail.Body = 'see attached';
  mail.AttachFile(file, 'report.txt');
  // The swap: the checked file becomes a symlink to a file outside the root.
  await rm(file);
  await symlink(secret, file);
  await assert.rejects(mail.Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_NO_ACCESS');
  assert.equal(mailer.memory?.messages.length, 0, 'nothing was sent');
  await mailer.close();
});

test('outside attachmentRoot, a missing path gets the same error as an existing one (no existence oracle)', async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'root');
  await mkdir(root);
  await writeFile(join(dir, 'exists.txt'), 'x');
  const mailer = new Mailer({ transport: 'memory:', attachmentRoot: root });
  const mail = new NewMail({ mailer });
  const refusal = (path: string): { code: string; hresult: number; message: string } => {
    try {
      mail.AttachFile(path);
    } catch (error) {
      assert.ok(isCdoError(error));
      return { code: error.code, hresult: error.hresult, message: error.message.replace(path, '<path>') };
    }
    assert.fail(`${path} was accepted`);
  };
  for (const [existing, missing] of [
    [join(dir, 'exists.txt'), join(dir, 'missing.txt')],
    [join(root, '..', 'exists.txt'), join(root, '..', 'missing.txt')],
    ['/etc/passwd', '/etc/no-such-file-here'],
  ] as const) {
    const a = refusal(existing);
    const b = refusal(missing);
    assert.equal(a.code, 'CDO_E_NO_ACCESS');
    assert.deepEqual(b, a, `${missing} is told apart from ${existing}`);
  }
  await mailer.close();
});
