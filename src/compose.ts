import { randomBytes } from 'node:crypto';
import type { SendMailOptions } from 'nodemailer';
import type { Mailbox } from './address-list.js';
import { charsetOf, encodeInCodePage, encodeWords } from './code-pages.js';
import type { ConverterLease } from './converter/converter-lease.js';
import type { MailSnapshot } from './mail-snapshot.js';
import { extractInlineImages } from './inline-images.js';
import { encapsulatedKind } from './rtf/encapsulated-kind.js';
import { rtfSource } from './rtf/rtf-source.js';
import { uuencode } from './uuencode.js';

export type Converting = Pick<ConverterLease, 'convert'> & Partial<Pick<ConverterLease, 'prepare'>>;

/** The bytes of each AttachFile and AttachURL file, read by the caller, in order. */
export interface SnapshotFiles {
  readonly attachments: readonly Uint8Array[];
  readonly resources: readonly Uint8Array[];
}

type Alternative = NonNullable<SendMailOptions['alternatives']>[number];
type Attachment = NonNullable<SendMailOptions['attachments']>[number];
type HeaderList = Array<{ key: string; value: string | { prepared: boolean; value: string } }>;

const UTF8 = 65001;
const PRIORITY = { 0: 'low', 1: 'normal', 2: 'high' } as const;
const ADDRESS_HEADERS = new Set(['reply-to', 'sender', 'return-path', 'resent-from', 'resent-to', 'resent-cc', 'disposition-notification-to']);

/** True when a MIME part must be generated (any Base64 attachment makes it MIME, as in CDONTS). */
export function isMime(snapshot: MailSnapshot): boolean {
  return snapshot.mailFormat === 0 || [...snapshot.attachments, ...snapshot.resources].some((a) => a.encoding === 1);
}

/** True when compose will need a converter lease. */
export function needsConversion(snapshot: MailSnapshot): boolean {
  return snapshot.bodyKind !== 'text';
}

/**
 * Turns a snapshot (plus the file bytes, read by the caller) into nodemailer message
 * options. Pure apart from the conversions it asks the lease for; nodemailer builds the
 * MIME.
 *
 * - MIME + HTML or Markdown body: multipart/alternative, text part from the converter;
 *   AttachURL resources in a multipart/related around the HTML; AttachFile files in a
 *   multipart/mixed around it all.
 * - MIME + text body: one text/plain part (plus attachments).
 * - Text: one text/plain part (an HTML/Markdown body as its text rendering), with the
 *   files UUencoded into it.
 * - A code page other than UTF-8 writes body and headers in that charset.
 */
export async function compose(snapshot: MailSnapshot, files: SnapshotFiles, lease: Converting | undefined): Promise<SendMailOptions> {
  const mime = isMime(snapshot);
  const rendered = await renderBody(snapshot, mime, lease, htmlHeaders(snapshot));
  // Built by plain assignments in one fixed order: spreads and Object.assign here made
  // V8 take its slow property paths (about 4 µs a message, measured in bench/).
  const options: SendMailOptions = {};
  if (snapshot.messageId !== '') options.messageId = snapshot.messageId;
  // nodemailer never reads files or URLs on its own: every byte comes from us.
  options.disableFileAccess = true;
  options.disableUrlAccess = true;
  if (snapshot.importance !== 1) options.priority = PRIORITY[snapshot.importance];
  if (snapshot.codePage === UTF8) utf8Headers(snapshot, options);
  else codePageHeaders(snapshot, options);

  if (rendered.parts !== undefined) {
    // Both parts already encoded by nodemailer's MimeNode (converter/mime-part.ts).
    options.alternatives = [{ raw: rendered.parts.textPart }, { raw: rendered.parts.htmlPart }];
    options.attachments = snapshot.attachments.map((a, i): Attachment => ({ filename: a.fileName, content: Buffer.from(files.attachments[i] ?? []) }));
    return options;
  }
  let text = rendered.text;
  if (!mime) {
    const blocks = [
      ...snapshot.attachments.map((a, i) => uuencode(files.attachments[i] ?? new Uint8Array(), a.fileName)),
      ...snapshot.resources.map((r, i) => uuencode(files.resources[i] ?? new Uint8Array(), lastSegment(r.contentLocation))),
    ];
    if (blocks.length > 0) text = `${text}\r\n\r\n${blocks.join('\r\n')}`;
  }
  const textPart = typeof snapshot.textBody === 'string' ? bodyPart('text/plain', snapshot.textBody, snapshot.codePage, 'TextBody') : bodyPart('text/plain', text, snapshot.codePage, 'Body');
  if (snapshot.textEncoding !== undefined) textPart.contentTransferEncoding = snapshot.textEncoding;
  const alternatives: Alternative[] = [textPart];
  // The pictures of a rendered RTF document arrive as data: URLs; they travel as cid: parts.
  const { html: renderedHtml, images } = rendered.html !== undefined && snapshot.bodyKind === 'rtf' ? extractInlineImages(rendered.html) : { html: rendered.html, images: [] };
  if (mime && renderedHtml !== undefined) {
    const html = bodyPart('text/html', renderedHtml, snapshot.codePage, 'Body');
    const headers = htmlHeaders(snapshot);
    if (headers !== undefined) html.headers = headers;
    if (snapshot.htmlEncoding !== undefined) html.contentTransferEncoding = snapshot.htmlEncoding;
    // CDOSYS: an HTML body whose script has no text part (textBody null) sends the HTML alone.
    if (snapshot.textBody === null) alternatives.pop();
    alternatives.push(html);
  }
  options.alternatives = alternatives;
  if (mime) {
    options.attachments = [
      ...snapshot.resources.map((r, i) => resourcePart(r, files.resources[i], renderedHtml)),
      ...images.map((image, i): Attachment => ({ filename: `image${i + 1}.${image.contentType.slice(6)}`, ...image, contentDisposition: 'inline' })),
      ...snapshot.attachments.map((a, i): Attachment => ({ filename: a.fileName, content: Buffer.from(files.attachments[i] ?? []) })),
    ];
  }
  return options;
}

/** Content-Base and Content-Location of the HTML part, when set. */
function htmlHeaders(snapshot: MailSnapshot): Record<string, string> | undefined {
  if (snapshot.contentBase === undefined && snapshot.contentLocation === undefined) return undefined;
  const headers: Record<string, string> = {};
  if (snapshot.contentBase !== undefined) headers['Content-Base'] = snapshot.contentBase;
  if (snapshot.contentLocation !== undefined) headers['Content-Location'] = snapshot.contentLocation;
  return headers;
}

interface Rendered {
  readonly text: string;
  readonly html?: string | undefined;
  /** Both alternatives, already encoded (nodemailer's `raw`). */
  readonly parts?: { readonly textPart: Buffer; readonly htmlPart: Buffer } | undefined;
}

async function renderBody(snapshot: MailSnapshot, mime: boolean, lease: Converting | undefined, headers: Record<string, string> | undefined): Promise<Rendered> {
  const { body, bodyKind } = snapshot;
  if (bodyKind === 'text') return { text: body };
  if (lease === undefined) throw new TypeError('compose: a converter lease is required for a non-text body');
  // A MIME body without AttachURL resources (whose cid: links depend on the HTML) and with
  // a text part: both parts converted and encoded in one hand-off, reused when the same
  // body is sent again.
  const preparing =
    mime && snapshot.resources.length === 0 && snapshot.textBody !== null
      ? lease.prepare?.({ input: body, from: bodyKind, codePage: snapshot.codePage, htmlHeaders: headers, text: snapshot.textBody, textEncoding: snapshot.textEncoding, htmlEncoding: snapshot.htmlEncoding })
      : undefined;
  if (preparing !== undefined) {
    const prepared = await preparing;
    if ('html' in prepared) return { text: prepared.text, html: prepared.html };
    return { text: '', parts: { textPart: asBuffer(prepared.textPart), htmlPart: asBuffer(prepared.htmlPart) } };
  }
  // RTF that encapsulates plain text gives that text back exactly, not a rendering of its HTML.
  const exactText = bodyKind === 'rtf' && encapsulatedKind(rtfSource(body)) === 'text';
  if (!mime && exactText) return { text: await lease.convert(body, 'rtf', 'text') };
  const html = bodyKind === 'html' ? body : await lease.convert(body, bodyKind, 'html');
  const text = exactText ? await lease.convert(body, 'rtf', 'text') : await lease.convert(html, 'html', 'text');
  return mime ? { text, html } : { text };
}

/** A worker's bytes arrive as a Uint8Array; nodemailer wants a Buffer (a view, no copy). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function bodyPart(type: 'text/plain' | 'text/html', content: string, codePage: number, what: string): Alternative {
  return {
    contentType: `${type}; charset=${charsetOf(codePage)}`,
    content: codePage === UTF8 ? content : encodeInCodePage(content, codePage, what),
  };
}

/**
 * An AttachURL resource: a related part with Content-Location (and Content-Base), and a
 * Content-ID so `cid:` links work; when the HTML already says `cid:<location>`, that is
 * the Content-ID it gets.
 */
function resourcePart(resource: MailSnapshot['resources'][number], bytes: Uint8Array | undefined, html: string | undefined): Attachment {
  const wanted = resource.contentLocation.replace(/[<>\s]/gu, '');
  const referencedByCid = html !== undefined && wanted !== '' && html.includes(`cid:${wanted}`);
  const headers: Record<string, string> = { 'Content-Location': resource.contentLocation };
  if (resource.contentBase !== undefined) headers['Content-Base'] = resource.contentBase;
  return {
    filename: lastSegment(resource.contentLocation),
    content: Buffer.from(bytes ?? []),
    cid: referencedByCid ? wanted : `${randomBytes(8).toString('hex')}@cdonts`,
    contentDisposition: 'inline',
    headers,
  };
}

function lastSegment(location: string): string {
  const path = location.split(/[?#]/u)[0] ?? '';
  return path.split(/[\\/]/u).filter((s) => s !== '').pop() ?? 'resource';
}

function copy({ name, address }: Mailbox): { name: string; address: string } {
  return { name, address };
}

/**
 * Addresses always go through nodemailer, which derives the envelope from them and
 * encodes non-ASCII display names itself (as UTF-8 encoded words: it refuses prepared
 * address headers, on purpose).
 */
function addressFields(snapshot: MailSnapshot, options: SendMailOptions): void {
  options.from = copy(snapshot.from);
  if (snapshot.to.length > 0) options.to = snapshot.to.map(copy);
  if (snapshot.cc.length > 0) options.cc = snapshot.cc.map(copy);
  if (snapshot.bcc.length > 0) options.bcc = snapshot.bcc.map(copy);
}

/** UTF-8: nodemailer encodes every header itself. */
function utf8Headers(snapshot: MailSnapshot, options: SendMailOptions): void {
  addressFields(snapshot, options);
  options.subject = snapshot.subject;
  options.headers = snapshot.headers.map(({ name, value }) => ({ key: name, value }));
}

/**
 * Another code page: nodemailer writes encoded words in UTF-8 only, so the subject and
 * the unstructured custom headers are encoded here (RFC 2047, in that charset) and handed
 * over as prepared headers. Every piece was validated on assignment (no CR, LF or other
 * controls); this code adds only encoded words and folding.
 */
function codePageHeaders(snapshot: MailSnapshot, options: SendMailOptions): void {
  const cp = snapshot.codePage;
  const prepared = (value: string): { prepared: boolean; value: string } => ({ prepared: true, value });
  const headers: HeaderList = [{ key: 'Subject', value: prepared(encodeWords(snapshot.subject, cp, 'Subject')) }];
  for (const { name, value } of snapshot.headers) {
    const structured = ADDRESS_HEADERS.has(name.toLowerCase());
    headers.push({ key: name, value: structured ? value : prepared(encodeWords(value, cp, `header ${name}`)) });
  }
  addressFields(snapshot, options);
  options.headers = headers;
}
