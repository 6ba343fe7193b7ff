import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { CdoError, isCdoError } from '../errors/cdo-error.js';
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
  try {
    return parse(path, skipEnvelope);
  } catch (error) {
    // The parser's own errors ("Max allowed child nodes exceeded", a vanished file…).
    if (isCdoError(error)) throw error;
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'ENOENT') throw new CdoError('CDO_E_NOT_FOUND', `the message file ${path} is gone`, { cause: error });
    throw new CdoError('CDO_E_BAD_DATA', `the message ${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
