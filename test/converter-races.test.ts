import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConverterHost } from '../src/converter/converter-host.js';
import { NaiveConverter } from './support/naive-converter.js';
import { loadMutantHost, MUTATIONS } from './support/mutant-converter-host.js';
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

// Each mutant is the real host with one passage of its source changed (see
// support/mutant-converter-host.ts): the harness must catch every one of them.
for (const mutation of MUTATIONS) {
  test(`the same harness breaks a host where ${mutation.name}`, async (t) => {
    const MutantHost = await loadMutantHost(mutation);
    const result = await exploreRaces((deps) => new MutantHost(deps), { numRuns: 300 });
    assert.equal(result.failed, true, `the harness missed the mutant "${mutation.name}"`);
    const message = result.errorInstance instanceof Error ? result.errorInstance.message : '';
    t.diagnostic(`mutant "${mutation.name}" broke after ${result.numRuns} schedules: ${message}`);
  });
}
