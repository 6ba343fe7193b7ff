import type { Mailbox } from './address-list.js';
import type { BodyKind } from './converter/body-kind.js';

export type MailFormat = 0 | 1;
export type Importance = 0 | 1 | 2;
export type EncodingMethod = 0 | 1;

export interface HeaderField {
  readonly name: string;
  readonly value: string;
}

export interface AttachmentSpec {
  /** Absolute path, checked against `attachmentRoot` when attached and again when read. */
  readonly path: string;
  readonly fileName: string;
  /** Undefined: follow MailFormat (Text → UUencode, MIME → Base64), as CDONTS did. */
  readonly encoding: EncodingMethod | undefined;
}

/**
 * Everything Send needs, frozen at the moment Send is called. Validated already:
 * compose never re-validates.
 */
export interface MailSnapshot {
  readonly from: Mailbox;
  readonly to: readonly Mailbox[];
  readonly cc: readonly Mailbox[];
  readonly bcc: readonly Mailbox[];
  readonly subject: string;
  readonly body: string;
  readonly bodyKind: BodyKind;
  readonly mailFormat: MailFormat;
  readonly importance: Importance;
  readonly headers: readonly HeaderField[];
  readonly attachments: readonly AttachmentSpec[];
}
