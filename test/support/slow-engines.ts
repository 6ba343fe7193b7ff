import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { createBodyEngines, type BodyEngines } from '../../src/converter/body-engines.js';

/**
 * The real engines, but every start and every conversion takes a turn of the event loop,
 * as they do when the work runs off-thread. That opens the window in which a converter
 * shut down by one sender can hurt another (KB Q214685).
 */
export async function createSlowEngines(): Promise<BodyEngines> {
  await nextMacrotask();
  const engines = await createBodyEngines();
  return {
    convert: async (input, from, to) => {
      await nextMacrotask();
      return engines.convert(input, from, to);
    },
    dispose: () => engines.dispose(),
  };
}
