import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type StreamTransport from 'nodemailer/lib/stream-transport';

let serializer: Transporter<StreamTransport.SentMessageInfo> | undefined;

/**
 * The message nodemailer would write for these options (its whole pipeline: priority
 * headers, encodings, CRLF), as bytes, with its envelope. Message.Send hands these exact
 * bytes to the transport, so GetStream() can return what was sent.
 */
export async function serialize(options: SendMailOptions): Promise<{ raw: Buffer; envelope: { from: string; to: string[] } }> {
  serializer ??= nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  // The stream transport would keep a Bcc header: Bcc goes into the envelope only.
  const { bcc, ...rest } = options;
  const info = await serializer.sendMail(bcc === undefined ? options : { ...rest, envelope: envelopeOf(options) });
  const envelope = info.envelope as { from: string | false; to: string[] };
  return { raw: info.message as Buffer, envelope: { from: envelope.from === false ? '' : envelope.from, to: envelope.to } };
}

type AddressValue = SendMailOptions['to'];

function list(value: AddressValue): string[] {
  if (value === undefined || value === null) return [];
  const items: unknown[] = Array.isArray(value) ? value.flat() : [value];
  return items.map((item) => {
    const address = typeof item === 'string' ? item : (item as { address?: unknown }).address;
    return typeof address === 'string' ? address : '';
  });
}

function envelopeOf(options: SendMailOptions): { from: string; to: string[] } {
  const from = list(options.from)[0] ?? '';
  return { from, to: [...list(options.to), ...list(options.cc), ...list(options.bcc)] };
}
