// Redis Sentinel for real: a redis-server master and a `redis-server --sentinel` that
// monitors it, both on free loopback ports. Senders and the worker are given only the
// Sentinel's address and the master's name — the master is found through Sentinel.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { startMailWorker } from '../src/queue/mail-worker.js';
import { parseMail } from './support/parse-mail.js';
import { freePort, startRedis, waitForPort } from './support/redis-server.js';
import { needsRedis } from './support/requirement.js';
import { startSmtpSink } from './support/smtp-sink.js';
import { tempDir } from './support/temp-dir.js';

const skip = needsRedis();

test('Sentinel: Send and startMailWorker given only { sentinels, name } find the master through a real redis-server --sentinel and deliver', { skip }, async (t) => {
  // Cleanups run last-in first-out: the worker lets go before Sentinel and the master stop.
  const cleanups: Array<() => unknown> = [];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const master = await startRedis();
  cleanups.push(() => master.stop());
  const dir = await tempDir(t);
  const sentinelPort = await freePort();
  const conf = join(dir, 'sentinel.conf');
  await writeFile(
    conf,
    [
      `port ${sentinelPort}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor mymaster 127.0.0.1 ${master.port} 1`,
      'sentinel down-after-milliseconds mymaster 5000',
      '',
    ].join('\n'),
  );
  const sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  cleanups.push(() => {
    if (sentinel.exitCode === null) sentinel.kill('SIGKILL');
  });
  await waitForPort(sentinelPort);

  // The Sentinel really names the master it monitors.
  const asker = new Redis({ host: '127.0.0.1', port: sentinelPort, lazyConnect: true });
  await asker.connect();
  assert.deepEqual(await asker.call('SENTINEL', 'get-master-addr-by-name', 'mymaster'), ['127.0.0.1', String(master.port)]);
  asker.disconnect();

  const sink = await startSmtpSink();
  cleanups.push(() => sink.close());
  const redis = { sentinels: [{ host: '127.0.0.1', port: sentinelPort }], name: 'mymaster' };
  const spec = { redis, queue: 'mail-sentinel' };
  const mailer = new Mailer({ transport: spec });
  for (let i = 0; i < 3; i++) {
    const m = new NewMail({ mailer });
    m.From = 'app@example.com';
    m.To = 'user@example.com';
    m.Subject = `through sentinel ${i}`;
    m.Body = 'x';
    assert.equal((await m.Send()).transport, 'queue');
  }
  await mailer.close();

  // The jobs are on the master the Sentinel named (nothing else was given its address).
  const direct = new Redis({ host: '127.0.0.1', port: master.port, lazyConnect: true });
  await direct.connect();
  const keys = await direct.keys('*mail-sentinel*');
  direct.disconnect();
  assert.ok(keys.length > 0, 'the queue lives on the monitored master');

  const worker = await startMailWorker({ redis: spec, smtp: sink.url });
  cleanups.push(() => worker.close());
  for (let waited = 0; sink.messages.length < 3 && waited < 15_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  const subjects = await Promise.all(sink.messages.map(async (m) => (await parseMail(m.raw)).subject));
  assert.deepEqual(subjects.sort(), ['through sentinel 0', 'through sentinel 1', 'through sentinel 2']);
});
