// The queue transport and the worker against a real 3-master Redis Cluster on loopback:
// every message delivered once by an in-process worker and a `cdonts worker` process, the
// keys all in one slot under the {cdonts} hash tag, a lost acknowledgement retried without
// a second job, and an unreachable or silent cluster failing typed within the timeout.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { Queue } from 'bullmq';
import { Cluster, Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import { Mailer } from '../src/mailer.js';
import { NewMail } from '../src/new-mail.js';
import { QueueTransport } from '../src/queue/queue-transport.js';
import { startMailWorker } from '../src/queue/mail-worker.js';
import { redisTarget } from '../src/queue/redis-target.js';
import { isCdoError } from '../src/errors/cdo-error.js';
import { parseMail } from './support/parse-mail.js';
import { startRedisCluster, type RedisCluster } from './support/redis-cluster.js';
import { freePort } from './support/redis-server.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';
import { needsRedis } from './support/requirement.js';

const skip = needsRedis();
const BIN = resolve(import.meta.dirname, '..', 'bin', 'cdonts.js');

// One cluster for the file: a new one takes Redis's two-second rejoin delay to turn ok.
let cluster: RedisCluster | undefined;
before(async () => {
  if (skip === false) cluster = await startRedisCluster(3);
});
after(() => cluster?.stop());

/** The cluster, and a cleanup stack run last-in first-out (node:test's t.after runs first-in first-out). */
function setUp(t: TestContext) {
  const stack: Array<() => unknown> = [];
  t.after(async () => {
    for (const cleanup of stack.reverse()) await cleanup();
  });
  if (cluster === undefined) throw new Error('no cluster');
  return { cluster, defer: (cleanup: () => unknown) => void stack.push(cleanup) };
}

function mail(mailer: Mailer, subject: string): NewMail {
  const m = new NewMail({ mailer });
  m.From = 'app@example.com';
  m.To = 'user@example.com';
  m.Subject = subject;
  m.Body = subject;
  return m;
}

/** A BullMQ view of a queue in the cluster, as an operator would open one. */
function inspect(c: RedisCluster, name: string, prefix = '{cdonts}') {
  const connection = new Cluster(c.nodes.map((n) => ({ ...n })));
  const queue = new Queue(name, { connection, prefix });
  return { queue, close: async () => (await queue.close(), connection.disconnect()) };
}

async function subjects(sink: SmtpSink): Promise<string[]> {
  return Promise.all(sink.messages.map(async (m) => (await parseMail(m.raw)).subject ?? ''));
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  for (const started = Date.now(); !(await condition()) && Date.now() - started < timeoutMs; ) await new Promise((r) => setTimeout(r, 25));
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => (child.exitCode !== null || child.signalCode !== null ? done(child.exitCode) : child.once('exit', (code) => done(code))));
}

test('Redis Cluster: senders enqueue through redis+cluster:// and { cluster }; a `cdonts worker` process, then an in-process worker too, deliver each message once', { skip }, async (t) => {
  const { cluster: c, defer } = setUp(t);
  const sink = await startSmtpSink();
  defer(() => sink.close());
  const url = `${c.url}/?queue=cl-a`;
  const mailers = [new Mailer({ transport: url }), new Mailer({ transport: { cluster: c.nodes.map((n) => `${n.host}:${n.port}`), queue: 'cl-a' } })];
  defer(() => Promise.all(mailers.map((m) => m.close())));
  const send = async (from: number, count: number): Promise<void> => {
    const results = await Promise.all(Array.from({ length: count }, (_, k) => mail(mailers[k % 2] as Mailer, `cluster ${from + k}`).Send()));
    assert.ok(results.every((r) => r.transport === 'queue' && /^queued as .+ in cl-a$/u.test(r.response ?? '')));
  };
  await send(0, 20);

  // Every key of the queue is under the hash tag, so all of them live on one master.
  const keysPerNode = await Promise.all(
    c.nodes.map(async (n) => {
      const node = new Redis({ host: n.host, port: n.port });
      try {
        return await node.keys('*');
      } finally {
        node.disconnect();
      }
    }),
  );
  assert.ok(keysPerNode.flat().length > 20, 'the jobs are in the cluster');
  assert.ok(keysPerNode.flat().every((k) => k.startsWith('{cdonts}:cl-a:')), 'every key carries the {cdonts} prefix');
  assert.equal(keysPerNode.filter((keys) => keys.length > 0).length, 1, 'one slot, so one master');

  const child = spawn(process.execPath, [BIN, 'worker', '--redis', url, '--smtp', sink.url, '--concurrency', '4'], { stdio: ['ignore', 'pipe', 'pipe'] });
  defer(() => (child.exitCode === null && child.signalCode === null ? (child.kill('SIGKILL'), exited(child)) : undefined));
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const byChild = (): number => out.split('\n').filter((line) => line.includes('"type":"delivered"')).length;
  await until(() => byChild() >= 20);
  assert.equal(byChild(), 20, `the worker process delivered the backlog: ${err}`);

  // A second worker joins (in-process, library API) while more mail arrives: they share the queue.
  const worker = await startMailWorker({ redis: url, smtp: sink.url, concurrency: 4 });
  defer(() => worker.close());
  await send(20, 40);
  await until(() => sink.messages.length >= 60);
  await new Promise((r) => setTimeout(r, 300)); // a duplicate would arrive now
  child.kill('SIGTERM');
  assert.equal(await exited(child), 0, `the worker process stops cleanly: ${err}`);

  const got = await subjects(sink);
  assert.equal(got.length, 60, 'sixty deliveries');
  assert.equal(new Set(got).size, 60, 'each message once');
  t.diagnostic(`of the last 40: cdonts worker process ${byChild() - 20}, in-process worker ${worker.stats().delivered}`);
  assert.equal(worker.stats().delivered + byChild(), 60, 'every delivery is counted by one worker');
  assert.match(out, new RegExp(`worker: stopped; ${byChild()} delivered, 0 failed`, 'u'));
});

test('Redis Cluster: a Send whose acknowledgement was lost (the master stopped answering) is retried without a second job', { skip }, async (t) => {
  const { cluster: c, defer } = setUp(t);
  const sink = await startSmtpSink();
  defer(() => sink.close());
  const mailer = new Mailer({ transport: `${c.url}/?queue=cl-b&timeout=1000` });
  defer(() => mailer.close());
  const view = inspect(c, 'cl-b');
  defer(() => view.close());
  await mail(mailer, 'before').Send(); // the connection is open and the scripts loaded

  // The master of the {cdonts} slot stops answering: the job is written to its socket, the
  // reply never comes in time, and Send fails typed although the job will land.
  const m = mail(mailer, 'lost ack');
  await c.signalOwnerOf('{cdonts}:cl-b', 'SIGSTOP');
  let resumed = false;
  defer(() => (resumed ? undefined : c.signalOwnerOf('{cdonts}:cl-b', 'SIGCONT')));
  const started = Date.now();
  await assert.rejects(m.Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_FAILED_TO_CONNECT');
  assert.ok(Date.now() - started < 4_000, `failed after ${Date.now() - started} ms`);
  await c.signalOwnerOf('{cdonts}:cl-b', 'SIGCONT');
  resumed = true;
  await until(async () => (await view.queue.getWaitingCount()) === 2, 5_000);
  assert.equal(await view.queue.getWaitingCount(), 2, 'the first attempt landed although Send reported a failure');

  const retried = await m.Send(); // the application retries the same NewMail: same Message-ID
  assert.equal(await view.queue.getWaitingCount(), 2, 'the retry did not add a second job');
  const job = await view.queue.getJob(retried.messageId.replace(/[<>]/gu, ''));
  assert.ok(job !== undefined, 'the job id is the Message-ID');

  // Sending the very same message twice through the transport is one job as well.
  const transport = new QueueTransport(`${c.url}/?queue=cl-b`);
  defer(() => transport.close());
  const direct = { from: 'a@example.com', to: 'b@example.com', subject: 'twice', text: 'x', messageId: '<twice@example.com>' };
  await nodemailer.createTransport(transport).sendMail(direct);
  await nodemailer.createTransport(transport).sendMail(direct);
  assert.equal(await view.queue.getWaitingCount(), 3);

  const worker = await startMailWorker({ redis: `${c.url}/?queue=cl-b`, smtp: sink.url });
  defer(() => worker.close());
  await until(() => sink.messages.length >= 3);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual((await subjects(sink)).sort(), ['before', 'lost ack', 'twice']);
});

test('Redis Cluster: a custom hash-tagged prefix is shared by both sides; a prefix without a hash tag and a database other than 0 are refused', { skip }, async (t) => {
  const { cluster: c, defer } = setUp(t);
  const sink = await startSmtpSink();
  defer(() => sink.close());
  const spec = { cluster: c.nodes, clusterOptions: { slotsRefreshTimeout: 2000 }, queue: 'cl-c', prefix: '{mail-eu}' };
  const mailer = new Mailer({ transport: spec });
  defer(() => mailer.close());
  await mail(mailer, 'eu').Send();
  const view = inspect(c, 'cl-c', '{mail-eu}');
  defer(() => view.close());
  assert.equal(await view.queue.getWaitingCount(), 1, 'the job is under {mail-eu}');
  const worker = await startMailWorker({ redis: `${c.url}/?queue=cl-c&prefix={mail-eu}`, smtp: sink.url });
  defer(() => worker.close());
  await until(() => sink.messages.length >= 1);
  assert.deepEqual(await subjects(sink), ['eu']);

  const refused = (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_SEND_OPTION';
  assert.throws(() => new Mailer({ transport: `${c.url}/?prefix=mail` }), refused);
  assert.throws(() => new Mailer({ transport: { ...spec, prefix: 'no-tag' } }), refused);
  assert.throws(() => new Mailer({ transport: `${c.url}/3` }), refused);
  assert.throws(() => new Mailer({ transport: { cluster: [], queue: 'x' } }), refused);
  assert.throws(() => new Mailer({ transport: 'redis+cluster://127.0.0.1:99999' }), refused);
  await assert.rejects(startMailWorker({ redis: { cluster: c.nodes, prefix: 'bull' }, smtp: sink.url }), refused);
});

test('Redis Cluster unreachable or silent: Send, startMailWorker and `cdonts worker` fail with CDO_E_FAILED_TO_CONNECT within the timeout', { skip }, async (t) => {
  const { defer } = setUp(t);
  // Nothing listens on these two ports; the third accepts connections and never answers.
  const silent = createServer((socket: Socket) => void socket.on('error', () => undefined));
  const sockets = new Set<Socket>();
  silent.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
  defer(() => new Promise<void>((done) => (sockets.forEach((s) => s.destroy()), silent.close(() => done()))));
  const silentPort = (silent.address() as AddressInfo).port;
  const closed = `redis+cluster://127.0.0.1:${await freePort()},127.0.0.1:${await freePort()}/?queue=cl-d&timeout=1000`;
  const hanging = `redis+cluster://127.0.0.1:${silentPort}/?queue=cl-d&timeout=1000`;

  for (const url of [closed, hanging]) {
    const mailer = new Mailer({ transport: url });
    defer(() => mailer.close());
    for (const attempt of [1, 2]) {
      const m = mail(mailer, 'nowhere');
      const started = Date.now();
      await assert.rejects(m.Send(), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_FAILED_TO_CONNECT', `${url} attempt ${attempt}`);
      assert.ok(Date.now() - started < 3_000, `Send failed after ${Date.now() - started} ms (${url})`);
      assert.equal(m.state, 'composing', 'the NewMail stays usable');
    }
    const started = Date.now();
    await assert.rejects(startMailWorker({ redis: url, smtp: 'smtp://127.0.0.1:9', connectTimeoutMs: 1500 }), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_FAILED_TO_CONNECT');
    assert.ok(Date.now() - started < 3_500, `startMailWorker failed after ${Date.now() - started} ms (${url})`);
  }

  const child = spawn(process.execPath, [BIN, 'worker', '--redis', hanging, '--smtp', 'smtp://127.0.0.1:9', '--connect-timeout', '1500'], { stdio: ['ignore', 'ignore', 'pipe'] });
  defer(() => (child.exitCode === null && child.signalCode === null ? (child.kill('SIGKILL'), exited(child)) : undefined));
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  // Waits for the process to give up and exit (a hang fails by the test's timeout). Its
  // connect timeout is bounded in-process above; the wall clock from spawn here would add
  // Node's and the modules' start-up, seconds on a loaded machine (6.7 s failed a CI run).
  assert.equal(await exited(child), 1, 'exit 1: could not connect');
  assert.match(err, /^cdonts: CDO_E_FAILED_TO_CONNECT: the worker could not reach the Redis Cluster at 127\.0\.0\.1:\d+/u);
});

test('redis+cluster:// URLs: nodes (IPv6 in brackets, 6379 by default), credentials, TLS, queue and prefix', () => {
  assert.deepEqual(redisTarget('rediss+cluster://ops:p%40ss@10.0.0.1:7000,[::1]:7001,node-c/?queue=mail&prefix={eu}'), {
    kind: 'cluster',
    nodes: [
      { host: '10.0.0.1', port: 7000 },
      { host: '::1', port: 7001 },
      { host: 'node-c', port: 6379 },
    ],
    clusterOptions: { redisOptions: { username: 'ops', password: 'p@ss', tls: {} } },
    queue: 'mail',
    prefix: '{eu}',
  });
  assert.deepEqual(redisTarget('redis+cluster://127.0.0.1:7000'), { kind: 'cluster', nodes: [{ host: '127.0.0.1', port: 7000 }], clusterOptions: { redisOptions: {} }, queue: 'cdonts-mail', prefix: '{cdonts}' });
  assert.equal(redisTarget('redis://127.0.0.1:6379/0').prefix, 'bull', 'a single server keeps BullMQ\'s prefix');
  assert.equal(redisTarget({ cluster: [{ host: 'a', port: 1 }], queue: 'q' }).prefix, '{cdonts}', 'the worker and the transport derive the same prefix');
  for (const bad of ['redis+cluster://', 'redis+cluster://h:1,/', 'redis+cluster://h:1/1', 'redis+cluster://h:1/?queue=a:b', 'redis+cluster://h:1/?prefix={}']) {
    assert.throws(() => redisTarget(bad), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_SEND_OPTION', bad);
  }
});
