import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface RawRequest {
  readonly path: string;
  /** The Host header; null sends none (over HTTP/1.0, which allows that). Default: address:port. */
  readonly host?: string | null;
  readonly headers?: Record<string, string>;
  /** Resolve once the bytes received match this (a stream that stays open). */
  readonly until?: RegExp;
  /** Where to connect. Default 127.0.0.1. */
  readonly address?: string;
}

/**
 * One HTTP request written byte for byte: any Host header (or none) and any path, with
 * nothing normalised on the way. Resolves when the server ends the response, or — for a
 * stream that stays open — as soon as the bytes received match `until`.
 */
export function rawRequest(port: number, request: RawRequest): Promise<RawResponse> {
  const address = request.address ?? '127.0.0.1';
  const lines = [`GET ${request.path} HTTP/${request.host === null ? '1.0' : '1.1'}`];
  if (request.host !== null) lines.push(`Host: ${request.host ?? `${address}:${port}`}`);
  for (const [name, value] of Object.entries(request.headers ?? {})) lines.push(`${name}: ${value}`);
  lines.push('Connection: close', '', '');
  return new Promise((resolve, reject) => {
    const socket = connect(port, address);
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      socket.destroy();
      const data = Buffer.concat(chunks);
      const end = data.indexOf('\r\n\r\n');
      const [statusLine = '', ...headerLines] = data.subarray(0, end < 0 ? data.length : end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body = end < 0 ? Buffer.alloc(0) : data.subarray(end + 4);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: (headers['transfer-encoding'] === 'chunked' ? unchunk(body) : body).toString('utf8') });
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (request.until?.test(Buffer.concat(chunks).toString('utf8')) === true) finish();
    });
    socket.on('end', finish);
    socket.on('error', (error) => (done ? undefined : reject(error)));
    socket.write(lines.join('\r\n'));
  });
}

/** The data of a chunked body (as much of it as arrived). */
function unchunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = eol < 0 ? 0 : Number.parseInt(rest.subarray(0, eol).toString('latin1'), 16);
    if (!(size > 0)) return Buffer.concat(parts);
    parts.push(rest.subarray(eol + 2, eol + 2 + size));
    rest = rest.subarray(eol + 2 + size + 2);
  }
}
