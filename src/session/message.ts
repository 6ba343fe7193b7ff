import { statSync, unlinkSync, writeFileSync } from 'node:fs';
import { CdoBcc, CdoCc, CdoTo } from '../cdo-constants.js';
import { CdoError } from '../errors/cdo-error.js';
import { parseMailbox } from '../address-list.js';
import { assertHeaderText } from '../header-text.js';
import { NewMail } from '../new-mail.js';
import type { SendResult } from '../mailer.js';
import { parseMessageSync } from './parse-message-sync.js';
import type { ParsedMessage } from './parsed-message.js';
import { Collection } from './collection.js';

/** Message.Sender: who sent it. Type is always "SMTP" in CDO for NTS. */
export class AddressEntry {
  readonly Type = 'SMTP';
  constructor(
    readonly Name: string,
    readonly Address: string,
  ) {}
}

export class Recipient {
  constructor(
    readonly Name: string,
    readonly Address: string,
    readonly Type: number,
  ) {}
}

export class Recipients extends Collection<Recipient> {
  constructor(
    initial: readonly Recipient[],
    readonly readOnly: boolean,
  ) {
    super();
    this.items.push(...initial);
  }

  /** Adds a recipient to an Outbox message (CdoTo 1, CdoCc 2, CdoBcc 3). */
  Add(name = '', address = '', type: number = CdoTo): Recipient {
    if (this.readOnly) throw new CdoError('CDO_E_NO_ACCESS', 'recipients of an Inbox message cannot be changed');
    if (![CdoTo, CdoCc, CdoBcc].includes(type)) throw new CdoError('CDO_E_INVALID_PARAMETER', `recipient type must be 1 (To), 2 (Cc) or 3 (Bcc), got ${type}`);
    const box = parseMailbox(address, 'Recipients.Add address');
    const recipient = new Recipient(assertHeaderText(name, 'Recipients.Add name') || box.name, box.address, type);
    this.items.push(recipient);
    return recipient;
  }
}

export class Attachment {
  readonly Type = 1; // CdoFileData
  constructor(
    readonly Name: string,
    readonly ContentID: string,
    readonly ContentLocation: string,
    readonly ContentBase: string,
    readonly Source: string,
    readonly content: Uint8Array | undefined,
  ) {}

  /** Saves an Inbox attachment to a file, byte for byte. */
  WriteToFile(fileName: string): void {
    if (this.content === undefined) throw new CdoError('CDO_E_NO_SUPPORT', 'an Outbox attachment is a file already; WriteToFile is for Inbox attachments');
    writeFileSync(fileName, this.content);
  }
}

export class Attachments extends Collection<Attachment> {
  constructor(
    initial: readonly Attachment[],
    readonly readOnly: boolean,
  ) {
    super();
    this.items.push(...initial);
  }

  /** Adds a file to an Outbox message: Add(name, CdoFileData, source). */
  Add(name = '', type = 1, source = ''): Attachment {
    if (this.readOnly) throw new CdoError('CDO_E_NO_ACCESS', 'attachments of an Inbox message cannot be changed');
    if (type !== 1) throw new CdoError('CDO_E_NO_SUPPORT', 'only CdoFileData (1) attachments can be added');
    const attachment = new Attachment(name, '', '', '', source, undefined);
    this.items.push(attachment);
    return attachment;
  }
}

/** A message of the Inbox (one file of the drop directory, parsed on first use; read-only). */
export class InboxMessage {
  readonly #path: string;
  readonly #skipEnvelope: number;
  #parsed: ParsedMessage | undefined;
  #deleted = false;

  constructor(path: string, skipEnvelope: number) {
    this.#path = path;
    this.#skipEnvelope = skipEnvelope;
  }

  get Class(): number {
    return 3; // CdoMsg
  }
  get Subject(): string {
    return this.#data().subject;
  }
  get Text(): string {
    return this.#data().text;
  }
  get HTMLText(): string {
    return this.#data().html;
  }
  get Sender(): AddressEntry {
    const { from } = this.#data();
    return new AddressEntry(from.name, from.address);
  }
  get Recipients(): Recipients {
    const { to, cc } = this.#data();
    return new Recipients([...to.map((a) => new Recipient(a.name, a.address, CdoTo)), ...cc.map((a) => new Recipient(a.name, a.address, CdoCc))], true);
  }
  get Attachments(): Attachments {
    return new Attachments(this.#data().attachments.map((a) => new Attachment(a.name, a.contentId, a.contentLocation, a.contentBase, '', a.content)), true);
  }
  get Importance(): number {
    return this.#data().importance;
  }
  get Size(): number {
    this.#assertPresent();
    return statSync(this.#path).size;
  }
  get TimeSent(): Date | undefined {
    const { date } = this.#data();
    return date === undefined ? undefined : new Date(date);
  }
  get TimeReceived(): Date {
    this.#assertPresent();
    return statSync(this.#path).mtime;
  }
  get ContentBase(): string {
    return this.#data().contentBase;
  }
  get ContentID(): string {
    return this.#data().contentId;
  }
  get ContentLocation(): string {
    return this.#data().contentLocation;
  }
  set Subject(_value: string) {
    throw new CdoError('CDO_E_NO_ACCESS', 'Inbox messages are read-only');
  }
  set Text(_value: string) {
    throw new CdoError('CDO_E_NO_ACCESS', 'Inbox messages are read-only');
  }

  /** Deletes the message (its file in the drop directory). */
  Delete(): void {
    this.#assertPresent();
    unlinkSync(this.#path);
    this.#deleted = true;
  }

  Send(): never {
    throw new CdoError('CDO_E_NO_ACCESS', 'Inbox messages cannot be sent');
  }

  #assertPresent(): void {
    if (this.#deleted) throw new CdoError('CDO_E_OBJECT_DELETED', 'this message was deleted');
  }

  #data(): ParsedMessage {
    this.#assertPresent();
    this.#parsed ??= parseMessageSync(this.#path, this.#skipEnvelope);
    return this.#parsed;
  }
}

/** A message composed in the Outbox: Send() delivers it through the configured transport. */
export class OutboxMessage {
  Subject = '';
  Text = '';
  HTMLText = '';
  Importance = 1;
  readonly Recipients = new Recipients([], false);
  readonly Attachments = new Attachments([], false);
  #sent = false;

  constructor(readonly Sender: AddressEntry) {}

  get Class(): number {
    return 3;
  }

  async Send(): Promise<SendResult> {
    if (this.#sent) throw new CdoError('CDO_E_INVALID_OBJECT', 'this message was sent and is no longer valid');
    const mail = new NewMail();
    mail.From = this.Sender.Name === '' ? this.Sender.Address : `"${this.Sender.Name.replace(/["\\]/gu, '\\$&')}" <${this.Sender.Address}>`;
    const list = (type: number): string => [...this.Recipients].filter((r) => r.Type === type).map((r) => r.Address).join(';');
    mail.To = list(CdoTo);
    mail.Cc = list(CdoCc);
    mail.Bcc = list(CdoBcc);
    mail.Subject = this.Subject;
    mail.MailFormat = 0;
    mail.Importance = this.Importance as 0 | 1 | 2;
    if (this.HTMLText !== '') {
      mail.BodyFormat = 0;
      mail.Body = this.HTMLText;
    } else {
      mail.Body = this.Text;
    }
    for (const attachment of this.Attachments) mail.AttachFile(attachment.Source, attachment.Name, 1);
    const result = await mail.Send();
    this.#sent = true;
    return result;
  }
}
