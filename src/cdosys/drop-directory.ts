import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getDropDirectory } from '../default-mailer.js';
import { Collection } from '../session/collection.js';
import { peek } from '../session/folder.js';
import { InboxMessage } from '../session/message.js';
import { scalarText } from '../internal/primitive.js';
import { cdosysError } from './cdosys-error.js';

/** An attachment of a dropped message: FileName, ContentMediaType, its bytes, SaveToFile. */
export class DroppedPart {
  readonly #save: (path: string) => void;

  constructor(
    readonly FileName: string,
    readonly ContentMediaType: string,
    readonly content: Uint8Array,
    save: (path: string) => void,
  ) {
    this.#save = save;
  }

  SaveToFile(path: string): void {
    this.#save(path);
  }
}

/** A message of a drop folder, readable as a CDO.Message (From, To, Subject, bodies, Attachments). */
export class DroppedMessage {
  readonly #message: InboxMessage;

  constructor(message: InboxMessage) {
    this.#message = message;
  }

  get From(): string {
    const sender = this.#message.Sender;
    return sender.Name === '' ? sender.Address : `"${sender.Name}" <${sender.Address}>`;
  }
  get To(): string {
    return this.#recipients(1);
  }
  get Cc(): string {
    return this.#recipients(2);
  }
  get Subject(): string {
    return this.#message.Subject;
  }
  get TextBody(): string {
    return this.#message.Text;
  }
  get HTMLBody(): string {
    return this.#message.HTMLText;
  }
  get SentOn(): Date | undefined {
    return this.#message.TimeSent;
  }
  get ReceivedTime(): Date {
    return this.#message.TimeReceived;
  }
  get Attachments(): Collection<DroppedPart> {
    const parts = new (class extends Collection<DroppedPart> {
      constructor(items: DroppedPart[]) {
        super();
        this.items.push(...items);
      }
    })([...this.#message.Attachments].map((a) => new DroppedPart(a.Name, '', a.content ?? new Uint8Array(), (path) => a.WriteToFile(path))));
    return parts;
  }

  /** Removes the message's file from the drop folder. */
  Delete(): void {
    this.#message.Delete();
  }

  #recipients(type: number): string {
    return [...this.#message.Recipients].filter((r) => r.Type === type).map((r) => (r.Name === '' ? r.Address : `"${r.Name}" <${r.Address}>`)).join(', ');
  }
}

/** The messages of one drop folder: Count, Item(i) 1-based, for…of, Delete(i), DeleteAll(). */
export class DroppedMessages extends Collection<DroppedMessage> {
  constructor(items: DroppedMessage[]) {
    super();
    this.items.push(...items);
  }

  Delete(index: number): void {
    this.Item(index).Delete();
    this.items.splice(index - 1, 1);
  }

  DeleteAll(): void {
    for (const item of this.items) {
      try {
        item.Delete();
      } catch {
        // already gone
      }
    }
    this.items.length = 0;
  }
}

/**
 * `CDO.DropDirectory`: GetMessages(folder) lists the `*.eml` files of a drop folder (the
 * configured drop directory by default), oldest first, parsed only when read — the same
 * read side as CDONTS.Session.
 */
export class DropDirectory {
  GetMessages(directory?: string): DroppedMessages {
    const given = scalarText(directory, 'GetMessages folder');
    const folder = given === '' ? getDropDirectory() : given;
    if (folder === '') throw cdosysError('CDO_E_NO_DEFAULT_DROP_DIR', '');
    const path = resolve(folder);
    let names: string[];
    try {
      names = readdirSync(path).filter((n) => n.toLowerCase().endsWith('.eml')).sort();
    } catch {
      names = [];
    }
    const items: DroppedMessage[] = [];
    for (const name of names) {
      const file = join(path, name);
      try {
        items.push(new DroppedMessage(new InboxMessage(file, peek(file).envelopeLength)));
      } catch {
        // removed meanwhile
      }
    }
    return new DroppedMessages(items);
  }
}
