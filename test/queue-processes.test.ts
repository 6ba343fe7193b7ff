// Several app processes enqueueing and two worker processes delivering; then kill -9 of a
// worker mid-delivery, restarted: nothing lost, duplicates counted and reported.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { startRedis } from './support/redis-server.js';
import { startScriptedSmtp } from './support/scripted-smtp.js';
import { tempDir } from './support/temp-dir.js';
import { needsRedis } from './support/requirement.js';

const skip = needsRedis();
const BIN = resolve(import.meta.dirname, '..', 'bin', 'cdonts.js');
const DIST = pathToFileURL(resolve(import.meta.dirname, '..', 'dist', 'index.js')).href;

const producer = (url: string, from: number, count: number) => `
import { configure, close, NewMail } from ${JSON.stringify(DIST)};
configure({ transport: ${JSON.stringify(url)} });
await Promise.all(Array.from({ length: ${count} }, async (_, k) => {
  const m = new NewMail();
  m.From = 'app@example.com'; m.To = 'user@example.com'; m.Subject = 'job ' + (${from} + k); m.Body = 'x';
  await m.Send();
}));
await close();
`;

const readiness = new WeakMap<ChildProcess, Promise<void>>();
const connected = new WeakSet<ChildProcess>();

// stdout is read from the start: a worker writes a JSON line per event, and a full pipe would block it.
function run(args: string[], options: { script?: string } = {}): ChildProcess {
  const child = spawn(process.execPath, options.script === undefined ? [BIN, ...args] : [options.script], { stdio: ['ignore', 'pipe', 'inherit'] });
  readiness.set(
    child,
    new Promise((done) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('"type":"ready"')) {
          connected.add(child);
          done();
        }
      });
      child.once('exit', () => done());
    }),
  );
  return child;
}

/** Resolves once a `cdonts worker` says it is connected (its first JSON line), or has exited. */
function ready(child: ChildProcess): Promise<void> {
  return readiness.get(child) ?? Promise.resolve();
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => (child.exitCode !== null || child.signalCode !== null ? done(child.exitCode) : child.once('exit', (code) => done(code))));
}

test('3 app processes enqueue, 2 worker processes deliver; a worker killed with SIGKILL mid-delivery loses nothing', { skip }, async (t) => {
  const redis = await startRedis();
  const server = await startScriptedSmtp({ delayMs: 2 });
  const dir = await tempDir(t);
  const workers: ChildProcess[] = [];
  t.after(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await server.close();
    await redis.stop();
  });
  const url = `${redis.url}?queue=procs&attempts=20&backoff=50`;
  const PER_APP = 150;
  const apps = await Promise.all(
    [0, 1, 2].map(async (n) => {
      const script = join(dir, `app${n}.mjs`);
      await writeFile(script, producer(url, n * PER_APP, PER_APP));
      return run([], { script });
    }),
  );
  // The apps enqueue first, then the workers start on the whole backlog: five Node processes
  // booting at once on a loaded machine kept an app from reaching Redis within its 5 s connect
  // timeout (a CI run), and a full backlog gives the kills below deliveries to interrupt.
  assert.deepEqual(await Promise.all(apps.map(exited)), [0, 0, 0], 'every app process enqueued and exited cleanly');
  const args = ['worker', '--redis', url, '--smtp', `smtp://127.0.0.1:${server.port}`, '--concurrency', '10', '--lock-ms', '1000'];
  workers.push(run(args), run(args));
  await Promise.all(workers.map(ready));
  const subjects = (): string[] => server.received.map((raw) => /^Subject: (job \d+)\r$/mu.exec(raw)?.[1] ?? '');
  // Kill one worker with SIGKILL while it delivers, then start a replacement, a few times:
  // each kill waits until the backlog has moved on (so it lands mid-delivery, not before
  // the first or after the last), polling the condition rather than sleeping blindly.
  const TOTAL = 3 * PER_APP;
  let kills = 0;
  for (let k = 0; k < 5; k++) {
    const mark = Math.floor(((k + 1) * TOTAL) / 7);
    for (let waited = 0; new Set(subjects()).size < mark && waited < 30_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    if (new Set(subjects()).size >= TOTAL) break;
    // A connected worker is the one delivering: killing a replacement still booting proves less.
    const live = workers.filter((w) => w.exitCode === null && w.signalCode === null);
    const victim = live.find((w) => connected.has(w)) ?? live[0];
    if (victim === undefined) break;
    victim.kill('SIGKILL');
    await exited(victim);
    kills++;
    workers.push(run(args));
  }
  assert.ok(kills >= 1, 'at least one worker was killed while the backlog was being delivered');
  for (let waited = 0; new Set(subjects()).size < TOTAL && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  const all = subjects();
  const unique = new Set(all);
  assert.equal(unique.size, 3 * PER_APP, 'every message arrived');
  const duplicates = all.length - unique.size;
  t.diagnostic(`${kills} SIGKILLs of a worker; ${duplicates} duplicate deliveries of ${3 * PER_APP} (${((duplicates / (3 * PER_APP)) * 100).toFixed(1)} %), from jobs whose worker died after the server accepted them`);
  const running = workers.filter((w) => w.exitCode === null && w.signalCode === null);
  // A signal that arrives while Node is still booting a replacement would kill it outright.
  await Promise.all(running.map(ready));
  for (const w of running) w.kill('SIGTERM');
  assert.deepEqual(await Promise.all(running.map(exited)), running.map(() => 0), 'workers stop cleanly on SIGTERM');
});
