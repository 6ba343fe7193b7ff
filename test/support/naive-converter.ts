import type { BodyEngines, BodyEnginesFactory } from '../../src/converter/body-engines.js';
import type { BodyKind } from '../../src/converter/body-kind.js';
import type { ConverterSource } from '../../src/converter/converter-host.js';
import { createSlowEngines } from './slow-engines.js';

/**
 * The KB Q214685 bug, on purpose: every Send initialises the one shared converter with
 * no lock, and whoever finishes first shuts it down under everybody else. The stress
 * harness must catch this, which proves the harness can fail.
 */
export class NaiveConverter implements ConverterSource {
  #shared: BodyEngines | undefined;
  readonly #createEngines: BodyEnginesFactory;

  constructor(createEngines: BodyEnginesFactory = createSlowEngines) {
    this.#createEngines = createEngines;
  }

  /** The original had no orderly shutdown either. */
  async close(): Promise<void> {}

  async acquire(): Promise<{ convert(input: string, from: string, to: string): Promise<string>; release(): Promise<void> }> {
    this.#shared = await this.#createEngines();
    return {
      convert: async (input, from, to) => {
        const engines = this.#shared;
        if (engines === undefined) throw new Error('converter was shut down by another sender');
        return engines.convert(input, from as BodyKind, to as BodyKind);
      },
      release: async () => {
        const engines = this.#shared;
        this.#shared = undefined;
        await engines?.dispose();
      },
    };
  }
}
