// Runs in the converter's worker threads: the same engines as inline, one set per thread.
import { createBodyEngines } from './body-engines.js';
import type { BodyKind } from './body-kind.js';
import { isCdoError } from '../errors/cdo-error.js';
import { prepareAlternatives, type AlternativesRequest, type PreparedAlternatives } from './prepare-alternatives.js';
import { runBatch, type TaskBatch, type TaskFailure } from './task-batch.js';

export interface ConversionTask {
  readonly input: string;
  readonly from: BodyKind;
  readonly to: BodyKind;
  readonly sanitizeMarkdown: boolean;
}

/** A whole MIME body at once: both conversions and both encoded parts (one hand-off). */
export interface AlternativesTask {
  readonly alternatives: AlternativesRequest;
  readonly sanitizeMarkdown: boolean;
}

// One set per kind of need: a worker that only ever gets HTML, text and RTF never loads
// the Markdown libraries (marked, turndown, sanitize-html: most of a worker's start-up).
const engines = new Map<string, Promise<Awaited<ReturnType<typeof createBodyEngines>>>>();

function enginesFor(task: ConversionTask | AlternativesTask): ReturnType<typeof createBodyEngines> {
  const markdown = 'alternatives' in task ? task.alternatives.from === 'markdown' : task.from === 'markdown' || task.to === 'markdown';
  const key = markdown ? `markdown:${task.sanitizeMarkdown}` : 'html';
  let set = engines.get(key);
  if (set === undefined) {
    set = createBodyEngines({ sanitizeMarkdown: task.sanitizeMarkdown, markdown });
    engines.set(key, set);
    set.catch(() => engines.delete(key)); // a failed start is tried again by the next task
  }
  return set;
}

/** The tasks handed over together (batched-pool.ts); the deadline counts each one's run. */
export default function convertBatch(batch: TaskBatch<ConversionTask | AlternativesTask>): Promise<Array<string | PreparedAlternatives | TaskFailure | null>> {
  return runBatch(batch, convert);
}

/**
 * A typed failure crosses the thread boundary as data (TaskFailure): a thrown CdoError
 * would arrive as a plain Error (structured clone keeps the message, not the class or its code).
 */
async function convert(task: ConversionTask | AlternativesTask): Promise<string | PreparedAlternatives | TaskFailure> {
  const set = await enginesFor(task);
  try {
    return 'alternatives' in task ? await prepareAlternatives(set, task.alternatives) : await set.convert(task.input, task.from, task.to);
  } catch (error) {
    if (isCdoError(error)) return { failed: { code: error.code, message: error.message } };
    throw error;
  }
}
