// Runs in the converter's worker threads: the same engines as inline, one set per thread.
import { createBodyEngines } from './body-engines.js';
import type { BodyKind } from './body-kind.js';
import { isCdoError } from '../errors/cdo-error.js';
import type { ErrorCode } from '../errors/error-codes.js';

export interface ConversionTask {
  readonly input: string;
  readonly from: BodyKind;
  readonly to: BodyKind;
  readonly sanitizeMarkdown: boolean;
  /** Shared with the caller: when this conversion began (ms since the epoch), for its deadline. */
  readonly startedAt: BigInt64Array;
}

/** Tells the caller the conversion begins now: its deadline counts from here. */
export function markStarted(task: Pick<ConversionTask, 'startedAt'>): void {
  Atomics.store(task.startedAt, 0, BigInt(Math.max(1, Math.round(performance.timeOrigin + performance.now()))));
}

const engines = new Map<boolean, Awaited<ReturnType<typeof createBodyEngines>>>();

/**
 * A typed failure crosses the thread boundary as data: a thrown CdoError would arrive as
 * a plain Error (structured clone keeps the message, not the class or its code).
 */
export interface ConversionFailure {
  readonly failed: { readonly code: ErrorCode; readonly message: string };
}

export default async function convert(task: ConversionTask): Promise<string | ConversionFailure> {
  let set = engines.get(task.sanitizeMarkdown);
  if (set === undefined) {
    set = await createBodyEngines({ sanitizeMarkdown: task.sanitizeMarkdown });
    engines.set(task.sanitizeMarkdown, set);
  }
  markStarted(task);
  try {
    return await set.convert(task.input, task.from, task.to);
  } catch (error) {
    if (isCdoError(error)) return { failed: { code: error.code, message: error.message } };
    throw error;
  }
}
