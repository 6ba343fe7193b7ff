import { randomBytes } from 'node:crypto';
import { isIP, type AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInboxServer } from '../inbox/inbox-server.js';
import { parseOptions } from './parse-options.js';
import { UsageError } from './usage-error.js';
import type { CliIo } from './cli-io.js';

export const INBOX_USAGE = `Usage: cdonts inbox [DIR] [--port N] [--host ADDR [--token SECRET]]

A local web page listing the messages in the pickup directory DIR (default
./mailroot/pickup) and the drop folder beside it, newest first, live. It listens on
127.0.0.1 and answers only requests addressed to 127.0.0.1, localhost or [::1].

  --port N        port to listen on (default 8025; 0 picks a free one)
  --host ADDR     listen on ADDR instead (0.0.0.0 for every address): other machines can
                  reach the page, so every request must then carry a token
  --token SECRET  that token (16+ characters); without it one is generated. The printed
                  address carries it once; the browser keeps it in a cookie
  -h, --help      show this help`;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const EVERY_ADDRESS = new Set(['0.0.0.0', '::']);

export async function inboxCommand(args: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseOptions(args, { port: { type: 'string' }, host: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, true);
  if (parsed.values.help === true) {
    io.out(INBOX_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) throw new UsageError('give at most one directory');
  const port = Number(parsed.values.port ?? 8025);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${JSON.stringify(parsed.values.port)}`);
  const host = (parsed.values.host ?? '127.0.0.1').replace(/^\[(.*)\]$/u, '$1').toLowerCase();
  if (host === '' || (isIP(host) === 0 && !/^[a-z0-9.-]+$/u.test(host))) throw new UsageError(`--host must be an address or host name, got ${JSON.stringify(parsed.values.host)}`);
  const token = parsed.values.token;
  if (token !== undefined && token.length < 16) throw new UsageError('--token must be at least 16 characters');
  const loopback = LOOPBACK.has(host);
  // Beyond loopback anyone who can reach the port could read the mail: a token is required.
  const secret = token ?? (loopback ? undefined : randomBytes(24).toString('base64url'));
  const name = isIP(host) === 6 ? `[${host}]` : host;
  const pickup = resolve(parsed.positionals[0] ?? './mailroot/pickup');
  const server = createInboxServer({
    folders: { pickup, drop: join(dirname(pickup), 'drop') },
    ...(secret === undefined ? {} : { token: secret }),
    ...(loopback ? {} : { hosts: EVERY_ADDRESS.has(host) ? ['*'] : [name] }),
  });
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ready());
  });
  const bound = server.address() as AddressInfo;
  // The address a browser here should open: one the Host check admits.
  const shown = EVERY_ADDRESS.has(host) ? '127.0.0.1' : host === 'localhost' ? (bound.family === 'IPv6' ? `[${bound.address}]` : bound.address) : name;
  const query = secret === undefined ? '' : `?token=${encodeURIComponent(secret)}`;
  io.out(`cdonts inbox: http://${shown}:${bound.port}/${query} (${pickup})`);
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
