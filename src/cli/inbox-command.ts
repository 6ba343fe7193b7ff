import { dirname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createInboxServer } from '../inbox/inbox-server.js';
import { parseOptions } from './parse-options.js';
import { UsageError } from './usage-error.js';
import type { CliIo } from './cli-io.js';

export const INBOX_USAGE = `Usage: cdonts inbox [DIR] [--port N]

A local web page (http://127.0.0.1 only) listing the messages in the pickup directory DIR
(default ./mailroot/pickup) and the drop folder beside it, newest first, live.

  --port N      port to listen on (default 8025; 0 picks a free one)
  -h, --help    show this help`;

export async function inboxCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, true);
  if (parsed.values.help === true) {
    io.out(INBOX_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) throw new UsageError('give at most one directory');
  const port = Number(parsed.values.port ?? 8025);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${JSON.stringify(parsed.values.port)}`);
  const pickup = resolve(parsed.positionals[0] ?? './mailroot/pickup');
  const server = createInboxServer({ folders: { pickup, drop: join(dirname(pickup), 'drop') } });
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ready());
  });
  io.out(`cdonts inbox: http://127.0.0.1:${(server.address() as AddressInfo).port}/ (${pickup})`);
  await new Promise<void>((stop) => {
    process.once('SIGINT', () => stop());
    process.once('SIGTERM', () => stop());
  });
  await new Promise<void>((closed) => {
    server.close(() => closed());
    server.closeAllConnections();
  });
  return 0;
}
