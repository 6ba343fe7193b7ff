import { PassThrough } from 'node:stream';
import MimeNode from 'nodemailer/lib/mime-node';

/** One body part of a multipart/alternative, as compose hands it to nodemailer. */
export interface PartSpec {
  readonly contentType: string;
  /** A string is UTF-8; bytes are already in the charset that contentType names. */
  readonly content: string | Uint8Array;
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/**
 * The bytes nodemailer writes for one alternative part (its headers, a blank line, the
 * transfer-encoded body), built by nodemailer's own MimeNode exactly as its composer
 * builds an alternative: a child node with the same content type, headers and content.
 * nodemailer takes such bytes back as a part's `raw` and writes them unchanged, so the
 * message is byte for byte what it would have composed itself (test/mime-part.test.ts);
 * the work of choosing the transfer encoding and quoted-printable encoding can then run
 * in a worker thread, and a body sent to many recipients is encoded once.
 */
export function buildMimePart(spec: PartSpec): Promise<Buffer> {
  const options = { disableFileAccess: true, disableUrlAccess: true };
  // A child node: a root node would add Date, Message-ID and MIME-Version.
  const node = new MimeNode('multipart/alternative', options).createChild(spec.contentType, options);
  if (spec.headers !== undefined) node.addHeader({ ...spec.headers });
  node.setContent(typeof spec.content === 'string' ? spec.content : Buffer.from(spec.content.buffer, spec.content.byteOffset, spec.content.byteLength));
  return new Promise((resolve, reject) => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    let length = 0;
    out.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
    });
    node.stream(out, {}, (error?: Error | null) => {
      if (error) {
        reject(error);
        return;
      }
      out.end();
    });
    out.once('end', () => resolve(Buffer.concat(chunks, length)));
    out.once('error', reject);
  });
}
