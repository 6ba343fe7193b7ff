import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { parseAddressList, parseMailbox, formatAddressList, formatMailbox, type Mailbox } from './address-list.js';
import { resolveAttachmentPathSync } from './attachment-path.js';
import { CdoError } from './errors/cdo-error.js';
import { assertHeaderName, assertHeaderText } from './header-text.js';
import { StateMachine, type TransitionTable } from './internal/state-machine.js';
import { getDefaultMailer } from './default-mailer.js';
import type { Mailer, SendResult } from './mailer.js';
import type { BodyKind } from './converter/body-kind.js';
import type { AttachmentSpec, EncodingMethod, HeaderField, Importance, MailFormat, MailSnapshot, ResourceSpec } from './mail-snapshot.js';
import { assertCodePage, DEFAULT_CODE_PAGE } from './code-pages.js';
import { rtfSource, rtfSourceFromBytes } from './rtf/rtf-source.js';
import { primitive } from './internal/primitive.js';

export type NewMailState = 'composing' | 'sending' | 'sent';

const transitions: TransitionTable<NewMailState> = {
  composing: ['sending'],
  sending: ['sent', 'composing'], // back to composing when Send failed: fix and retry
  sent: [],
};

/** BodyFormat values: the CDONTS numbers, or a kind name. */
export type BodyFormatValue = 0 | 1 | 'html' | 'text' | 'markdown' | 'rtf';
export type MailFormatValue = 0 | 1 | 'mime' | 'text';
export type ImportanceValue = 0 | 1 | 2 | 'low' | 'normal' | 'high';

export interface NewMailOptions {
  /** Where Send delivers; the configured default when absent. */
  readonly mailer?: Mailer;
}

const BODY_FORMATS: Record<string, BodyKind> = { '0': 'html', '1': 'text', html: 'html', text: 'text', markdown: 'markdown', rtf: 'rtf' };
const MAIL_FORMATS: Record<string, MailFormat> = { '0': 0, '1': 1, mime: 0, text: 1 };
const IMPORTANCES: Record<string, Importance> = { '0': 0, '1': 1, '2': 2, low: 0, normal: 1, high: 2 };
const IMPORTANCE_EXPECTED = '0 (Low), 1 (Normal), 2 (High), "low", "normal" or "high"';

// Headers that properties own, or that would break the MIME structure or the pickup
// envelope if a script could set them through Value().
const RESERVED_HEADERS = new Set([
  'from', 'to', 'cc', 'bcc', 'subject', 'mime-version', 'content-type', 'content-transfer-encoding',
  'content-disposition', 'x-sender', 'x-receiver', 'importance', 'x-priority', 'x-msmail-priority',
  // The library writes the Message-ID (the queue keys jobs by it); one set here would be lost.
  'message-id',
]);

export const MAX_BODY_LENGTH = 32 * 1024 * 1024;

/**
 * The CDONTS NewMail object. Properties validate on assignment and throw typed errors at
 * once; Send snapshots them, so a NewMail never shares state with another one. After a
 * successful Send the object is invalid (CDO_E_INVALID_OBJECT), as in CDONTS; after a
 * failed one it stays usable.
 */
export class NewMail {
  readonly #lifecycle = new StateMachine<NewMailState>('composing', transitions, 'NewMail');
  readonly #mailer: Mailer | undefined;
  #from: Mailbox | undefined;
  #to: Mailbox[] = [];
  #cc: Mailbox[] = [];
  #bcc: Mailbox[] = [];
  #subject = '';
  #body = '';
  #bodyFormat: BodyFormatValue = 1;
  #bodyKind: BodyKind = 'text';
  #mailFormat: MailFormatValue = 1;
  #importance: ImportanceValue = 1;
  readonly #headers: HeaderField[] = [];
  readonly #attachments: AttachmentSpec[] = [];
  readonly #resources: ResourceSpec[] = [];
  #contentBase: string | undefined;
  #contentLocation: string | undefined;
  #codePage = DEFAULT_CODE_PAGE;
  #messageId: string | undefined;

  constructor(options: NewMailOptions = {}) {
    this.#mailer = options.mailer;
  }

  /** Library version, readable in every state (as in CDONTS). */
  get Version(): string {
    return '1.2';
  }

  /** 'composing', 'sending' or 'sent'. */
  get state(): NewMailState {
    return this.#lifecycle.state;
  }

  get From(): string {
    this.#assertReadable();
    return this.#from === undefined ? '' : formatMailbox(this.#from);
  }
  set From(value: string) {
    this.#assertWritable();
    this.#from = primitive(value) === '' ? undefined : parseMailbox(value, 'From');
  }

  get To(): string {
    this.#assertReadable();
    return formatAddressList(this.#to);
  }
  set To(value: string) {
    this.#assertWritable();
    this.#to = parseAddressList(value, 'To');
  }

  get Cc(): string {
    this.#assertReadable();
    return formatAddressList(this.#cc);
  }
  set Cc(value: string) {
    this.#assertWritable();
    this.#cc = parseAddressList(value, 'Cc');
  }

  get Bcc(): string {
    this.#assertReadable();
    return formatAddressList(this.#bcc);
  }
  set Bcc(value: string) {
    this.#assertWritable();
    this.#bcc = parseAddressList(value, 'Bcc');
  }

  get Subject(): string {
    this.#assertReadable();
    return this.#subject;
  }
  set Subject(value: string) {
    this.#assertWritable();
    this.#subject = assertHeaderText(value, 'Subject');
  }

  get Body(): string {
    this.#assertReadable();
    return this.#body;
  }
  /**
   * A string, or the bytes of an RTF document — plain or compressed ([MS-OXRTFCP], e.g.
   * PR_RTF_COMPRESSED from Outlook or Exchange). Bytes make BodyFormat "rtf"; a damaged
   * compressed stream is refused here (CDO_E_BAD_DATA). The body is read back as a string
   * (RTF as Latin-1, one character per byte).
   */
  set Body(value: string | Uint8Array) {
    this.#assertWritable();
    if (value instanceof Uint8Array) {
      if (value.length > MAX_BODY_LENGTH) throw new CdoError('CDO_E_STRING_TOO_LONG', `Body is longer than ${MAX_BODY_LENGTH} bytes`);
      // Checked now, as every property is: not RTF (or a damaged stream) is CDO_E_BAD_DATA here.
      this.#body = checkBody(rtfSource(rtfSourceFromBytes(value)), 'Body');
      this.#bodyKind = 'rtf';
      this.#bodyFormat = 'rtf';
      return;
    }
    this.#body = checkBody(value, 'Body');
  }

  get BodyFormat(): BodyFormatValue {
    this.#assertReadable();
    return this.#bodyFormat;
  }
  set BodyFormat(value: BodyFormatValue) {
    this.#assertWritable();
    this.#bodyKind = lookup(BODY_FORMATS, value, 'BodyFormat', '0 (HTML), 1 (Text), "html", "text", "markdown" or "rtf"');
    this.#bodyFormat = normalise(value);
  }

  get MailFormat(): MailFormatValue {
    this.#assertReadable();
    return this.#mailFormat;
  }
  set MailFormat(value: MailFormatValue) {
    this.#assertWritable();
    lookup(MAIL_FORMATS, value, 'MailFormat', '0 (MIME), 1 (Text), "mime" or "text"');
    this.#mailFormat = normalise(value);
  }

  get Importance(): ImportanceValue {
    this.#assertReadable();
    return this.#importance;
  }
  set Importance(value: ImportanceValue) {
    this.#assertWritable();
    lookup(IMPORTANCES, value, 'Importance', IMPORTANCE_EXPECTED);
    this.#importance = normalise(value);
  }

  /** Content-Base of the HTML body: the base URL its relative links resolve against. */
  get ContentBase(): string {
    this.#assertReadable();
    return this.#contentBase ?? '';
  }
  set ContentBase(value: string) {
    this.#assertWritable();
    this.#contentBase = optionalHeaderText(value, 'ContentBase');
  }

  /** Content-Location of the HTML body (RFC 2557); relative to ContentBase when both are set. */
  get ContentLocation(): string {
    this.#assertReadable();
    return this.#contentLocation ?? '';
  }
  set ContentLocation(value: string) {
    this.#assertWritable();
    this.#contentLocation = optionalHeaderText(value, 'ContentLocation');
  }

  /** The code page of body and headers: 65001 (UTF-8, the default), 1252, 932… */
  get codePage(): number {
    this.#assertReadable();
    return this.#codePage;
  }

  /** Chooses the charset of body and headers by Windows code page, as in CDONTS. */
  SetLocaleIDs(codePage: number): void {
    this.#assertWritable();
    this.#codePage = assertCodePage(codePage);
  }

  /**
   * `Value(name, value)` adds a header (a repeated name adds another one).
   * `Value(name)` reads back what was set: the value, or an array when set several times.
   */
  Value(name: string): string | string[] | undefined;
  Value(name: string, value: string): void;
  Value(name: string, value?: string): string | string[] | undefined | void {
    if (value === undefined) {
      this.#assertReadable();
      const key = assertHeaderName(name).toLowerCase();
      const values = this.#headers.filter((h) => h.name.toLowerCase() === key).map((h) => h.value);
      return values.length <= 1 ? values[0] : values;
    }
    this.#assertWritable();
    const checkedName = assertHeaderName(name);
    if (RESERVED_HEADERS.has(checkedName.toLowerCase())) {
      throw new CdoError('CDO_E_INVALID_PARAMETER', `the ${checkedName} header is set through its property, not Value()`);
    }
    this.#headers.push({ name: checkedName, value: assertHeaderText(value, `header ${checkedName}`) });
  }

  /**
   * Attaches a file. `fileName` is the name shown (default: the file's own name);
   * `encoding` is CdoEncodingUUencode (0) or CdoEncodingBase64 (1). Base64 makes the
   * message MIME, as in CDONTS.
   */
  AttachFile(source: string, fileName?: string, encoding?: EncodingMethod): void {
    this.#assertWritable();
    const path = resolveAttachmentPathSync(source, this.#currentMailer().attachmentRoot);
    // A name with path parts is reduced to its last part, Windows or POSIX separators alike.
    const shownName = primitive(fileName) === undefined || primitive(fileName) === '' ? basename(path) : lastPathPart(assertHeaderText(fileName, 'AttachFile fileName'));
    if (shownName === '' || shownName === '.' || shownName === '..') throw new CdoError('CDO_E_INVALID_PARAMETER', 'AttachFile fileName has no name part');
    this.#attachments.push({ path, fileName: shownName, encoding: checkEncoding(encoding, 'AttachFile') });
  }

  /**
   * Embeds a resource the HTML body refers to (an image, a style sheet) in a
   * multipart/related beside it (RFC 2557): `<img src="logo.gif">` finds the file attached
   * with `AttachURL(path, 'logo.gif')`. The part also gets a Content-ID, so `cid:` links
   * work, and `src="cid:logo.gif"` finds it too.
   */
  AttachURL(source: string, contentLocation: string, contentBase?: string, encoding?: EncodingMethod): void {
    this.#assertWritable();
    const path = resolveAttachmentPathSync(source, this.#currentMailer().attachmentRoot);
    const location = assertHeaderText(contentLocation, 'AttachURL contentLocation');
    if (location.trim() === '') throw new CdoError('CDO_E_INVALID_PARAMETER', 'AttachURL needs a contentLocation, the URL the HTML uses');
    this.#resources.push({
      path,
      contentLocation: location,
      contentBase: contentBase === undefined ? undefined : optionalHeaderText(contentBase, 'AttachURL contentBase'),
      encoding: checkEncoding(encoding, 'AttachURL'),
    });
  }

  /**
   * Sends the message. Arguments are optional and positional, as in CDONTS: From,
   * Subject, Body and Importance override the properties; To is added to the To list.
   */
  async Send(from?: string | null, to?: string | null, subject?: string | null, body?: string | null, importance?: ImportanceValue | null): Promise<SendResult> {
    this.#assertWritable();
    const snapshot = this.#snapshot(from ?? undefined, to ?? undefined, subject ?? undefined, body ?? undefined, importance ?? undefined);
    const mailer = this.#currentMailer();
    this.#lifecycle.to('sending'); // before the first await: a second Send fails fast
    try {
      const result = await mailer.deliver(snapshot);
      this.#lifecycle.to('sent');
      return result;
    } catch (error) {
      this.#lifecycle.to('composing');
      throw error;
    }
  }

  #snapshot(from?: string, to?: string, subject?: string, body?: string, importance?: ImportanceValue): MailSnapshot {
    const sender = from === undefined ? this.#from : parseMailbox(from, 'Send from');
    const extraTo = to === undefined ? [] : parseAddressList(to, 'Send to');
    const snapshot: MailSnapshot = {
      from: sender ?? missingFrom(),
      to: [...this.#to, ...extraTo],
      cc: [...this.#cc],
      bcc: [...this.#bcc],
      subject: subject === undefined ? this.#subject : assertHeaderText(subject, 'Send subject'),
      body: body === undefined ? this.#body : checkBody(body, 'Send body'),
      bodyKind: this.#bodyKind,
      mailFormat: lookup(MAIL_FORMATS, this.#mailFormat, 'MailFormat', '0 or 1'),
      importance: lookup(IMPORTANCES, importance ?? this.#importance, 'Send importance', IMPORTANCE_EXPECTED),
      headers: [...this.#headers],
      attachments: [...this.#attachments],
      resources: [...this.#resources],
      contentBase: this.#contentBase,
      contentLocation: this.#contentLocation,
      codePage: this.#codePage,
      messageId: this.#stableMessageId(sender),
    };
    if (snapshot.to.length + snapshot.cc.length + snapshot.bcc.length === 0) {
      throw new CdoError('CDO_E_NO_RECIPIENTS', 'Send needs at least one To, Cc or Bcc recipient');
    }
    return snapshot;
  }

  /** One Message-ID for every attempt: a retried Send is the same message (queue dedupe). */
  #stableMessageId(sender: Mailbox | undefined): string {
    const domain = sender === undefined ? '' : sender.address.slice(sender.address.lastIndexOf('@') + 1);
    this.#messageId ??= `<${randomUUID()}@${domain === '' ? 'cdonts.invalid' : domain}>`;
    return this.#messageId;
  }

  #currentMailer(): Mailer {
    return this.#mailer ?? getDefaultMailer();
  }

  #assertReadable(): void {
    if (this.#lifecycle.state === 'sent') {
      throw new CdoError('CDO_E_INVALID_OBJECT', 'this NewMail was sent and is no longer valid; create a new one');
    }
  }

  #assertWritable(): void {
    this.#assertReadable();
    if (this.#lifecycle.state === 'sending') {
      throw new CdoError('CDO_E_BUSY', 'this NewMail is being sent; wait for Send to settle');
    }
  }
}

function lookup<T>(table: Record<string, T>, given: unknown, what: string, expected: string): T {
  const value = primitive(given);
  const key = typeof value === 'string' ? value.toLowerCase() : typeof value === 'number' ? String(value) : undefined;
  const found = key === undefined ? undefined : table[key];
  if (found === undefined || (typeof value === 'string' && /^\d+$/u.test(value))) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `${what} must be ${expected}, got ${JSON.stringify(value)}`);
  }
  return found;
}

function normalise<T>(given: T): T {
  const value = primitive(given);
  return (typeof value === 'string' ? value.toLowerCase() : value) as T;
}

function checkBody(given: unknown, what: string): string {
  const value = primitive(given);
  if (typeof value !== 'string') {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `${what} must be a string, got ${typeof value}`);
  }
  if (value.length > MAX_BODY_LENGTH) {
    throw new CdoError('CDO_E_STRING_TOO_LONG', `${what} is longer than ${MAX_BODY_LENGTH} characters`);
  }
  return value;
}

function optionalHeaderText(value: unknown, what: string): string | undefined {
  const text = assertHeaderText(value, what);
  return text === '' ? undefined : text;
}

function checkEncoding(given: unknown, what: string): EncodingMethod | undefined {
  const encoding = primitive(given);
  if (encoding === undefined || encoding === null) return undefined;
  if (encoding !== 0 && encoding !== 1) {
    throw new CdoError('CDO_E_INVALID_PARAMETER', `${what} encoding must be 0 (UUencode) or 1 (Base64), got ${typeof encoding === 'number' ? encoding : typeof encoding}`);
  }
  return encoding;
}

function lastPathPart(name: string): string {
  return name.split(/[\\/]/u).pop()?.trim() ?? '';
}

function missingFrom(): never {
  throw new CdoError('CDO_E_FROM_MISSING', 'Send needs a From address (set From or pass it to Send)');
}
