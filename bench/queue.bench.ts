// Queue: enqueue throughput (Send through redis:// until Redis has the job) and end-to-end
// throughput (enqueue, then two workers deliver to an smtp-server sink in its own process),
// against direct pooled SMTP to the same sink, in the same run. Needs redis-server.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Mailer, NewMail, startMailWorker } from '../src/index.js';
import { startRedis } from '../test/support/redis-server.js';
import { startRemoteSink } from './support/sink.js';
import { pool, table } from './support/stats.js';

if (!['/usr/bin/redis-server', '/usr/local/bin/redis-server'].some((p) => existsSync(p))) {
  console.log('redis-server not installed; skipping');
  process.exit(0);
}
const MESSAGES = Number(process.env['BENCH_QUEUE_MESSAGES'] ?? 3_000);
const CONCURRENCY = 100;
const redis = await startRedis();
const sink = await startRemoteSink();

function send(mailer: Mailer, i: number): Promise<unknown> {
  const m = new NewMail({ mailer });
  m.From = 'app@example.com';
  m.To = `user${i}@example.com`;
  m.Subject = `m${i}`;
  m.BodyFormat = 'html';
  m.MailFormat = 0;
  m.Body = `<p>Order ${i} shipped.</p>`;
  return m.Send();
}

// Direct SMTP, the reference.
const direct = new Mailer({ transport: `${sink.url}/?maxConnections=5&maxMessages=Infinity` });
await pool(500, CONCURRENCY, (i) => send(direct, i)); // warm-up
let started = performance.now();
await pool(MESSAGES, CONCURRENCY, (i) => send(direct, i));
const directRate = (MESSAGES / (performance.now() - started)) * 1000;
await direct.close();

// Enqueue only.
const url = `${redis.url}?queue=bench`;
const queued = new Mailer({ transport: url });
await pool(500, CONCURRENCY, (i) => send(queued, 100_000 + i)); // warm-up
const before = await sink.count();
started = performance.now();
await pool(MESSAGES, CONCURRENCY, (i) => send(queued, i));
const enqueueRate = (MESSAGES / (performance.now() - started)) * 1000;
await queued.close();

// End to end: two workers drain the queue (warm-up jobs included).
const total = MESSAGES + 500;
started = performance.now();
const workers = await Promise.all([0, 1].map(() => startMailWorker({ redis: url, smtp: `${sink.url}/?maxConnections=5&maxMessages=Infinity`, concurrency: 50 })));
while ((await sink.count()) - before < total) await new Promise((r) => setTimeout(r, 20));
const endToEndRate = (total / (performance.now() - started)) * 1000;
await Promise.all(workers.map((w) => w.close()));
await sink.close();
await redis.stop();

console.log(`queue: ${MESSAGES} HTML mails, concurrency ${CONCURRENCY}, Redis on loopback, sink in its own process\n`);
table(['path', 'msg/s', 'ratio to direct SMTP'], [
  ['direct pooled SMTP (Send resolves when the server accepted)', directRate.toFixed(0), '1.00'],
  ['Send through redis:// (resolves when Redis has the job)', enqueueRate.toFixed(0), (enqueueRate / directRate).toFixed(2)],
  ['queue drained by 2 workers to the same sink', endToEndRate.toFixed(0), (endToEndRate / directRate).toFixed(2)],
]);
