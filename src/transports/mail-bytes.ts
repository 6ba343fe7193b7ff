import type { Readable } from 'node:stream';
import type MailMessage from 'nodemailer/lib/mailer/mail-message';
import LeWindows from 'nodemailer/lib/mime-node/le-windows';

/** The message as nodemailer builds it, with every line ending forced to CRLF. */
export function crlfStream(mail: MailMessage): Readable {
  return mail.message.createReadStream().pipe(new LeWindows());
}

export async function crlfBytes(mail: MailMessage, prefix?: string): Promise<Buffer> {
  const chunks: Buffer[] = prefix === undefined ? [] : [Buffer.from(prefix)];
  for await (const chunk of crlfStream(mail)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `X-Sender:` and one `X-Receiver:` per recipient, as IIS pickup and drop files carry them. */
export function envelopeLines(mail: MailMessage): string {
  const envelope = mail.message.getEnvelope();
  const from = envelope.from === false ? '' : envelope.from;
  return `X-Sender: ${from}\r\n${envelope.to.map((to) => `X-Receiver: ${to}\r\n`).join('')}`;
}
