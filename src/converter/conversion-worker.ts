// Runs in the converter's worker threads: the same engines as inline, one set per thread.
import { createBodyEngines } from './body-engines.js';
import type { BodyKind } from './body-kind.js';

export interface ConversionTask {
  readonly input: string;
  readonly from: BodyKind;
  readonly to: BodyKind;
  readonly sanitizeMarkdown: boolean;
}

const engines = new Map<boolean, Awaited<ReturnType<typeof createBodyEngines>>>();

export default async function convert(task: ConversionTask): Promise<string> {
  let set = engines.get(task.sanitizeMarkdown);
  if (set === undefined) {
    set = await createBodyEngines({ sanitizeMarkdown: task.sanitizeMarkdown });
    engines.set(task.sanitizeMarkdown, set);
  }
  return set.convert(task.input, task.from, task.to);
}
