import { resolve } from 'node:path';
import { parseMailbox } from '../address-list.js';
import { assertCodePage } from '../code-pages.js';
import { getDropDirectory } from '../default-mailer.js';
import { CdoError } from '../errors/cdo-error.js';
import { assertHeaderText } from '../header-text.js';
import { StateMachine, type TransitionTable } from '../internal/state-machine.js';
import { Folder } from './folder.js';
import { AddressEntry } from './message.js';

export const CdoDefaultFolderInbox = 1;
export const CdoDefaultFolderOutbox = 2;

export type SessionState = 'loggedOff' | 'loggedOn';
const transitions: TransitionTable<SessionState> = { loggedOff: ['loggedOn'], loggedOn: ['loggedOff'] };

export interface SessionOptions {
  /** The drop directory the Inbox reads; default: configure({ dropDirectory }), CDONTS_DROP_DIR, ./mailroot/drop. */
  readonly dropDirectory?: string;
}

/**
 * CDONTS.Session: the read side. LogonSMTP binds to an address (no password, as in
 * CDONTS); the Inbox is the drop directory filtered to that address; the Outbox composes
 * messages that Send through the configured transport.
 */
export class Session {
  readonly #lifecycle = new StateMachine<SessionState>('loggedOff', transitions, 'Session');
  readonly #directory: string;
  #identity: AddressEntry | undefined;
  #codePage = 65001;
  MessageFormat = 0; // CdoMime

  constructor(options: SessionOptions = {}) {
    this.#directory = resolve(options.dropDirectory ?? getDropDirectory());
  }

  get Version(): string {
    return '1.2';
  }
  get Class(): number {
    return 0; // CdoSession
  }
  get state(): SessionState {
    return this.#lifecycle.state;
  }

  LogonSMTP(displayName: string, address: string): void {
    const box = parseMailbox(address, 'LogonSMTP address');
    if (this.#lifecycle.state === 'loggedOn') this.#lifecycle.to('loggedOff');
    this.#identity = new AddressEntry(assertHeaderText(displayName ?? '', 'LogonSMTP display name'), box.address);
    this.#lifecycle.to('loggedOn');
  }

  Logoff(): void {
    this.#logged();
    this.#identity = undefined;
    this.#lifecycle.to('loggedOff');
  }

  /** The display name given to LogonSMTP. */
  get Name(): string {
    return this.#logged().Name;
  }
  get Inbox(): Folder {
    return new Folder('Inbox', this.#directory, this.#logged());
  }
  get Outbox(): Folder {
    return new Folder('Outbox', this.#directory, this.#logged());
  }

  GetDefaultFolder(folderType: number): Folder {
    if (folderType === CdoDefaultFolderInbox) return this.Inbox;
    if (folderType === CdoDefaultFolderOutbox) return this.Outbox;
    throw new CdoError('CDO_E_INVALID_PARAMETER', `GetDefaultFolder takes 1 (Inbox) or 2 (Outbox), got ${folderType}`);
  }

  /** Before LogonSMTP only, as in CDONTS. */
  SetLocaleIDs(codePage: number): void {
    if (this.#lifecycle.state === 'loggedOn') throw new CdoError('CDO_E_CALL_FAILED', 'SetLocaleIDs must be called before LogonSMTP');
    this.#codePage = assertCodePage(codePage);
  }

  get codePage(): number {
    return this.#codePage;
  }

  #logged(): AddressEntry {
    if (this.#lifecycle.state !== 'loggedOn' || this.#identity === undefined) {
      throw new CdoError('CDO_E_NOT_INITIALIZED', 'call LogonSMTP first');
    }
    return this.#identity;
  }
}
