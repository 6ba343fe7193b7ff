import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ConverterHost, ConverterHostOptions } from '../../src/converter/converter-host.js';

const SOURCE = fileURLToPath(new URL('../../src/converter/converter-host.ts', import.meta.url));

/** One deliberate bug: an exact passage of the real host's source and what replaces it. */
export interface Mutation {
  readonly name: string;
  readonly find: string;
  readonly replace: string;
}

/** The bugs SECURITY.md says the race harness catches, each a one-place edit of the real host. */
export const MUTATIONS = [
  {
    name: 'the fast path ignores `stopping`',
    find: "if (this.#lifecycle.state === 'ready') {",
    replace: "if (this.#lifecycle.state === 'ready' || this.#lifecycle.state === 'stopping') {",
  },
  {
    name: 'close() does not wait for the leases it found',
    find: 'if (this.#refs > 0) await new Promise<void>((resolve) => (this.#onDrained = resolve));',
    replace: '',
  },
] as const satisfies readonly Mutation[];

/**
 * Builds the real ConverterHost with one passage replaced, from today's source, so the
 * mutant follows every other change to the host. Fails loudly when the passage is gone
 * (the mutation would silently test the unmutated host otherwise).
 */
export async function loadMutantHost(mutation: Mutation): Promise<new (options?: ConverterHostOptions) => ConverterHost> {
  const source = await readFile(SOURCE, 'utf8');
  const at = source.indexOf(mutation.find);
  if (at === -1 || source.indexOf(mutation.find, at + 1) !== -1) {
    throw new Error(`mutation "${mutation.name}": the passage is not in converter-host.ts exactly once; update the mutation`);
  }
  const mutated = source.replace(mutation.find, mutation.replace)
    // The copy lives in a temporary directory: its imports point back into src/ and node_modules.
    .replaceAll(/from '([^']+)'/gu, (_all, path: string) => `from '${path.startsWith('.') ? pathToFileURL(resolve(dirname(SOURCE), path)).href : import.meta.resolve(path)}'`);
  const dir = await mkdtemp(join(tmpdir(), 'cdonts-mutant-'));
  const file = join(dir, 'converter-host.mts');
  await writeFile(file, mutated);
  try {
    const module = (await import(pathToFileURL(file).href)) as { ConverterHost: new (options?: ConverterHostOptions) => ConverterHost };
    return module.ConverterHost;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
