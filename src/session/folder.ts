import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { CdoError } from '../errors/cdo-error.js';
import { readPickupFile } from '../relay/pickup-envelope.js';
import { Collection } from './collection.js';
import { AddressEntry, InboxMessage, OutboxMessage } from './message.js';

const HEAD_BYTES = 64 * 1024;

/** The envelope of one drop file, read from its first bytes only: listing never parses bodies. */
export function peek(path: string): { recipients: readonly string[]; envelopeLength: number } {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const length = readSync(fd, head, 0, HEAD_BYTES, 0);
    const chunk = head.subarray(0, length);
    const parsed = readPickupFile(chunk);
    const envelopeLength = /^X-(Sender|Receiver):/iu.test(chunk.toString('latin1', 0, 12)) ? chunk.length - parsed.message.length : 0;
    return { recipients: parsed.recipients, envelopeLength };
  } finally {
    closeSync(fd);
  }
}

/** Messages of a folder: 1-based Item, iteration, GetFirst/GetNext/GetLast/GetPrevious. */
export class Messages extends Collection<InboxMessage> {
  readonly #outbox: AddressEntry | undefined;
  #cursor = -1;

  constructor(items: InboxMessage[], outbox: AddressEntry | undefined) {
    super();
    this.items.push(...items);
    this.#outbox = outbox;
  }

  get Class(): number {
    return 16; // CdoMessages
  }

  GetFirst(): InboxMessage | null {
    this.#cursor = 0;
    return this.items[0] ?? null;
  }
  GetNext(): InboxMessage | null {
    this.#cursor++;
    return this.items[this.#cursor] ?? null;
  }
  GetLast(): InboxMessage | null {
    this.#cursor = this.items.length - 1;
    return this.items[this.#cursor] ?? null;
  }
  GetPrevious(): InboxMessage | null {
    this.#cursor--;
    return this.#cursor < 0 ? null : (this.items[this.#cursor] ?? null);
  }

  /** Outbox only: a new message to compose and Send. */
  Add(subject?: string, text?: string, importance?: number): OutboxMessage {
    if (this.#outbox === undefined) throw new CdoError('CDO_E_NO_ACCESS', 'messages cannot be added to the Inbox');
    const message = new OutboxMessage(this.#outbox);
    if (subject !== undefined) message.Subject = subject;
    if (text !== undefined) message.Text = text;
    if (importance !== undefined) message.Importance = importance;
    return message;
  }

  /** Deletes every message of the collection. */
  Delete(): void {
    if (this.#outbox !== undefined) return;
    for (const item of this.items) item.Delete();
    this.items.length = 0;
  }
}

/** The Inbox (the drop directory, filtered to the logged-on address) or the Outbox. */
export class Folder {
  readonly #directory: string;
  readonly #address: string;
  readonly #identity: AddressEntry;

  constructor(
    readonly Name: 'Inbox' | 'Outbox',
    directory: string,
    identity: AddressEntry,
  ) {
    this.#directory = directory;
    this.#identity = identity;
    this.#address = identity.Address.toLowerCase();
  }

  get Class(): number {
    return 2; // CdoFolder
  }

  /** Listed afresh on each access, oldest first; bodies are parsed only when read. */
  get Messages(): Messages {
    if (this.Name === 'Outbox') return new Messages([], this.#identity); // CDONTS's Outbox always counts 0
    let names: string[];
    try {
      names = readdirSync(this.#directory).filter((n) => n.endsWith('.eml')).sort();
    } catch {
      names = [];
    }
    const items: InboxMessage[] = [];
    for (const name of names) {
      const path = join(this.#directory, name);
      try {
        const { recipients, envelopeLength } = peek(path);
        if (recipients.some((r) => r.toLowerCase() === this.#address)) items.push(new InboxMessage(path, envelopeLength));
      } catch {
        // removed meanwhile
      }
    }
    return new Messages(items, undefined);
  }
}
