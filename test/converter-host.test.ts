import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConverterHost } from '../src/converter/converter-host.js';
import { createBodyEngines, type BodyEngines } from '../src/converter/body-engines.js';
import { isCdoError } from '../src/errors/cdo-error.js';

/** The stats without the pool figures. */
function core(host: ConverterHost): Omit<ReturnType<ConverterHost['stats']>, 'pool'> {
  const { pool: _pool, ...rest } = host.stats();
  return rest;
}

/** Real engines, counted, with an optional gate so a test can hold a start or a stop open. */
function countingFactory(options: { failFirst?: number; startGate?: Promise<void> } = {}) {
  const counts = { created: 0, disposed: 0, failures: 0 };
  let failuresLeft = options.failFirst ?? 0;
  const factory = async (): Promise<BodyEngines> => {
    await options.startGate;
    if (failuresLeft > 0) {
      failuresLeft--;
      counts.failures++;
      throw new Error('engine start failed');
    }
    const engines = await createBodyEngines();
    counts.created++;
    return {
      convert: (input, from, to) => engines.convert(input, from, to),
      dispose: async () => {
        counts.disposed++;
        await engines.dispose();
      },
    };
  };
  return { factory, counts };
}

test('200 concurrent first acquires start the engines exactly once', async () => {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const { factory, counts } = countingFactory({ startGate: gate });
  const host = new ConverterHost({ createEngines: factory, lingerMs: 0 });
  const pending = Array.from({ length: 200 }, () => host.acquire());
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(host.stats().state, 'starting');
  open();
  const leases = await Promise.all(pending);
  assert.equal(counts.created, 1);
  assert.deepEqual(core(host), { state: 'ready', refs: 200, starts: 1, stops: 0, conversions: 0 });
  await Promise.all(leases.map((l) => l.release()));
  assert.deepEqual(core(host), { state: 'idle', refs: 0, starts: 1, stops: 1, conversions: 0 });
  assert.equal(counts.disposed, 1);
});

test('a ready host hands out more leases, and the linger keeps it warm after they are released (the lock itself: converter-locking.test.ts)', async () => {
  const host = new ConverterHost({ lingerMs: 60_000 });
  const first = await host.acquire();
  const second = await host.acquire();
  assert.equal(host.stats().refs, 2);
  await first.release();
  await second.release();
  assert.equal(host.stats().state, 'ready', 'linger keeps it warm');
  await host.close();
  assert.equal(host.stats().state, 'idle');
});

test('release is idempotent and a released lease refuses to convert', async () => {
  const host = new ConverterHost({ lingerMs: 0 });
  const lease = await host.acquire();
  assert.equal(await lease.convert('**hi**', 'markdown', 'html'), '<p><strong>hi</strong></p>\n');
  await lease.release();
  await lease.release();
  await lease.release();
  assert.equal(host.stats().refs, 0);
  await assert.rejects(lease.convert('x', 'text', 'html'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_OBJECT_DELETED');
});

test('an acquire that arrives while the host is stopping waits and gets a live engine', async () => {
  let releaseStop!: () => void;
  const stopGate = new Promise<void>((resolve) => (releaseStop = resolve));
  let disposals = 0;
  const host = new ConverterHost({
    lingerMs: 0,
    createEngines: async () => {
      const engines = await createBodyEngines();
      let stopped = false;
      return {
        convert: (input, from, to) => {
          if (stopped) throw new Error('conversion on a stopped engine');
          return engines.convert(input, from, to);
        },
        dispose: async () => {
          disposals++;
          if (disposals === 1) await stopGate; // hold the first stop open
          stopped = true;
        },
      };
    },
  });
  const lease = await host.acquire();
  const releasing = lease.release(); // refs 0, linger 0: the stop begins
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(host.stats().state, 'stopping');
  const arriving = host.acquire();
  releaseStop();
  await releasing;
  const fresh = await arriving;
  assert.equal(await fresh.convert('a & b', 'text', 'html'), '<p>a &amp; b</p>');
  assert.deepEqual({ starts: host.stats().starts, stops: host.stats().stops, refs: host.stats().refs }, { starts: 2, stops: 1, refs: 1 });
  await fresh.release();
});

test('close() waits for an outstanding lease, and the next acquire restarts', async () => {
  const host = new ConverterHost({ lingerMs: 60_000 });
  const lease = await host.acquire();
  let closed = false;
  const closing = host.close().then(() => (closed = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(closed, false, 'close must not resolve while a lease is live');
  assert.equal(host.stats().state, 'stopping');
  assert.equal(await lease.convert('<p>still works</p>', 'html', 'text'), 'still works', 'the holder keeps a live engine');
  const waiting = host.acquire(); // arrives during close: waits
  await lease.release();
  await closing;
  assert.equal(closed, true);
  const next = await waiting;
  assert.deepEqual({ state: host.stats().state, starts: host.stats().starts, stops: host.stats().stops }, { state: 'ready', starts: 2, stops: 1 });
  await next.release();
  await host.close();
  await host.close(); // idempotent
  assert.equal(host.stats().state, 'idle');
});

test('a failed start leaves the host idle and the next acquire retries', async () => {
  const { factory, counts } = countingFactory({ failFirst: 1 });
  const host = new ConverterHost({ createEngines: factory, lingerMs: 0 });
  await assert.rejects(host.acquire(), (e: unknown) => {
    assert.ok(isCdoError(e));
    assert.equal(e.code, 'CDO_E_CALL_FAILED');
    assert.equal((e.cause as Error).message, 'engine start failed');
    return true;
  });
  assert.deepEqual(core(host), { state: 'idle', refs: 0, starts: 0, stops: 0, conversions: 0 });
  const lease = await host.acquire();
  assert.equal(counts.failures, 1);
  assert.equal(counts.created, 1);
  await lease.release();
});

test('concurrent acquires racing a failing start all fail, then one retry succeeds', async () => {
  const { factory } = countingFactory({ failFirst: 1 });
  const host = new ConverterHost({ createEngines: factory, lingerMs: 0 });
  const results = await Promise.allSettled(Array.from({ length: 20 }, () => host.acquire()));
  // The first caller's start fails; the others queued behind the mutex start again.
  assert.equal(results.filter((r) => r.status === 'rejected').length, 1);
  assert.equal(host.stats().refs, 19);
  assert.equal(host.stats().starts, 1);
  await Promise.all(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.release()] : [])));
  assert.equal(host.stats().refs, 0);
});

test('the idle linger stops the converter after the last release, and a new lease cancels it', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const host = new ConverterHost({ lingerMs: 1_000 });
  const lease = await host.acquire();
  await lease.release();
  assert.equal(host.stats().state, 'ready');
  t.mock.timers.tick(500);
  const again = await host.acquire(); // cancels the pending stop
  await again.release();
  t.mock.timers.tick(999);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(host.stats().state, 'ready');
  t.mock.timers.tick(1);
  for (let i = 0; i < 10 && host.stats().state !== 'idle'; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(core(host), { state: 'idle', refs: 0, starts: 1, stops: 1, conversions: 0 });
});

test('a lease holder does not block new acquires (the mutex itself: converter-locking.test.ts)', async () => {
  const host = new ConverterHost({ lingerMs: 0 });
  const holder = await host.acquire();
  const others = await Promise.all(Array.from({ length: 10 }, () => host.acquire()));
  assert.equal(host.stats().refs, 11);
  await Promise.all([holder, ...others].map((l) => l.release()));
});

test('a lease releases only after its own conversions finished', async () => {
  const host = new ConverterHost({ lingerMs: 0 });
  const lease = await host.acquire();
  const converting = lease.convert('# Title', 'markdown', 'text');
  const releasing = lease.release();
  assert.equal(await converting, 'Title');
  await releasing;
  assert.equal(host.stats().conversions, 1);
  assert.equal(host.stats().state, 'idle');
});

test('bad kinds and oversized inputs are typed errors', async () => {
  const host = new ConverterHost({ lingerMs: 0 });
  await using lease = await host.acquire();
  await assert.rejects(lease.convert('x', 'pdf', 'html'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER');
  await assert.rejects(lease.convert('x', 'rtf', 'html'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_BAD_DATA');
  await assert.rejects(lease.convert(42 as unknown as string, 'text', 'html'), (e: unknown) => isCdoError(e) && e.code === 'CDO_E_INVALID_PARAMETER');
});

test('await using releases the lease', async () => {
  const host = new ConverterHost({ lingerMs: 0 });
  {
    await using lease = await host.acquire();
    assert.equal(host.stats().refs, 1);
    await lease.convert('x', 'text', 'html');
  }
  assert.equal(host.stats().refs, 0);
  assert.equal(host.stats().state, 'idle');
});
