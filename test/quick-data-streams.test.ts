import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Transform } from 'node:stream';
import nodemailer from 'nodemailer';
import DataStream from 'nodemailer/lib/smtp-connection/data-stream';
import { NewMail } from '../src/new-mail.js';
import { Mailer } from '../src/mailer.js';
import { quickenDataStream } from '../src/transports/quick-data-streams.js';
import { parseMail } from './support/parse-mail.js';
import { startSmtpSink } from './support/smtp-sink.js';

type Chunk = Buffer | string;
/** nodemailer's DataStream as its transform is swapped here. */
type TransformFunction = (this: Transform, ...args: Parameters<Transform['_transform']>) => void;
interface Swappable {
  _transform: TransformFunction;
}
interface Result {
  readonly bytes: Buffer;
  readonly inByteCount: number;
  readonly outByteCount: number;
  readonly lastByte: number | false;
  readonly bytewiseCalls: number;
}

/**
 * Runs chunks through one of nodemailer's DataStreams, quickened or not, counting the
 * chunks its own transform saw. Strings reach the transform as strings only with
 * `decodeStrings: false` (otherwise the stream makes Buffers of them first).
 */
async function dataStream(chunks: readonly Chunk[], quick: boolean, decodeStrings = true): Promise<Result> {
  const stream = new DataStream({ decodeStrings }) as unknown as Omit<Transform, '_transform'> & Swappable & { inByteCount: number; outByteCount: number; lastByte: number | false };
  const bytewise = stream._transform;
  let bytewiseCalls = 0;
  stream._transform = function (...args) {
    bytewiseCalls++;
    bytewise.apply(this, args);
  };
  if (quick) quickenDataStream(stream);
  const out: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = new Promise((resolve) => stream.on('end', resolve));
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await ended;
  return { bytes: Buffer.concat(out), inByteCount: stream.inByteCount, outByteCount: stream.outByteCount, lastByte: stream.lastByte, bytewiseCalls };
}

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['a', 'line', '.', '..', '\r\n', '\r\n.', '\r', '\n', '\n.', 'é', ' '];
const CANONICAL = ['a', 'line', '.', '\r\n', '\r\n.', '\r\n..', 'é', ' '];

function randomChunks(next: () => number, pieces: readonly string[]): Chunk[] {
  const text = Array.from({ length: Math.floor(next() * 60) }, () => pieces[Math.floor(next() * pieces.length)]).join('');
  const bytes = Buffer.from(text);
  const chunks: Chunk[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = Math.floor(next() * 12);
    const piece = bytes.subarray(at, at + size);
    chunks.push(next() < 0.1 ? piece.toString('latin1') : piece);
    at += size;
  }
  return chunks;
}

test('the quick transform writes what nodemailer\'s DataStream writes, for any bytes in any chunks', async () => {
  const next = random(214685);
  for (let round = 0; round < 3000; round++) {
    const chunks = randomChunks(next, round % 2 === 0 ? PIECES : CANONICAL);
    const decodeStrings = round % 3 !== 0;
    const [reference, quick] = await Promise.all([dataStream(chunks, false, decodeStrings), dataStream(chunks, true, decodeStrings)]);
    const replay = `round ${round}, decodeStrings ${decodeStrings}: ${JSON.stringify(chunks.map((c) => (typeof c === 'string' ? { string: c } : c.toString('latin1'))))}`;
    assert.deepEqual(quick.bytes, reference.bytes, replay);
    assert.equal(quick.inByteCount, reference.inByteCount, replay);
    assert.equal(quick.outByteCount, reference.outByteCount, replay);
    assert.equal(quick.lastByte, reference.lastByte, replay);
  }
});

test('chunks with CRLF line breaks only skip the bytewise transform; others still take it', async () => {
  const canonical = [Buffer.from('.leading dot\r\nplain\r\n..two\r\n'), Buffer.from('.\r\nlast line\r\n')];
  const quick = await dataStream(canonical, true);
  assert.equal(quick.bytewiseCalls, 0);
  assert.equal(quick.bytes.toString(), '..leading dot\r\nplain\r\n...two\r\n..\r\nlast line\r\n.\r\n');
  // A bare LF, a bare CR, and a CRLF split across two chunks.
  for (const chunks of [[Buffer.from('a\nb')], [Buffer.from('a\rb\r\n')], [Buffer.from('a\r'), Buffer.from('\nb')]]) {
    const result = await dataStream(chunks, true);
    assert.ok(result.bytewiseCalls > 0, JSON.stringify(chunks.map(String)));
    assert.deepEqual(result.bytes, (await dataStream(chunks, false)).bytes);
  }
});

test('every connection of our SMTP pool, replacements included, sends through the quick transform, and dotted lines arrive as written', async (t) => {
  // Counts the chunks nodemailer's own DataStream transform sees, on every connection.
  const prototype = DataStream.prototype as unknown as Swappable;
  const bytewise = prototype._transform;
  let bytewiseCalls = 0;
  prototype._transform = function (...args) {
    bytewiseCalls++;
    bytewise.apply(this, args);
  };
  t.after(() => {
    prototype._transform = bytewise;
  });
  const server = await startSmtpSink();
  t.after(() => server.close());
  const body = ['.one dot', '..two dots', '.', 'the end.'].join('\r\n');
  // Two connections at once, each replaced after two messages: six connections in all.
  const mailer = new Mailer({ transport: `${server.url}/?maxConnections=2&maxMessages=2` });
  t.after(() => mailer.close());
  await Promise.all(
    Array.from({ length: 12 }, (_, i) => {
      const mail = new NewMail({ mailer });
      mail.From = 'web@example.com';
      mail.To = `to${i}@example.com`;
      mail.Subject = 'dots';
      mail.Body = body;
      return mail.Send();
    }),
  );
  assert.equal(bytewiseCalls, 0, 'a chunk of ours took nodemailer\'s bytewise transform: is quickDataStreams still reaching the connections?');
  assert.equal(server.messages.length, 12);
  assert.ok(new Set(server.messages.map((message) => message.session)).size >= 6, 'the pool did not replace its connections');
  for (const message of server.messages) assert.equal((await parseMail(message.raw)).text?.replace(/\r?\n$/u, ''), body.replaceAll('\r\n', '\n'));
  // The counter sees nodemailer's own pool, which keeps the bytewise transform.
  const plain = nodemailer.createTransport({ host: '127.0.0.1', port: server.port, pool: true });
  t.after(() => plain.close());
  await plain.sendMail({ from: 'web@example.com', to: 'to@example.com', subject: 'dots', text: body });
  assert.ok(bytewiseCalls > 0);
});
