// npm run bench: every benchmark in turn, each in its own process (a clean heap and JIT).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const benches: Array<[string, string[]]> = [
  ['send-pipeline.bench.ts', []],
  ['pickup.bench.ts', []],
  ['convert.bench.ts', []],
  ['html-to-text.bench.ts', []],
  ['threshold.bench.ts', []],
  ['rtf.bench.ts', []],
  ['lease.bench.ts', []],
  ['memory.bench.ts', ['--expose-gc']],
  ['queue.bench.ts', []],
];
const started = Date.now();
for (const [file, flags] of benches) {
  console.log(`\n## ${file}\n`);
  const benchStarted = Date.now();
  const result = spawnSync(process.execPath, [...flags, '--import', 'tsx', resolve(import.meta.dirname, file)], { stdio: 'inherit' });
  if (result.status !== 0) process.exitCode = 1;
  console.log(`\n(${file}: ${((Date.now() - benchStarted) / 1000).toFixed(0)} s)`);
}
console.log(`\nall benchmarks: ${((Date.now() - started) / 1000).toFixed(0)} s`);
