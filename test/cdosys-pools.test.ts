// One transport pool per distinct configuration, shared and reference-counted: a web app
// making a Configuration per request must not open a pool per request, and a Message that
// finishes must never close a pool another Message is still sending on.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { close, configure, isCdoError, transportStats, Configuration, Message, cdoSendUsingPort } from '../src/index.js';
import type { MailSnapshot } from '../src/mail-snapshot.js';
import { Mailer } from '../src/mailer.js';
import { TransportPools, type PoolLease, type PoolRequest } from '../src/transports/transport-pools.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

const F = 'http://schemas.microsoft.com/cdo/configuration/';
after(() => close());

function snapshot(i: number): MailSnapshot {
  return {
    from: { name: '', address: 'a@example.com' }, to: [{ name: '', address: `r${i}@example.com` }], cc: [], bcc: [],
    subject: `m${i}`, body: 'x', bodyKind: 'text', mailFormat: 1, importance: 1, headers: [], attachments: [], resources: [],
    contentBase: undefined, contentLocation: undefined, codePage: 65001, messageId: `<m${i}@example.com>`,
  };
}

interface Registry {
  lease(request: PoolRequest): PoolLease;
}

/**
 * Many senders, each leasing the pool for its configuration, sending, releasing. Every
 * other sender, once it holds its lease, waits until another sender has released before
 * it sends (a condition, not a sleep): so leases overlap releases on every round, which is
 * where a registry that does not count closes a pool under its sender. Returns how many
 * sends failed.
 */
async function stress(registry: Registry, sink: SmtpSink, sends: number, concurrency: number): Promise<{ failed: number; codes: Set<string> }> {
  const request: PoolRequest = { key: `sink:${sink.port}`, settings: { kind: 'smtp', port: sink.port }, transport: { host: '127.0.0.1', port: sink.port, ignoreTLS: true } };
  let next = 0;
  let failed = 0;
  let busy = 0;
  let waiters: Array<() => void> = [];
  const wake = (): void => {
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  };
  const codes = new Set<string>();
  const worker = async (): Promise<void> => {
    while (next < sends) {
      const i = next++;
      const lease = registry.lease(request);
      busy++;
      try {
        if (i % 2 === 1 && busy > 1) {
          busy--;
          await new Promise<void>((resolve) => waiters.push(resolve));
          busy++;
        }
        await lease.mailer.deliver(snapshot(i));
      } catch (error) {
        failed++;
        codes.add(isCdoError(error) ? error.code : String(error));
      } finally {
        lease.release();
        busy--;
        wake();
      }
    }
    wake();
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return { failed, codes };
}

/** The KB-style bug for transports: release closes the pool without counting the other holders. */
class ClosingOnRelease implements Registry {
  readonly #pools = new Map<string, Mailer>();
  readonly closing: Array<Promise<void>> = [];

  lease(request: PoolRequest): PoolLease {
    let mailer = this.#pools.get(request.key);
    if (mailer === undefined) {
      mailer = new Mailer({ transport: request.transport });
      this.#pools.set(request.key, mailer);
    }
    const held = mailer;
    return {
      mailer: held,
      release: () => {
        this.#pools.delete(request.key);
        this.closing.push(held.close());
      },
    };
  }
}

test('the harness fails against a registry that closes on release without counting, and passes against the real one', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const broken = new ClosingOnRelease();
  const bad = await stress(broken, sink, 300, 20);
  await Promise.all(broken.closing);
  assert.ok(bad.failed > 0, 'the broken registry closes pools under their senders');
  assert.ok(bad.codes.has('CDO_E_END_OF_SESSION'), [...bad.codes].join(', '));

  // Linger 0: the real registry closes a pool the moment its last lease goes, and only then.
  const pools = new TransportPools({ lingerMs: () => 0 });
  const good = await stress(pools, sink, 300, 20);
  assert.equal(good.failed, 0, [...good.codes].join(', '));
  await pools.close();
  assert.deepEqual(pools.stats(), []);
});

test('a pool lingers after its last lease, is reused by a lease taken meanwhile, then closes', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const timers: Array<() => void> = [];
  const pools = new TransportPools({ lingerMs: () => 1000, scheduleLinger: (callback) => (timers.push(callback), () => undefined) });
  const request: PoolRequest = { key: 'k', settings: { kind: 'smtp' }, transport: { host: '127.0.0.1', port: sink.port, ignoreTLS: true } };
  const first = pools.lease(request);
  await first.mailer.deliver(snapshot(1));
  first.release();
  first.release(); // idempotent
  assert.equal(pools.stats()[0]?.state, 'idle');
  const second = pools.lease(request);
  assert.equal(second.mailer, first.mailer, 'the lingering pool is reused');
  assert.equal(pools.stats()[0]?.state, 'leased');
  timers.shift()?.(); // the first linger fires late: the pool is leased, nothing closes
  assert.equal(pools.stats()[0]?.state, 'leased');
  await second.mailer.deliver(snapshot(2));
  second.release();
  timers.shift()?.();
  assert.deepEqual(pools.stats(), [], 'closed after the linger');
  await pools.close();
  assert.equal(first.mailer.state, 'closed');
});

test('thousands of sends, each through its own per-request Configuration: one pool, a bounded number of sockets, nothing closed under a sender', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  configure({ converterLingerMs: 2000 });
  const sends = 2000;
  const concurrency = 40;
  let next = 0;
  let maxPools = 0;
  let maxSockets = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < sends) {
      const i = next++;
      // Set cfg = CreateObject("CDO.Configuration") … per request, as web apps do.
      const cfg = new Configuration();
      cfg.Fields.Item(F + 'sendusing').Value = cdoSendUsingPort;
      cfg.Fields.Item(F + 'smtpserver').Value = '127.0.0.1';
      cfg.Fields.Item(F + 'smtpserverport').Value = String(sink.port);
      cfg.Fields.Update();
      const m = new Message();
      m.Configuration = cfg;
      m.From = 'shop@example.com';
      m.To = `customer${i}@example.com`;
      m.Subject = `order ${i}`;
      m.TextBody = 'thanks';
      try {
        await m.Send();
      } catch {
        failed++;
      }
      const mine = transportStats().filter((p) => p.settings['port'] === sink.port);
      maxPools = Math.max(maxPools, mine.length);
      maxSockets = Math.max(maxSockets, ...mine.map((p) => p.sockets));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  assert.equal(failed, 0);
  assert.equal(sink.messages.length, sends);
  assert.equal(maxPools, 1, 'one pool for one configuration');
  const [pool] = transportStats().filter((p) => p.settings['port'] === sink.port);
  assert.ok(pool);
  assert.equal(pool.sends, sends);
  // nodemailer's pool: at most 5 connections, each retired after 100 messages.
  assert.ok(maxSockets <= 5 && pool.socketsOpened <= Math.ceil(sends / 100) + 5, `sockets bounded (max open ${maxSockets}, opened ${pool.socketsOpened})`);
  t.diagnostic(`${sends} sends: 1 pool, at most ${maxSockets} sockets open, ${pool.socketsOpened} opened in all`);
  await close();
  assert.deepEqual(transportStats(), [], 'close() closes the pools');
});

test('distinct settings are distinct pools; secrets never show in transportStats()', async (t) => {
  const a = await startSmtpSink({ auth: { user: 'u', pass: 'p1' } });
  t.after(() => a.close());
  for (const pass of ['p1', 'wrong']) {
    const m = new Message();
    const fields = m.Configuration.Fields;
    fields(F + 'smtpserver').Value = '127.0.0.1';
    fields(F + 'smtpserverport').Value = a.port;
    fields(F + 'smtpauthenticate').Value = 1;
    fields(F + 'sendusername').Value = 'u';
    fields(F + 'sendpassword').Value = pass;
    fields.Update();
    m.From = 'a@example.com';
    m.To = 'b@example.com';
    m.TextBody = 'x';
    await m.Send().catch((e: unknown) => assert.ok(isCdoError(e) && e.code === 'CDO_E_AUTHENTICATION_FAILURE'));
  }
  const mine = transportStats().filter((p) => p.settings['port'] === a.port);
  assert.equal(mine.length, 2, 'a different password is a different pool');
  assert.ok(!JSON.stringify(mine).includes('p1') && !JSON.stringify(mine).includes('wrong'));
  await close();
});
