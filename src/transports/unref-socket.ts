import { connect } from 'node:net';
import type { GetSocketHandler } from 'nodemailer/lib/mailer';
import { coalesceWrites } from './coalesce-writes.js';

const DEFAULT_CONNECTION_TIMEOUT_MS = 2 * 60 * 1000;

/**
 * nodemailer's getSocket hook: opens the TCP connection itself so it can unref() it.
 * A pooled SMTP socket then never keeps the process alive on its own; the Mailer holds
 * a ref while a send is in flight, so nothing in flight is dropped. The socket sends
 * bursts of writes with one system call each (coalesceWrites).
 */
export const unrefSocket: GetSocketHandler = (options, callback) => {
  const secure = options['secure'] === true;
  const host = typeof options.host === 'string' && options.host !== '' ? options.host : 'localhost';
  const port = typeof options.port === 'number' && options.port > 0 ? options.port : secure ? 465 : 587;
  const timeout = typeof options['connectionTimeout'] === 'number' ? (options['connectionTimeout']) : DEFAULT_CONNECTION_TIMEOUT_MS;
  const localAddress = typeof options['localAddress'] === 'string' ? (options['localAddress']) : undefined;
  const socket = connect(localAddress === undefined ? { host, port } : { host, port, localAddress });
  let settled = false;
  const finish = (error: Error | null): void => {
    if (settled) return;
    settled = true;
    socket.setTimeout(0);
    if (error !== null) {
      socket.destroy();
      callback(error);
      return;
    }
    socket.unref();
    coalesceWrites(socket);
    callback(null, { connection: socket });
  };
  socket.setTimeout(timeout, () => finish(Object.assign(new Error(`connection to ${host}:${port} timed out`), { code: 'ETIMEDOUT', command: 'CONN' })));
  socket.once('error', (error: Error) => finish(Object.assign(error, { command: 'CONN' })));
  socket.once('connect', () => finish(null));
};
