import type { Transform } from 'node:stream';
import * as base64 from 'nodemailer/lib/base64';
import MimeNode from 'nodemailer/lib/mime-node';
import * as qp from 'nodemailer/lib/qp';

/** One body part of a multipart/alternative, as compose hands it to nodemailer. */
export interface PartSpec {
  readonly contentType: string;
  /** A string is UTF-8; bytes are already in the charset that contentType names. */
  readonly content: string | Uint8Array;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

// baseBoundary: a part is never multipart, and without one every MimeNode draws random
// bytes for a boundary nobody uses (an eighth of a small message's main-thread time).
const NODE_OPTIONS = { disableFileAccess: true, disableUrlAccess: true, baseBoundary: 'cdonts-part' };

/**
 * A part's header block depends only on its content type, extra headers, the transfer
 * encoding nodemailer chooses for its content and, for a text/plain string, whether it
 * holds non-ASCII (nodemailer then writes charset=utf-8 itself), so each combination is
 * built by nodemailer once and remembered (bounded: extra headers can differ per message).
 */
const headBlocks = new Map<string, Buffer>();
const MAX_HEAD_BLOCKS = 256;

/**
 * The bytes nodemailer writes for one alternative part: its headers, a blank line and the
 * transfer-encoded body. nodemailer's own MimeNode chooses the transfer encoding for the
 * content and writes the headers, set up as its composer sets up an alternative (a child
 * node with the same content type, headers and content); nodemailer's own quoted-printable
 * or Base64 encoder encodes the body, as MimeNode#stream does. nodemailer takes these
 * bytes back as the part's `raw` and writes them unchanged. The body's line breaks are
 * already CRLF (crlfLineBreaks), so what every transport sends is byte for byte what it
 * sends when nodemailer composes the message itself (test/prepared-parts.test.ts checks
 * that on the corpus).
 *
 * Synchronous, unlike MimeNode#stream: its per-part streams, pipelines and setImmediate
 * hops cost more than the encoding (about 0.6 ms for a 5 KB text part, measured in
 * bench/README.md); a Transform that is written and ended at once runs to completion in
 * the same call, so nothing here waits for the event loop.
 */
export function buildMimePart(spec: PartSpec): Buffer {
  const content = typeof spec.content === 'string' ? spec.content : Buffer.from(spec.content.buffer, spec.content.byteOffset, spec.content.byteLength);
  // nodemailer's choice of transfer encoding for this content (MimeNode#getTransferEncoding).
  const chooser = new MimeNode(spec.contentType, NODE_OPTIONS);
  if (spec.headers !== undefined) chooser.addHeader({ ...spec.headers });
  const transferEncoding = String(chooser.setContent(content).getTransferEncoding() || '');
  const head = headBlock(spec, transferEncoding, content);
  // MimeNode#stream writes no body at all for empty content ('' is falsy; an empty Buffer is not).
  if (content === '') return head;
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  let body: Buffer = bytes;
  if (transferEncoding === 'quoted-printable') body = runThrough(new qp.Encoder({ binary: !/^text\//iu.test(spec.contentType) }), bytes);
  else if (transferEncoding === 'base64') body = runThrough(new base64.Encoder({}), bytes);
  body = crlfLineBreaks(body);
  return Buffer.concat([head, body], head.length + body.length);
}

/**
 * Every LF not preceded by CR as CRLF, exactly what nodemailer's LeWindows does to a whole
 * message (pickup, stream, memory) and what its SMTP DataStream does besides dot-stuffing
 * and bare CRs: the bytes that leave are the same, but the sending thread no longer splits
 * a body at each of its hard line breaks (645 slices and a concat for a 27 KB template: a
 * fifth of its main-thread time in a bulk send over SMTP, bench/README.md). A body starting
 * with LF gets its CR too: the head block before it ends in LF.
 */
function crlfLineBreaks(bytes: Buffer): Buffer {
  let bare = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) if (at === 0 || bytes[at - 1] !== 0x0d) bare++;
  if (bare === 0) return bytes;
  const out = Buffer.allocUnsafe(bytes.length + bare);
  let from = 0;
  let to = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) {
    if (at > 0 && bytes[at - 1] === 0x0d) continue;
    to += bytes.copy(out, to, from, at);
    out[to++] = 0x0d;
    from = at; // the LF leaves with the next run
  }
  bytes.copy(out, to, from);
  return out;
}

function headBlock(spec: PartSpec, transferEncoding: string, content: string | Buffer): Buffer {
  // The one content test of MimeNode#buildHeaders (any code unit from U+0080 up, astral
  // characters included); case-insensitive here, which can only split keys, never merge them.
  const utf8Plain = typeof content === 'string' && /^text\/plain\b/u.test(spec.contentType.trim().toLowerCase()) && /[\u0080-\u{10FFFF}]/u.test(content);
  const key = `${spec.contentType}\n${transferEncoding}\n${utf8Plain ? 'utf8' : ''}\n${spec.headers === undefined ? '' : JSON.stringify(spec.headers)}`;
  let head = headBlocks.get(key);
  if (head === undefined) {
    // A child node: a root node would add Date, Message-ID and MIME-Version.
    const node = new MimeNode('multipart/alternative', NODE_OPTIONS).createChild(spec.contentType, NODE_OPTIONS);
    if (spec.headers !== undefined) node.addHeader({ ...spec.headers });
    node.setContent(content);
    head = Buffer.from(`${node.buildHeaders()}\r\n\r\n`, 'latin1');
    const chosen: unknown = node.getHeader('Content-Transfer-Encoding');
    if ((typeof chosen === 'string' ? chosen : '') !== transferEncoding) throw new Error('mime-part: nodemailer chose two transfer encodings for one content');
    if (headBlocks.size >= MAX_HEAD_BLOCKS) headBlocks.clear();
    headBlocks.set(key, head);
  }
  return head;
}

/**
 * All of `input` through a transform, synchronously: write + end run _transform, and each
 * read() hands the transform its next turn (past the high-water mark it waits to be read)
 * up to _flush, all within this call.
 */
function runThrough(transform: Transform, input: Buffer): Buffer {
  let failure: Error | undefined;
  let flushed = false;
  transform.once('error', (error: Error) => (failure = error));
  // Emitted once _flush has pushed the end: synchronously, from end() or from a read().
  transform.once('prefinish', () => (flushed = true));
  transform.end(input);
  const chunks: Buffer[] = [];
  let length = 0;
  for (let chunk = transform.read() as Buffer | null; chunk !== null; chunk = transform.read() as Buffer | null) {
    chunks.push(chunk);
    length += chunk.length;
  }
  if (failure !== undefined) throw failure;
  if (!flushed) throw new Error('mime-part: the encoder did not finish synchronously');
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
}
