import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSyncFn } from 'synckit';
import type { ParsedMessage } from './parsed-message.js';

type ParseFn = (path: string, skipEnvelope: number) => ParsedMessage;
let parse: ParseFn | undefined;

/** Parses one message file synchronously, in a worker thread started on first use. */
export function parseMessageSync(path: string, skipEnvelope: number): ParsedMessage {
  if (parse === undefined) {
    // Built package: the .js beside this file. Running the TypeScript sources (the tests,
    // after `npm run build`): the built worker in dist/.
    const beside = new URL('./parse-worker.js', import.meta.url);
    const built = new URL('../../dist/session/parse-worker.js', import.meta.url);
    const worker = existsSync(fileURLToPath(beside)) ? beside : built;
    parse = createSyncFn<ParseFn>(worker, { timeout: 30_000 });
  }
  return parse(path, skipEnvelope);
}
