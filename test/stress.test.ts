import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConverterHost } from '../src/converter/converter-host.js';
import { NaiveConverter } from './support/naive-converter.js';
import { createSlowEngines } from './support/slow-engines.js';
import { runSendStress } from './support/send-stress.js';
import { startSmtpSink } from './support/smtp-sink.js';

const COUNT = 2_000;
const WAVES = 40;

/**
 * Sends in waves: the first opens at once, each next one the moment the converter stops
 * (its engines are disposed: every lease of the waves before was released, and a linger-0
 * host is tearing down), so every wave acquires while the converter is stopping — the KB
 * Q214685 window — and the converter restarts once per wave however fast or slow the
 * machine is. A wave whose sends have all settled opens the next too, so a host that never
 * stops fails the restart count instead of hanging.
 */
function waves(count: number, waveCount: number) {
  const size = count / waveCount;
  const open: Array<() => void> = [];
  const opened = Array.from({ length: waveCount }, (_, w) => (w === 0 ? Promise.resolve() : new Promise<void>((resolve) => (open[w] = resolve))));
  const pending = Array.from({ length: waveCount }, () => size);
  let next = 1;
  const openNext = (): void => {
    if (next < waveCount) open[next++]?.();
  };
  return {
    gate: (i: number) => opened[Math.floor(i / size)] ?? Promise.resolve(),
    settled: (i: number) => {
      const w = Math.floor(i / size);
      pending[w] = (pending[w] ?? 0) - 1;
      if (pending[w] === 0 && next === w + 1) openNext();
    },
    stopped: openNext,
  };
}

// Both runs use the same engines, slowed to take a turn of the event loop per start and
// per conversion (as off-thread work does); the naive converter gets the random load.
test(`stress: ${COUNT} concurrent HTML sends with linger 0 all arrive intact, refs back to 0`, async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  let onStop = (): void => undefined;
  const host = new ConverterHost({
    lingerMs: 0,
    createEngines: async () => {
      const engines = await createSlowEngines();
      return { convert: (input, from, to) => engines.convert(input, from, to), dispose: () => (onStop(), engines.dispose()) };
    },
  });
  await (await host.acquire()).release(); // load the engine modules first, so the run itself churns
  const load = waves(COUNT, WAVES);
  onStop = load.stopped;
  const report = await runSendStress({ count: COUNT, converter: host, sink, jitterMs: 20, gate: load.gate, settled: load.settled });
  assert.deepEqual(report.errors, []);
  assert.deepEqual({ sent: report.sent, missing: report.missing, corrupted: report.corrupted, duplicated: report.duplicated }, { sent: COUNT, missing: 0, corrupted: 0, duplicated: 0 });
  const stats = host.stats();
  assert.equal(stats.refs, 0);
  assert.equal(stats.state, 'idle');
  assert.ok(stats.starts - stats.stops <= 1 && stats.starts - stats.stops >= 0, `starts ${stats.starts} stops ${stats.stops}`);
  assert.equal(stats.conversions, COUNT);
  assert.ok(stats.starts > WAVES, `linger 0 restarts the converter for every wave (and once for the warm-up), got ${stats.starts} starts for ${WAVES} waves`);
  t.diagnostic(`converter started ${stats.starts} times and stopped ${stats.stops} times under load`);
});

test('the same harness reports failures against the naive KB Q214685 converter (it can fail)', async (t) => {
  const sink = await startSmtpSink();
  t.after(() => sink.close());
  const report = await runSendStress({ count: 500, converter: new NaiveConverter(), sink, jitterMs: 1_000 });
  const failures = report.errors.length + report.missing + report.corrupted;
  t.diagnostic(`naive converter: ${report.errors.length} sends failed, ${report.corrupted} corrupted, of 500`);
  assert.ok(failures > 0, 'the harness must catch a converter torn down under its users');
});
