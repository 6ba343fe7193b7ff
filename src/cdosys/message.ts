import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import type { SendMailOptions } from 'nodemailer';
import { serialize } from './serialize.js';
import { formatAddressList, formatMailbox, parseAddressList, type Mailbox } from '../address-list.js';
import { resolveAttachmentPath } from '../attachment-path.js';
import { charsetOf, DEFAULT_CODE_PAGE } from '../code-pages.js';
import { htmlToTextAlternative } from '../converter/body-engines.js';
import { converter } from '../converter/converter.js';
import { getDefaultMailer, getSendSettings } from '../default-mailer.js';
import { CdoError } from '../errors/cdo-error.js';
import { assertHeaderName, assertHeaderText } from '../header-text.js';
import { primitive, scalarText } from '../internal/primitive.js';
import type { AttachmentSpec, HeaderField, Importance, MailSnapshot, ResourceSpec } from '../mail-snapshot.js';
import type { Mailer, SendResult } from '../mailer.js';
import { transportPools } from '../transports/transport-pools.js';
import { BodyPart, type BodyPartRole, type CharsetOwner } from './body-part.js';
import { BodyParts } from './body-parts.js';
import { cdoRefTypeId, cdoRefTypeLocation, cdoSuppressAll } from './cdosys-constants.js';
import { cdosysError, withCdosysText } from './cdosys-error.js';
import { codePageOfCharset } from './charsets.js';
import { Configuration } from './configuration.js';
import { createFields, type Fields } from './fields.js';
import { mhtmlResources } from './mhtml-resources.js';
import { partSource } from './part-source.js';
import { fetchAllowed } from './url-access.js';

const MAILHEADER = 'urn:schemas:mailheader:';
const HTTPMAIL = 'urn:schemas:httpmail:';
const KEYWORDS = 'urn:schemas-microsoft-com:office:office#keywords';

/** Fields that are properties: both namespaces name the same value. */
const PROPERTY_FIELDS: Record<string, string> = {
  from: 'From', to: 'To', cc: 'Cc', bcc: 'Bcc', 'reply-to': 'ReplyTo', sender: 'Sender', subject: 'Subject',
  organization: 'Organization', textdescription: 'TextBody', htmldescription: 'HTMLBody', keywords: 'Keywords',
};

// Written by compose or the message structure: not settable through Fields.
const STRUCTURAL = new Set(['mime-version', 'content-type', 'content-transfer-encoding', 'content-disposition', 'message-id', 'date', 'x-sender', 'x-receiver', 'return-path']);
const PRIORITY_HEADERS = new Set(['x-priority', 'x-msmail-priority']);
const IMPORTANCE_WORDS: Record<string, Importance> = { low: 0, normal: 1, high: 2, '0': 0, '1': 1, '2': 2 };

type TextSource = 'none' | 'script' | 'generated';

interface RelatedEntry {
  readonly part: BodyPart;
  readonly reference: string;
  readonly type: number;
}

/**
 * `CDO.Message`: the CDOSYS send side over the same layers as NewMail (snapshot, compose,
 * transports, converter). Unlike NewMail it can be changed and sent again; each Send is a
 * new message with its own Message-ID. Properties validate on assignment.
 */
export class Message implements CharsetOwner {
  #from: Mailbox | undefined;
  #sender: Mailbox | undefined;
  #to: Mailbox[] = [];
  #cc: Mailbox[] = [];
  #bcc: Mailbox[] = [];
  #replyTo: Mailbox[] = [];
  #subject = '';
  #organization = '';
  #keywords = '';
  #text = '';
  #html = '';
  #textSource: TextSource = 'none';
  #generated: { html: string; text: Promise<string>; value: string | undefined } | undefined;
  #autoGenerate = true;
  #mime = true;
  #importance: Importance = 1;
  #dsn = 0;
  #mdn = false;
  #codePage = DEFAULT_CODE_PAGE;
  #configuration: Configuration | undefined;
  readonly #headers = new Map<string, HeaderField>();
  readonly #attachmentList: BodyPart[] = [];
  readonly #related: RelatedEntry[] = [];
  readonly #fields: Fields;
  readonly #root: BodyPart;
  readonly #textPart: BodyPart;
  readonly #htmlPart: BodyPart;
  #lastStream: string | undefined;

  constructor() {
    this.#root = new BodyPart('root', this, 'multipart/mixed');
    this.#textPart = new BodyPart('text', this, 'text/plain');
    this.#htmlPart = new BodyPart('html', this, 'text/html');
    this.#fields = createFields({
      key: messageFieldKey,
      read: (key) => this.#readField(key),
      commit: (key, name, value) => this.#commitField(key, name, value),
      names: () => [
        ...Object.entries(PROPERTY_FIELDS).filter(([, p]) => (this as unknown as Record<string, unknown>)[p] !== '').map(([k]) => HTTPMAIL + k),
        ...[...this.#headers.values()].map((h) => MAILHEADER + h.name),
      ],
      remove: (key) => this.#commitField(key, key, ''),
    });
  }

  // ── addresses and headers ──────────────────────────────────────────────
  get From(): string {
    return this.#from === undefined ? '' : formatMailbox(this.#from);
  }
  set From(value: string) {
    this.#from = oneOrNone(value, 'From');
  }
  get Sender(): string {
    return this.#sender === undefined ? '' : formatMailbox(this.#sender);
  }
  set Sender(value: string) {
    this.#sender = oneOrNone(value, 'Sender');
  }
  get To(): string {
    return formatAddressList(this.#to);
  }
  set To(value: string) {
    this.#to = parseAddressList(value, 'To');
  }
  get Cc(): string {
    return formatAddressList(this.#cc);
  }
  set Cc(value: string) {
    this.#cc = parseAddressList(value, 'Cc');
  }
  get Bcc(): string {
    return formatAddressList(this.#bcc);
  }
  set Bcc(value: string) {
    this.#bcc = parseAddressList(value, 'Bcc');
  }
  get ReplyTo(): string {
    return formatAddressList(this.#replyTo);
  }
  set ReplyTo(value: string) {
    this.#replyTo = parseAddressList(value, 'ReplyTo');
  }
  get Subject(): string {
    return this.#subject;
  }
  set Subject(value: string) {
    this.#subject = assertHeaderText(value, 'Subject');
  }
  get Organization(): string {
    return this.#organization;
  }
  set Organization(value: string) {
    this.#organization = assertHeaderText(value, 'Organization');
  }
  get Keywords(): string {
    return this.#keywords;
  }
  set Keywords(value: string) {
    this.#keywords = assertHeaderText(value, 'Keywords');
  }

  // ── bodies: the AutoGenerateTextBody state machine of reference §3.2 ───
  get TextBody(): string {
    if (this.#textSource !== 'generated') return this.#text;
    const generated = this.#generated;
    if (generated === undefined) return '';
    // Rule 1: the generated text is there at once. Until the converter has answered, the
    // same html → text engine (a pure function: nothing to race) makes it here.
    generated.value ??= htmlToTextAlternative(generated.html);
    return generated.value;
  }
  /** Rule 2: setting TextBody turns AutoGenerateTextBody off and leaves the HTML alone. */
  set TextBody(value: string) {
    this.#text = bodyText(value, 'TextBody');
    this.#textSource = 'script';
    this.#generated = undefined;
    this.#autoGenerate = false;
  }

  get HTMLBody(): string {
    return this.#html;
  }
  /** Rules 1 and 3: HTMLBody forces MimeFormatted on and, while AutoGenerateTextBody is on, replaces the text. */
  set HTMLBody(value: string) {
    this.#html = bodyText(value, 'HTMLBody');
    this.#mime = true;
    if (this.#autoGenerate) this.#generate();
  }

  get AutoGenerateTextBody(): boolean {
    return this.#autoGenerate;
  }
  set AutoGenerateTextBody(value: boolean) {
    this.#autoGenerate = toBoolean(value, 'AutoGenerateTextBody');
    if (this.#autoGenerate && this.#html !== '') this.#generate();
  }

  get MimeFormatted(): boolean {
    return this.#mime;
  }
  /** Rule 4: MimeFormatted off turns AutoGenerateTextBody off; the HTML is then not sent. */
  set MimeFormatted(value: boolean) {
    this.#mime = toBoolean(value, 'MimeFormatted');
    // The text generated so far stays the text (Send waits for it); it is no longer regenerated.
    if (!this.#mime) this.#autoGenerate = false;
  }

  /**
   * The text AutoGenerateTextBody made, once the converter has it (TextBody reads the
   * same text at once); a failed conversion rejects here, and fails Send.
   */
  get TextBodyReady(): Promise<string> {
    return this.#textSource === 'generated' && this.#generated !== undefined ? this.#generated.text : Promise.resolve(this.TextBody);
  }

  #generate(): void {
    const html = this.#html;
    const entry: { html: string; text: Promise<string>; value: string | undefined } = { html, text: Promise.resolve(''), value: undefined };
    entry.text = (async () => {
      const lease = await converter.acquire();
      try {
        return await lease.convert(html, 'html', 'text');
      } finally {
        await lease.release();
      }
    })().then((text) => {
      entry.value = text;
      return text;
    });
    entry.text.catch(() => undefined); // surfaced at Send
    this.#generated = entry;
    this.#textSource = 'generated';
  }

  // ── body parts ─────────────────────────────────────────────────────────
  get BodyPart(): BodyPart {
    return this.#root;
  }
  get TextBodyPart(): BodyPart {
    return this.#textPart;
  }
  get HTMLBodyPart(): BodyPart {
    return this.#htmlPart;
  }
  get Attachments(): BodyParts {
    return new BodyParts(this.#attachmentList);
  }
  get Fields(): Fields {
    return this.#fields;
  }

  /** One charset for headers and bodies (the last one set wins; see README). */
  charset(_role: BodyPartRole): string {
    return charsetOf(this.#codePage).toLowerCase();
  }
  setCharset(_role: BodyPartRole, name: unknown): void {
    this.#codePage = codePageOfCharset(name);
  }

  get DSNOptions(): number {
    return this.#dsn;
  }
  set DSNOptions(value: number) {
    const n = primitive(value);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 14 || (n !== 1 && (n & 1) !== 0)) {
      throw new CdoError('CDO_E_INVALID_PARAMETER', `DSNOptions must be cdoDSNDefault (0), cdoDSNNever (1) or a sum of cdoDSNFailure (2), cdoDSNSuccess (4), cdoDSNDelay (8); got ${JSON.stringify(n)}`);
    }
    this.#dsn = n;
  }

  get MDNRequested(): boolean {
    return this.#mdn;
  }
  set MDNRequested(value: boolean) {
    this.#mdn = toBoolean(value, 'MDNRequested');
  }

  get Configuration(): Configuration {
    this.#configuration ??= new Configuration();
    return this.#configuration;
  }
  set Configuration(value: Configuration) {
    if (!(value instanceof Configuration)) throw new CdoError('CDO_E_INVALID_PARAMETER', 'Configuration must be a CDO.Configuration');
    this.#configuration = value;
  }

  /** Adds an attachment; checks the path (or URL) at once, reads it at Send. */
  AddAttachment(url: string, _userName?: string, _password?: string): BodyPart {
    const source = partSource(url, getSendSettings().attachmentRoot, 'AddAttachment');
    const name = BodyPart.fileNameOf(source.kind === 'file' ? source.path : source.url);
    const part = new BodyPart('attachment', this, mediaTypeOf(name), source, name);
    this.#attachmentList.push(part);
    return part;
  }

  /** Adds a part the HTML refers to: by Content-ID (cdoRefTypeId) or Content-Location. */
  AddRelatedBodyPart(url: string, reference: string, referenceType: number, _userName?: string, _password?: string): BodyPart {
    const source = partSource(url, getSendSettings().attachmentRoot, 'AddRelatedBodyPart');
    const ref = assertHeaderText(reference, 'AddRelatedBodyPart reference').trim().replace(/^"+|"+$/gu, '');
    const type = primitive(referenceType) ?? cdoRefTypeId;
    if (type !== cdoRefTypeId && type !== cdoRefTypeLocation) throw new CdoError('CDO_E_INVALID_PARAMETER', `AddRelatedBodyPart: referenceType is cdoRefTypeId (0) or cdoRefTypeLocation (1), got ${JSON.stringify(type)}`);
    if (ref === '') throw new CdoError('CDO_E_INVALID_PARAMETER', 'AddRelatedBodyPart needs a reference');
    const name = BodyPart.fileNameOf(source.kind === 'file' ? source.path : source.url);
    const part = new BodyPart('related', this, mediaTypeOf(name), source, name);
    this.#related.push({ part, reference: ref, type });
    this.#mime = true;
    return part;
  }

  /**
   * Loads an HTML document (a path, file:// or an allowed http(s) URL) as HTMLBody, with
   * the images, style sheets and frames it refers to as related parts (cid: links), minus
   * what `flags` suppresses. Setting HTMLBody applies §3.2 as HTMLBody does.
   */
  async CreateMHTMLBody(url: string, flags: number = 0, _userName?: string, _password?: string): Promise<void> {
    const suppress = primitive(flags) ?? 0;
    if (typeof suppress !== 'number' || !Number.isInteger(suppress) || suppress < 0 || suppress > cdoSuppressAll) throw new CdoError('CDO_E_INVALID_PARAMETER', `CreateMHTMLBody flags must be 0-31, got ${JSON.stringify(suppress)}`);
    const root = getSendSettings().attachmentRoot;
    const source = partSource(url, root, 'CreateMHTMLBody');
    const { bytes, contentType, base } = source.kind === 'file'
      ? { bytes: await readFile(await resolveAttachmentPath(source.path, root)), contentType: undefined, base: source.path }
      : await fetchAllowed(source.url).then((r) => ({ bytes: r.bytes, contentType: r.contentType, base: r.url }));
    const html = bytes.toString('utf8');
    if ((contentType !== undefined && !/^text\/html\b/iu.test(contentType)) || (contentType === undefined && !/<(?:!doctype\s+html|html|body|head|p|div|table|img)\b/iu.test(html))) {
      throw cdosysError('CDO_E_INVALID_CONTENT_TYPE', `${source.kind === 'file' ? source.path : source.url} is not an HTML document.`);
    }
    const { html: rewritten, resources } = mhtmlResources(html, suppress);
    const added: RelatedEntry[] = [];
    for (const resource of resources) {
      const target = source.kind === 'file' ? (/^file:/iu.test(resource.url) ? resource.url : resolvePath(dirname(base), decodeURIComponent(resource.url.split(/[?#]/u)[0] ?? ''))) : new URL(resource.url, base).href;
      const partFrom = partSource(target, root, 'CreateMHTMLBody resource');
      const name = BodyPart.fileNameOf(partFrom.kind === 'file' ? partFrom.path : partFrom.url);
      added.push({ part: new BodyPart('related', this, mediaTypeOf(name), partFrom, name), reference: resource.contentId, type: cdoRefTypeId });
    }
    this.#related.push(...added);
    this.HTMLBody = rewritten;
  }

  /** Sends the message; the object stays usable and can be sent again. */
  async Send(): Promise<SendResult> {
    const target = (this.#configuration ?? new Configuration()).target();
    const snapshot = await this.#snapshot();
    let raw: Buffer | undefined;
    const finish = async (options: SendMailOptions): Promise<SendMailOptions> => {
      const finished = await this.#finish(options, snapshot);
      const serialized = await serialize(finished);
      raw = serialized.raw;
      const out: SendMailOptions = { raw, envelope: serialized.envelope, messageId: snapshot.messageId };
      if (finished.dsn !== undefined) out.dsn = finished.dsn;
      return out;
    };
    let result: SendResult;
    if (target.kind === 'default') {
      result = await deliver(getDefaultMailer(), snapshot, finish);
    } else {
      const lease = transportPools.lease(target.request);
      try {
        result = await deliver(lease.mailer, snapshot, finish);
      } finally {
        lease.release();
      }
    }
    this.#lastStream = raw?.toString('latin1');
    return { ...result, messageId: snapshot.messageId };
  }

  /**
   * The whole message as an ADO-like text stream: after a Send, exactly what it sent;
   * before, the message as it would be serialized now.
   */
  async GetStream(): Promise<{ ReadText(): string; readonly Size: number }> {
    let text = this.#lastStream;
    if (text === undefined) {
      const snapshot = await this.#snapshot();
      const mailer = { attachmentRoot: getSendSettings().attachmentRoot };
      const { compose, needsConversion } = await import('../compose.js');
      const files = await readSnapshotFiles(snapshot, mailer.attachmentRoot);
      const lease = needsConversion(snapshot) ? await converter.acquire() : undefined;
      let options: SendMailOptions;
      try {
        options = await compose(snapshot, files, lease);
      } finally {
        await lease?.release();
      }
      text = (await serialize(await this.#finish(options, snapshot))).raw.toString('latin1');
    }
    const stream = text;
    return { ReadText: () => stream, Size: stream.length };
  }

  async #snapshot(): Promise<MailSnapshot> {
    const from = this.#from ?? this.#sender;
    if (from === undefined) throw cdosysError('CDO_E_FROM_MISSING', 'Set From (or Sender).');
    if (this.#to.length + this.#cc.length + this.#bcc.length === 0) throw cdosysError('CDO_E_RECIPIENT_MISSING', 'Set To, Cc or Bcc.');
    const headers: HeaderField[] = [];
    if (this.#sender !== undefined && this.#from !== undefined) headers.push({ name: 'Sender', value: formatMailbox(this.#sender) });
    if (this.#replyTo.length > 0) headers.push({ name: 'Reply-To', value: formatAddressList(this.#replyTo) });
    if (this.#organization !== '') headers.push({ name: 'Organization', value: this.#organization });
    if (this.#keywords !== '') headers.push({ name: 'Keywords', value: this.#keywords });
    if (this.#mdn) headers.push({ name: 'Disposition-Notification-To', value: formatMailbox(from) });
    for (const header of this.#headers.values()) {
      if (this.#importance !== 1 && PRIORITY_HEADERS.has(header.name.toLowerCase())) continue;
      headers.push(header);
    }
    const html = this.#mime && this.#html !== '';
    // A failed conversion fails Send; the text it made is the text part (not made twice).
    const generated = this.#textSource === 'generated' && this.#generated !== undefined ? await this.#generated.text : undefined;
    const fileParts = this.#attachmentList.filter((p) => p.source?.kind === 'file');
    const attachments: AttachmentSpec[] = fileParts.map((p) => ({ path: (p.source as { path: string }).path, fileName: p.FileName || 'attachment', encoding: undefined }));
    const related = this.#mime && html ? this.#related.filter((r) => r.part.source?.kind === 'file') : [];
    const resources: ResourceSpec[] = related.map((r) => ({ path: (r.part.source as { path: string }).path, contentLocation: r.reference, contentBase: undefined, encoding: undefined }));
    const domain = from.address.slice(from.address.lastIndexOf('@') + 1);
    return {
      from,
      to: [...this.#to],
      cc: [...this.#cc],
      bcc: [...this.#bcc],
      subject: this.#subject,
      body: html ? this.#html : this.TextBody,
      bodyKind: html ? 'html' : 'text',
      mailFormat: this.#mime ? 0 : 1,
      importance: this.#importance,
      headers,
      attachments,
      resources,
      contentBase: undefined,
      contentLocation: undefined,
      codePage: this.#codePage,
      messageId: `<${randomUUID()}@${domain === '' ? 'cdonts.invalid' : domain}>`,
      // §3.2: the script's own TextBody, none (HTML alone), or made from the HTML.
      textBody: !html ? undefined : this.#textSource === 'script' ? this.#text : this.#textSource === 'generated' ? generated : null,
      textEncoding: this.#textPart.chosenEncoding,
      htmlEncoding: html ? this.#htmlPart.chosenEncoding : undefined,
    };
  }

  /** What compose has no property for: Content-IDs, renamed parts, URL parts, DSN. */
  async #finish(options: SendMailOptions, snapshot: MailSnapshot): Promise<SendMailOptions> {
    const html = snapshot.bodyKind === 'html';
    if (snapshot.mailFormat === 0) {
      const attachments = [...(options.attachments ?? [])];
      const related = html ? this.#related.filter((r) => r.part.source?.kind === 'file') : [];
      related.forEach((entry, i) => {
        const part = attachments[i];
        if (part === undefined) return;
        const headers = { ...(part.headers as Record<string, string> | undefined) };
        if (entry.type === cdoRefTypeId) {
          delete headers['Content-Location'];
          part.cid = (entry.part.header('content-id') ?? entry.reference).replace(/^[<"]+|[>"]+$/gu, '');
        } else if (entry.part.header('content-id') !== undefined) {
          part.cid = (entry.part.header('content-id') ?? '').replace(/^[<"]+|[>"]+$/gu, '');
        }
        part.headers = headers;
        part.contentType = entry.part.ContentMediaType;
      });
      // File attachments come last in compose's list, in order.
      const fileParts = this.#attachmentList.filter((p) => p.source?.kind === 'file');
      const offset = attachments.length - fileParts.length;
      fileParts.forEach((part, i) => {
        const attachment = attachments[offset + i];
        if (attachment === undefined) return;
        attachment.contentType = part.ContentMediaType;
        attachment.filename = part.FileName || attachment.filename;
        if (part.chosenEncoding !== undefined) attachment.contentTransferEncoding = part.chosenEncoding;
        const cid = part.header('content-id');
        if (cid !== undefined) attachment.cid = cid.replace(/^[<"]+|[>"]+$/gu, '');
      });
      // http(s) parts, fetched now (allowed by configure({ urlAccess }) when added).
      for (const entry of html ? this.#related.filter((r) => r.part.source?.kind === 'url') : []) {
        const fetched = await fetchAllowed((entry.part.source as { url: string }).url);
        attachments.splice(related.length, 0, {
          filename: entry.part.FileName, content: fetched.bytes, contentType: entry.part.ContentMediaType, contentDisposition: 'inline',
          ...(entry.type === cdoRefTypeId ? { cid: entry.reference } : { headers: { 'Content-Location': entry.reference } }),
        });
      }
      for (const part of this.#attachmentList.filter((p) => p.source?.kind === 'url')) {
        const fetched = await fetchAllowed((part.source as { url: string }).url);
        attachments.push({ filename: part.FileName, content: fetched.bytes, contentType: part.ContentMediaType });
      }
      options.attachments = attachments;
    }
    const dsn = dsnOf(this.#dsn);
    if (dsn !== undefined) options.dsn = dsn;
    return options;
  }

  #readField(key: string): unknown {
    const space = key[0];
    const name = key.slice(1);
    if (space === 'k') return this.#keywords;
    const property = PROPERTY_FIELDS[name];
    if (property !== undefined && (space === 'h' || property !== 'TextBody')) return (this as unknown as Record<string, unknown>)[property];
    if (name === 'importance') return space === 'h' ? ['low', 'normal', 'high'][this.#importance] : this.#importance;
    if (name === 'priority' && space === 'p') return this.#importance - 1;
    if (name === 'disposition-notification-to') return this.#mdn ? this.From : (this.#headers.get(name)?.value ?? '');
    return this.#headers.get(name)?.value ?? '';
  }

  #commitField(key: string, _name: string, value: unknown): void {
    const space = key[0];
    const name = key.slice(1);
    const text = scalarText(value, `field ${_name}`);
    const self = this as unknown as Record<string, unknown>;
    if (space === 'k') {
      this.Keywords = text;
      return;
    }
    const property = PROPERTY_FIELDS[name];
    if (property !== undefined) {
      self[property] = text;
      return;
    }
    if (name === 'importance') {
      const importance = IMPORTANCE_WORDS[text.trim().toLowerCase()];
      if (importance === undefined) throw new CdoError('CDO_E_INVALID_PARAMETER', `importance must be 0-2 or low/normal/high, got ${JSON.stringify(text)}`);
      this.#importance = importance;
      return;
    }
    if (space === 'p') {
      if (name === 'priority') {
        const n = Number(text);
        if (n !== -1 && n !== 0 && n !== 1) throw new CdoError('CDO_E_INVALID_PARAMETER', `httpmail:priority must be -1, 0 or 1, got ${JSON.stringify(text)}`);
        this.#importance = (n + 1) as Importance;
        return;
      }
      throw new CdoError('CDO_E_INVALID_PARAMETER', `urn:schemas:httpmail:${name} cannot be set on an outgoing message`);
    }
    const headerName = assertHeaderName(name);
    if (STRUCTURAL.has(name)) throw new CdoError('CDO_E_INVALID_PARAMETER', `the ${headerName} header is written by the library, not through Fields`);
    if (text === '') {
      this.#headers.delete(name);
      return;
    }
    this.#headers.set(name, { name: this.#headers.get(name)?.name ?? _name.slice(MAILHEADER.length), value: assertHeaderText(text, `header ${headerName}`) });
  }
}

/** Fields keys: 'h' + header name (mailheader), 'p' + property (httpmail), 'k' (keywords). */
function messageFieldKey(name: string): string {
  const lower = name.toLowerCase();
  if (lower.startsWith(MAILHEADER) && lower.length > MAILHEADER.length) return `h${lower.slice(MAILHEADER.length)}`;
  if (lower.startsWith(HTTPMAIL) && lower.length > HTTPMAIL.length) return `p${lower.slice(HTTPMAIL.length)}`;
  if (lower === KEYWORDS) return 'k';
  throw new CdoError('CDO_E_INVALID_PARAMETER', `Message.Fields takes urn:schemas:mailheader:* and urn:schemas:httpmail:* names, got ${JSON.stringify(name.slice(0, 80))}`);
}

function deliver(mailer: Mailer, snapshot: MailSnapshot, finish: (o: SendMailOptions) => Promise<SendMailOptions>): Promise<SendResult> {
  return mailer.deliver(snapshot, { finish }).catch((error: unknown) => {
    throw withCdosysText(error);
  });
}

async function readSnapshotFiles(snapshot: MailSnapshot, root: string | undefined): Promise<{ attachments: Buffer[]; resources: Buffer[] }> {
  const read = async (path: string): Promise<Buffer> => readFile(await resolveAttachmentPath(path, root));
  return { attachments: await Promise.all(snapshot.attachments.map((a) => read(a.path))), resources: await Promise.all(snapshot.resources.map((r) => read(r.path))) };
}

function dsnOf(options: number): SendMailOptions['dsn'] | undefined {
  if (options === 0) return undefined;
  if (options === 1) return { notify: 'NEVER' };
  const notify: Array<'SUCCESS' | 'FAILURE' | 'DELAY'> = [];
  if ((options & 4) !== 0) notify.push('SUCCESS');
  if ((options & 2) !== 0) notify.push('FAILURE');
  if ((options & 8) !== 0) notify.push('DELAY');
  return { notify };
}

function oneOrNone(value: unknown, what: string): Mailbox | undefined {
  const list = parseAddressList(value, what);
  if (list.length > 1) throw new CdoError('CDO_E_INVALID_PARAMETER', `${what} must hold one address, got ${list.length}`);
  return list[0];
}

function bodyText(value: unknown, what: string): string {
  const text = primitive(value);
  if (typeof text !== 'string') throw new CdoError('CDO_E_INVALID_PARAMETER', `${what} must be a string, got ${typeof text}`);
  if (text.length > 32 * 1024 * 1024) throw new CdoError('CDO_E_STRING_TOO_LONG', `${what} is longer than 32 MiB`);
  return text;
}

function toBoolean(value: unknown, what: string): boolean {
  const v = primitive(value);
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === -1 || v === 1) return v !== 0;
  throw new CdoError('CDO_E_INVALID_PARAMETER', `${what} must be true or false, got ${JSON.stringify(v)}`);
}

const MEDIA_TYPES: Record<string, string> = {
  gif: 'image/gif', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', bmp: 'image/bmp', svg: 'image/svg+xml', webp: 'image/webp', ico: 'image/x-icon',
  css: 'text/css', htm: 'text/html', html: 'text/html', txt: 'text/plain', csv: 'text/csv', xml: 'text/xml', xsl: 'text/xml', js: 'application/javascript',
  pdf: 'application/pdf', zip: 'application/zip', doc: 'application/msword', xls: 'application/vnd.ms-excel', json: 'application/json',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  wav: 'audio/wav', mp3: 'audio/mpeg', mid: 'audio/midi',
};

function mediaTypeOf(name: string): string {
  const ext = /\.([a-z0-9]+)$/iu.exec(name)?.[1]?.toLowerCase() ?? '';
  return MEDIA_TYPES[ext] ?? 'application/octet-stream';
}
