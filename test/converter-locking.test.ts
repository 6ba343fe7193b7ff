// The two locking promises of the converter host, made observable with a mutex spy:
// acquire() on a ready host takes no lock, and a conversion never holds the mutex.
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { test } from 'node:test';
import type { BodyEngines } from '../src/converter/body-engines.js';
import { ConverterHost } from '../src/converter/converter-host.js';
import { MutexSpy } from './support/mutex-spy.js';

/** Resolves with `value`, or with 'blocked' if it is still pending once the event loop turns. */
function settlesAtOnce<T>(promise: Promise<T>): Promise<T | 'blocked'> {
  return Promise.race([promise, nextTurn('blocked' as const)]);
}

/** Engines whose conversions wait for a gate the test opens. */
function gatedEngines() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let convertingStarted!: () => void;
  const converting = new Promise<void>((resolve) => (convertingStarted = resolve));
  const engines: BodyEngines = {
    convert: async (input) => {
      convertingStarted();
      await gate;
      return `<p>${input}</p>`;
    },
    dispose: async () => {},
  };
  return { factory: async () => engines, open, converting };
}

test('acquire() on a ready converter takes no lock: no mutex entry, and it does not wait while someone else holds the mutex', async () => {
  const mutex = new MutexSpy();
  const host = new ConverterHost({ lingerMs: 60_000, mutex });
  const first = await host.acquire();
  assert.equal(mutex.entries, 1, 'the first acquire starts the engines under the mutex');
  assert.equal(host.stats().state, 'ready');

  const leases = await Promise.all(Array.from({ length: 100 }, () => host.acquire()));
  assert.equal(mutex.entries, 1, 'acquires on a ready host entered the mutex');

  // Hold the mutex from outside: a fast-path acquire must still resolve at once.
  const unlock = await mutex.inner.acquire();
  const during = await settlesAtOnce(host.acquire());
  unlock();
  assert.notEqual(during, 'blocked', 'acquire on a ready host waited for the mutex');
  assert.equal(mutex.entries, 1);

  for (const lease of [first, ...leases]) await lease.release();
  if (during !== 'blocked') await during.release();
  assert.equal(host.stats().refs, 0);
  await host.close();
  assert.equal(mutex.entries, 2, 'close() is the second and last entry');
});

test('a conversion never holds the mutex: while one is held open on a gated engine, the mutex is free and other callers acquire and release', async () => {
  const mutex = new MutexSpy();
  const engines = gatedEngines();
  const host = new ConverterHost({ lingerMs: 0, createEngines: engines.factory, mutex });
  const holder = await host.acquire();
  const conversion = holder.convert('held', 'text', 'html');
  await engines.converting;
  const entriesBefore = mutex.entries;

  assert.equal(mutex.isLocked(), false, 'the mutex is locked while a conversion runs');
  const unlock = await settlesAtOnce(mutex.inner.acquire());
  assert.notEqual(unlock, 'blocked', 'the mutex could not be taken while a conversion ran');
  if (unlock !== 'blocked') unlock();

  for (let i = 0; i < 10; i++) {
    const other = await settlesAtOnce(host.acquire());
    assert.notEqual(other, 'blocked', 'an acquire waited for a running conversion');
    if (other !== 'blocked') await other.release();
  }
  assert.equal(mutex.entries, entriesBefore, 'acquire and release during a conversion entered the mutex');
  assert.equal(host.stats().refs, 1);
  assert.equal(host.stats().state, 'ready', 'the running conversion keeps the engines up');

  engines.open();
  assert.equal(await conversion, '<p>held</p>');
  await holder.release();
  assert.equal(host.stats().state, 'idle', 'linger 0: the last release stops the engines');
  assert.equal(mutex.entries, entriesBefore + 1, 'the stop is the one entry after the conversion');
});
