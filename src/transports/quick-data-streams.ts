import type { Transform, TransformCallback } from 'node:stream';

// nodemailer sends a message's DATA through its DataStream, which doubles a dot that
// starts a line and turns a bare CR or LF into CRLF by looking at every byte in
// JavaScript: ≈ 140 µs for the 28 KB bulk template, a quarter of the sending thread's
// busy time in a bulk send over SMTP. What we send is CRLF throughout (headers and
// prepared parts alike), so native indexOf finds the line breaks, proves none is bare, and
// leaves only the dots to double.
// Any other chunk goes through nodemailer's own transform, so the bytes on the wire are
// nodemailer's either way (test/quick-data-streams.test.ts compares them).

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const STUFFED_DOT = Buffer.from('.');

/** What a pooled connection's DataStream keeps between chunks (nodemailer internals, pinned by the test). */
interface DataStreamState extends Transform {
  _transform: (this: Transform, chunk: unknown, encoding: BufferEncoding, done: TransformCallback) => void;
  lastByte: number | false;
  inByteCount: number;
  outByteCount: number;
}

/** A connection of nodemailer's pool (its PoolResource), as far as this reaches into it. */
export interface PooledConnection {
  connection?: ConnectionInternals | false;
  send?: (...args: unknown[]) => unknown;
}
interface ConnectionInternals {
  _createSendStream?: (...args: unknown[]) => Transform;
}

/** Every DataStream of one pooled connection gets the quick transform. */
export function quickDataStreams(resource: PooledConnection): void {
  const send = resource.send;
  if (typeof send !== 'function') return;
  // The resource makes its SMTP connection when it first sends and keeps it for life (in
  // nodemailer 10; were it to reconnect, the new connection would just take the bytewise pass).
  resource.send = function (this: PooledConnection, ...args: unknown[]) {
    if (resource.connection) {
      quickenConnection(resource.connection);
      resource.send = send;
    }
    return send.apply(this, args);
  };
}

function quickenConnection(connection: ConnectionInternals): void {
  const createSendStream = connection._createSendStream;
  if (typeof createSendStream !== 'function') return;
  connection._createSendStream = function (this: ConnectionInternals, ...args: unknown[]) {
    const stream = createSendStream.apply(this, args);
    quickenDataStream(stream);
    return stream;
  };
}

/** Gives one nodemailer DataStream the quick transform (left as it is if it does not look like one). */
export function quickenDataStream(stream: Transform): void {
  const state = stream as DataStreamState;
  const { lastByte, inByteCount, outByteCount } = state;
  const bytewise = state._transform;
  if (typeof bytewise !== 'function' || lastByte !== false || inByteCount !== 0 || outByteCount !== 0) return;
  state._transform = function (chunk, encoding, done) {
    const dots = Buffer.isBuffer(chunk) ? dotsToDouble(chunk, state.lastByte) : undefined;
    if (dots === undefined) {
      bytewise.call(this, chunk, encoding, done);
      return;
    }
    const data = chunk as Buffer;
    const out = dots.length === 0 ? data : withDotsDoubled(data, dots);
    state.inByteCount += data.length;
    state.outByteCount += out.length;
    state.lastByte = data[data.length - 1]!;
    this.push(out);
    done();
  };
}

/**
 * Where the dots that start a line are in a chunk whose every CR is followed by LF and
 * every LF preceded by CR (within the chunk), or undefined for any other chunk, empty ones
 * and those that start or end between a CR and its LF included.
 */
function dotsToDouble(chunk: Buffer, lastByte: number | false): number[] | undefined {
  if (chunk.length === 0 || lastByte === CR) return undefined;
  const dots: number[] = [];
  if (chunk[0] === DOT && (lastByte === LF || lastByte === false)) dots.push(0);
  let lineBreaks = 0;
  for (let lf = chunk.indexOf(LF); lf !== -1; lf = chunk.indexOf(LF, lf + 1)) {
    if (chunk[lf - 1] !== CR) return undefined;
    lineBreaks++;
    if (chunk[lf + 1] === DOT) dots.push(lf + 1);
  }
  let carriageReturns = 0;
  for (let cr = chunk.indexOf(CR); cr !== -1; cr = chunk.indexOf(CR, cr + 1)) carriageReturns++;
  // Each LF has its own CR before it; any CR beyond those would be a bare one.
  return carriageReturns === lineBreaks ? dots : undefined;
}

function withDotsDoubled(chunk: Buffer, dots: readonly number[]): Buffer {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const dot of dots) {
    pieces.push(chunk.subarray(from, dot), STUFFED_DOT);
    from = dot;
  }
  pieces.push(chunk.subarray(from));
  return Buffer.concat(pieces, chunk.length + dots.length);
}
