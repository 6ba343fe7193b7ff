import type { SendMailOptions } from 'nodemailer';
import type { ConverterLease } from './converter/converter-lease.js';
import type { MailSnapshot } from './mail-snapshot.js';
import { uuencode } from './uuencode.js';

export type Converting = Pick<ConverterLease, 'convert'>;

const PRIORITY = { 0: 'low', 1: 'normal', 2: 'high' } as const;

/** True when a MIME part must be generated (any Base64 attachment makes it MIME, as in CDONTS). */
export function isMime(snapshot: MailSnapshot): boolean {
  return snapshot.mailFormat === 0 || snapshot.attachments.some((a) => a.encoding === 1);
}

/** True when compose will need a converter lease. */
export function needsConversion(snapshot: MailSnapshot): boolean {
  return snapshot.bodyKind !== 'text';
}

/**
 * Turns a snapshot (plus the attachment bytes, read by the caller) into nodemailer
 * message options. Pure apart from the conversions it asks the lease for; nodemailer
 * builds the MIME.
 *
 * - MIME + HTML or Markdown body: multipart/alternative, text part from the converter.
 * - MIME + text body: one text/plain part.
 * - Text: one text/plain part (an HTML/Markdown body as its text rendering), with
 *   attachments UUencoded into it.
 */
export async function compose(snapshot: MailSnapshot, files: readonly Uint8Array[], lease: Converting | undefined): Promise<SendMailOptions> {
  const mime = isMime(snapshot);
  const { text, html } = await renderBody(snapshot, mime, lease);
  const options: SendMailOptions = {
    from: { name: snapshot.from.name, address: snapshot.from.address },
    subject: snapshot.subject,
    headers: snapshot.headers.map(({ name, value }) => ({ key: name, value })),
    // nodemailer never reads files or URLs on its own: every byte comes from us.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
  if (snapshot.to.length > 0) options.to = snapshot.to.map(copyMailbox);
  if (snapshot.cc.length > 0) options.cc = snapshot.cc.map(copyMailbox);
  if (snapshot.bcc.length > 0) options.bcc = snapshot.bcc.map(copyMailbox);
  if (snapshot.importance !== 1) options.priority = PRIORITY[snapshot.importance];

  if (mime) {
    options.text = text;
    if (html !== undefined) options.html = html;
    options.attachments = snapshot.attachments.map((a, i) => ({ filename: a.fileName, content: Buffer.from(files[i] ?? []) }));
  } else {
    const blocks = snapshot.attachments.map((a, i) => uuencode(files[i] ?? new Uint8Array(), a.fileName));
    options.text = blocks.length === 0 ? text : `${text}\r\n\r\n${blocks.join('\r\n')}`;
  }
  return options;
}

async function renderBody(snapshot: MailSnapshot, mime: boolean, lease: Converting | undefined): Promise<{ text: string; html?: string }> {
  const { body, bodyKind } = snapshot;
  if (bodyKind === 'text') return { text: body };
  if (lease === undefined) throw new TypeError('compose: a converter lease is required for a non-text body');
  const html = bodyKind === 'html' ? body : await lease.convert(body, bodyKind, 'html');
  const text = await lease.convert(html, 'html', 'text');
  return mime ? { text, html } : { text };
}

function copyMailbox({ name, address }: { name: string; address: string }): { name: string; address: string } {
  return { name, address };
}
