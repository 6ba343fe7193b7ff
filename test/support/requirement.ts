import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** The shared corpus of real HTML / Markdown / RTF inputs, beside the repository. */
export const CORPUS = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'corpus');

/** Whether an executable of that name is on PATH. */
export function hasCommand(name: string): boolean {
  return (process.env['PATH'] ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * A test's `skip` option for something the machine must provide (Redis, Chromium, Python,
 * `script`, the corpus). Locally a missing one skips the test with a reason; under CI=true
 * it is a failure — thrown as the test file loads — so a CI run can never pass by skipping.
 */
export function requires(what: string, present: boolean): string | false {
  if (present) return false;
  if (process.env['CI'] === 'true') throw new Error(`${what} is missing: under CI=true a missing requirement fails the run (.ci/run installs it)`);
  return `${what} is not available`;
}

export const needsRedis = (): string | false => requires('redis-server', hasCommand('redis-server'));
export const needsChromium = (): string | false => requires('chromium (/usr/bin/chromium)', existsSync('/usr/bin/chromium'));
export const needsPython = (): string | false => requires('python3', hasCommand('python3'));
export const needsScript = (): string | false => requires('script (util-linux)', hasCommand('script'));
export const needsCorpus = (sub = ''): string | false => requires(`the corpus (${join(CORPUS, sub)})`, existsSync(join(CORPUS, sub)));
