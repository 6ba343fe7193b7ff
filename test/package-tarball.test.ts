// The tarball is the product: pack it as `npm publish` would, install it into a fresh project
// (offline, from the npm cache that `npm ci` filled: tests send nothing off the machine), and
// use it there the ways a user does — import, require, TypeScript, the CLI.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { consumerLockfile } from './support/consumer-lockfile.js';
import { parseMail } from './support/parse-mail.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');
const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
  readonly name: string;
  readonly version: string;
  readonly dependencies: Record<string, string>;
  readonly bin: Record<string, string>;
  readonly engines: Record<string, string>;
};

interface PackedFile {
  readonly path: string;
}
interface PackResult {
  readonly filename: string;
  readonly files: readonly PackedFile[];
}

// The environment of every child: no transport or pickup override leaks in from the caller.
const env: NodeJS.ProcessEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
delete env.CDONTS_TRANSPORT;
delete env.CDONTS_PICKUP_DIR;
delete env.CDONTS_DROP_DIR;

let work = '';
let consumer = '';
let tarball = '';
let packed: PackResult;

function exec(file: string, args: readonly string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return run(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
}

const node = (args: readonly string[], cwd = consumer) => exec(process.execPath, args, cwd);

before(async () => {
  // `npm test` builds before it tests; packing here does not build again (--ignore-scripts)
  // so that the Node 22 and 24 runs test the same dist/ as the first.
  assert.ok(existsSync(join(root, 'dist', 'index.js')) && existsSync(join(root, 'dist', 'index.d.ts')), 'dist/ is built (npm run build)');
  work = await mkdtemp(join(tmpdir(), 'cdonts-tarball-'));
  const { stdout } = await exec('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root);
  [packed] = JSON.parse(stdout) as [PackResult];
  tarball = join(work, packed.filename);
  consumer = join(work, 'consumer');
  await mkdir(consumer);
  // Our dependencies at the versions we test, plus the TypeScript and Node types we build with.
  const { packageJson, lockfile } = consumerLockfile({
    lock: JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as Parameters<typeof consumerLockfile>[0]['lock'],
    self: manifest,
    tarball: `../${packed.filename}`,
    extra: ['typescript', '@types/node'],
    registry: (await exec('npm', ['config', 'get', 'registry'], root)).stdout.trim(),
  });
  await writeFile(join(consumer, 'package.json'), JSON.stringify(packageJson, null, 2));
  await writeFile(join(consumer, 'package-lock.json'), JSON.stringify(lockfile, null, 2));
  await exec('npm', ['ci', '--offline'], consumer);
});

after(() => (work === '' ? undefined : rm(work, { recursive: true, force: true })));

test('the tarball holds the build, the CLI and the docs — no tests, benches or sources', () => {
  const paths = packed.files.map((f) => f.path).sort();
  const unexpected = paths.filter((p) => !/^(?:dist\/.+\.(?:js|d\.ts|js\.map|d\.ts\.map)|bin\/cdonts\.js|package\.json|README\.md|LICENSE)$/u.test(p));
  assert.deepEqual(unexpected, []);
  assert.ok(paths.includes('dist/index.js') && paths.includes('dist/index.d.ts') && paths.includes('dist/cli/main.js'));
  assert.ok(!paths.some((p) => /^(?:test|bench|src|examples|scratch|mailroot)\//u.test(p) || /\.tsbuildinfo$/u.test(p)));
});

test('source maps in the tarball carry no source text', async () => {
  const maps = packed.files.filter((f) => f.path.endsWith('.map'));
  assert.ok(maps.length > 0);
  for (const { path } of maps) {
    const map = JSON.parse(await readFile(join(consumer, 'node_modules', 'cdonts', path), 'utf8')) as { sourcesContent?: unknown };
    assert.equal(map.sourcesContent, undefined, path);
  }
});

const USE = (load: string) => `${load}
const lease = await cdonts.converter.acquire();
const html = await lease.convert('# Hi <script>x()</script>', 'markdown', 'html');
await lease.release();
const m = cdonts.createObject('CDONTS.NewMail');
console.log(JSON.stringify({ NewMail: typeof cdonts.NewMail, same: m instanceof cdonts.NewMail, html, constant: cdonts.CdoBodyFormatHTML }));
await cdonts.close();
`;

function assertUsable(stdout: string): void {
  assert.deepEqual(JSON.parse(stdout), { NewMail: 'function', same: true, html: '<h1>Hi </h1>\n', constant: 0 });
}

test('import works from an ES module', async () => {
  await writeFile(join(consumer, 'esm.mjs'), USE("import * as cdonts from 'cdonts';"));
  assertUsable((await node(['esm.mjs'])).stdout);
});

test('require works from a CommonJS script (Node ≥ 20.19 loads ES modules with require)', async () => {
  await writeFile(join(consumer, 'cjs.cjs'), `(async () => {\n${USE("const cdonts = require('cdonts');")}\n})();`);
  assertUsable((await node(['cjs.cjs'])).stdout);
});

const CONSUMER_TS = `import { NewMail, configure, converter, CdoBodyFormatHTML, CdoHigh, isCdoError, type SendResult } from 'cdonts';

configure({ transport: 'memory:' });
const m = new NewMail();
m.From = 'web@example.com';
m.To = 'you@example.com';
m.BodyFormat = CdoBodyFormatHTML;
m.Importance = CdoHigh;
// @ts-expect-error: the types are real, not any — a number is not a subject
m.Subject = 42;
export async function send(): Promise<string> {
  try {
    const result: SendResult = await m.Send();
    const lease = await converter.acquire();
    await lease.release();
    return result.messageId;
  } catch (error) {
    if (isCdoError(error)) return error.code;
    throw error;
  }
}
`;

for (const resolution of ['node16', 'bundler'] as const) {
  test(`a TypeScript consumer type-checks with moduleResolution ${resolution}`, async () => {
    const compilerOptions = {
      module: resolution === 'node16' ? 'node16' : 'esnext',
      moduleResolution: resolution,
      target: 'es2022',
      strict: true,
      noEmit: true,
      // Our declarations are checked too, against nothing but what an install brings.
      skipLibCheck: false,
      types: ['node'],
    };
    await writeFile(join(consumer, `tsconfig.${resolution}.json`), JSON.stringify({ compilerOptions, files: ['consumer.mts'] }));
    await writeFile(join(consumer, 'consumer.mts'), CONSUMER_TS);
    const tsc = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await node([tsc, '-p', `tsconfig.${resolution}.json`]).catch((error: Error & { stdout?: string }) => assert.fail(`tsc (${resolution}):\n${error.stdout ?? error.message}`));
    assert.equal(result.stdout, '');
  });
}

test('npx cdonts --help and the quick start send work from the install', async () => {
  const help = await exec('npx', ['--offline', 'cdonts', '--help'], consumer);
  assert.match(help.stdout, /cdonts send/u);
  const { stdout } = await exec('npx', ['--offline', 'cdonts', 'send', '--from', 'web@example.com', '--to', 'you@example.com', '--subject', 'Hello', '--body', 'It works'], consumer);
  const [, path = ''] = /^sent via pickup: (.+\.eml)$/mu.exec(stdout) ?? [];
  assert.ok(path.startsWith(join(consumer, 'mailroot', 'pickup')), stdout);
  assert.match(stdout, /^Message-ID: <.+>$/mu);
  const mail = await parseMail(await readFile(path));
  assert.equal(mail.subject, 'Hello');
  assert.equal(mail.text?.trim(), 'It works');
});

test('publint and arethetypeswrong find nothing in the tarball', async () => {
  const publint = await node([join(root, 'node_modules', 'publint', 'src', 'cli.js'), 'run', tarball, '--strict'], root);
  assert.match(publint.stdout, /All good!/u, publint.stdout);
  // ESM only, on purpose: a second CommonJS build would be a second process-wide converter
  // (the dual-package hazard). require('cdonts') loads the ES module on Node ≥ 20.19.
  const attw = await node([join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js'), tarball, '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii', '--no-color'], root);
  assert.match(attw.stdout, /No problems found/u, attw.stdout);
});
