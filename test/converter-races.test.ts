import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConverterHost } from '../src/converter/converter-host.js';
import { NaiveConverter } from './support/naive-converter.js';
import { exploreRaces } from './support/race-harness.js';

// 1,000 schedules in CI; `npm run test:deep` raises it (CDONTS_RACE_RUNS).
const RUNS = Number(process.env['CDONTS_RACE_RUNS'] ?? 1_000);

test(`race exploration: ${RUNS} schedules of acquire/convert/release/linger/close keep every invariant`, async (t) => {
  const result = await exploreRaces((deps) => new ConverterHost(deps), { numRuns: RUNS });
  assert.equal(result.failed, false, `counterexample (seed ${result.seed}, path ${result.counterexamplePath}): ${result.errorInstance instanceof Error ? result.errorInstance.message : ''}`);
  t.diagnostic(`${result.numRuns} schedules explored, seed ${result.seed}`);
});

test('the same harness finds the KB Q214685 bug in the naive converter', async (t) => {
  const result = await exploreRaces((deps) => new NaiveConverter(deps.createEngines), { numRuns: 300, startFailures: false });
  assert.equal(result.failed, true, 'the harness must be able to fail');
  const message = result.errorInstance instanceof Error ? result.errorInstance.message : '';
  assert.match(message, /stopped engine|two engines alive|stopped while a conversion ran|more stops than starts|shut down by another sender|close\(\) resolved while a lease/u);
  t.diagnostic(`naive converter broke after ${result.numRuns} schedules: ${message}`);
});
