import type { Readable } from 'node:stream';
import type MailMessage from 'nodemailer/lib/mailer/mail-message';
import LeWindows from 'nodemailer/lib/mime-node/le-windows';

type Envelope = ReturnType<MailMessage['message']['getEnvelope']>;

/** The message as nodemailer builds it, with every line ending forced to CRLF. */
export function crlfStream(mail: MailMessage): Readable {
  const source = mail.message.createReadStream();
  const crlf = source.pipe(new LeWindows());
  source.once('error', (error: Error) => crlf.destroy(error)); // pipe() alone would leave crlf waiting forever
  return crlf;
}

/**
 * The whole message in one buffer, `prefix` first. Collected with 'readable' and read(),
 * as nodemailer's own stream transport does: `for await` costs a promise per chunk.
 */
export function crlfBytes(mail: MailMessage, prefix?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const stream = crlfStream(mail);
    const chunks: Buffer[] = [];
    let length = 0;
    if (prefix !== undefined) {
      const head = Buffer.from(prefix);
      chunks.push(head);
      length += head.length;
    }
    stream.on('readable', () => {
      let chunk: Buffer | null;
      while ((chunk = stream.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        length += chunk.length;
      }
    });
    stream.once('error', reject);
    stream.once('end', () => resolve(Buffer.concat(chunks, length)));
  });
}

/** `X-Sender:` and one `X-Receiver:` per recipient, as IIS pickup and drop files carry them. */
export function envelopeLines(mail: MailMessage, envelope: Envelope = mail.message.getEnvelope()): string {
  const from = envelope.from === false ? '' : envelope.from;
  let lines = `X-Sender: ${from}\r\n`;
  for (const to of envelope.to) lines += `X-Receiver: ${to}\r\n`;
  return lines;
}
