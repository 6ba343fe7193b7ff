import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
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
    // Loaded synchronously on first use (this call must be synchronous), not at import.
    const { createSyncFn } = createRequire(import.meta.url)('synckit') as typeof import('synckit');
    parse = createSyncFn<ParseFn>(worker, { timeout: 30_000 });
  }
  return parse(path, skipEnvelope);
}
