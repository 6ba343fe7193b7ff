// The defaults README and SECURITY state, checked against the exported constants and the
// behaviour — not against literal numbers, so a tuned default only needs its docs updated.
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { availableParallelism } from 'node:os';
import { createPooledEngines, DEFAULT_ALWAYS_POOL_FROM, DEFAULT_DEADLINE_MS, DEFAULT_POOL_THRESHOLD, DEFAULT_WORKER_NICE } from '../src/converter/pooled-engines.js';

const ROOT = resolve(import.meta.dirname, '..');
const readme = await readFile(resolve(ROOT, 'README.md'), 'utf8');
const security = await readFile(resolve(ROOT, 'SECURITY.md'), 'utf8');
const flat = (text: string): string => text.replace(/\s+/gu, ' ');

test('the pool threshold README and SECURITY state is DEFAULT_POOL_THRESHOLD, and inputs from it up go to the pool', async () => {
  assert.equal(DEFAULT_POOL_THRESHOLD % 1024, 0, 'the docs state it in KB');
  const stated = `Inputs of ${DEFAULT_POOL_THRESHOLD / 1024} KB and more`;
  assert.ok(flat(readme).includes(stated), `README says "${stated}"`);
  assert.ok(flat(security).includes(stated), `SECURITY says "${stated}"`);

  assert.ok(flat(readme).includes(`only takes bodies of ${DEFAULT_ALWAYS_POOL_FROM / 1024} KB and more`), 'README states the one-core rule');
  assert.ok(flat(security).includes(`(${DEFAULT_ALWAYS_POOL_FROM / 1024} KB and more on a machine with one core)`), 'SECURITY states the one-core rule');

  const engines = await createPooledEngines();
  // One core: a worker would only compete with the sending thread, so the pool takes only what would stall it.
  const threshold = availableParallelism() > 1 ? DEFAULT_POOL_THRESHOLD : DEFAULT_ALWAYS_POOL_FROM;
  try {
    const body = (length: number): string => `<p>${'a'.repeat(length - 7)}</p>`;
    await engines.convert(body(threshold - 1), 'html', 'text');
    assert.equal(engines.poolStats().completed, 0, 'below the threshold: inline');
    await engines.convert(body(threshold), 'html', 'text');
    assert.equal(engines.poolStats().completed, 1, 'at the threshold: in the pool');
  } finally {
    await engines.dispose();
  }
});

test('the deadline README and SECURITY state is DEFAULT_DEADLINE_MS', () => {
  assert.equal(DEFAULT_DEADLINE_MS % 1000, 0);
  const seconds = DEFAULT_DEADLINE_MS / 1000;
  assert.ok(flat(readme).includes(`still running after ${seconds} s`), `README states ${seconds} s`);
  assert.ok(flat(security).includes(`${seconds} s deadline`), `SECURITY states ${seconds} s`);
});

test('"the 16 most recent bodies per direction are remembered": the 17th evicts the oldest', async () => {
  const match = /The (\d+) most recent bodies per direction are remembered/u.exec(flat(readme));
  assert.ok(match !== null, 'README states the cache size');
  const size = Number(match[1]);
  const engines = await createPooledEngines();
  try {
    const bodies = Array.from({ length: size + 1 }, (_, i) => `<p>body number ${i}</p>`);
    for (const b of bodies) await engines.convert(b, 'html', 'text');
    assert.equal(engines.poolStats().cacheHits, 0);
    // The youngest `size` are all remembered (youngest first, so no lookup evicts another).
    for (const b of bodies.slice(1).reverse()) await engines.convert(b, 'html', 'text');
    assert.equal(engines.poolStats().cacheHits, size);
    await engines.convert(bodies[0] ?? '', 'html', 'text');
    assert.equal(engines.poolStats().cacheHits, size, 'the oldest was evicted');
    // Per direction: the same body the other way is a separate entry.
    await engines.convert(bodies[1] ?? '', 'html', 'markdown');
    assert.equal(engines.poolStats().cacheHits, size);
  } finally {
    await engines.dispose();
  }
});

test('the workers run the documented nice steps below the sending thread (Linux)', { skip: process.platform !== 'linux' }, async () => {
  const stated = /run (\d+) nice steps below the sending thread/u.exec(flat(readme));
  assert.ok(stated !== null, 'README states the workers\' nice steps');
  assert.equal(Number(stated[1]), DEFAULT_WORKER_NICE);
  const niceOf = async (task: string): Promise<number> => {
    const stat = await readFile(`/proc/self/task/${task}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  };
  const engines = await createPooledEngines({ threshold: 0 });
  try {
    await engines.convert('<p>a body for a worker</p>', 'html', 'text');
    const tasks = await readdir('/proc/self/task');
    const nices = await Promise.all(tasks.map(niceOf));
    const sending = await niceOf(String(process.pid));
    const expected = Math.min(19, sending + DEFAULT_WORKER_NICE);
    assert.ok(nices.includes(expected), `a worker thread runs at nice ${expected}, the sending thread's ${sending} + ${DEFAULT_WORKER_NICE} (threads: ${nices.join(', ')})`);
  } finally {
    await engines.dispose();
  }
});
