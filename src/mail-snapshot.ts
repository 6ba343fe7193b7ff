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

export interface ResourceSpec {
  /** Absolute path of the file, checked like an attachment. */
  readonly path: string;
  /** The URL the HTML uses for it (`<img src="logo.gif">` → "logo.gif"). */
  readonly contentLocation: string;
  readonly contentBase: string | undefined;
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
  /** AttachURL resources: embedded beside the HTML in a multipart/related. */
  readonly resources: readonly ResourceSpec[];
  /** Content-Base and Content-Location of the HTML body (RFC 2557). */
  readonly contentBase: string | undefined;
  readonly contentLocation: string | undefined;
  /** SetLocaleIDs: the code page of body and headers. */
  readonly codePage: number;
  /** Fixed at the first Send attempt, so a retried Send is the same message (queue dedupe). */
  readonly messageId: string;
  /**
   * CDOSYS (CDO.Message) only. The text part of a MIME body: the script's own TextBody, or
   * null for none (an HTML-only message); undefined: made from the body, as in CDONTS.
   */
  readonly textBody?: string | null | undefined;
  /** CDOSYS only: the Content-Transfer-Encoding the script chose for the text / HTML part. */
  readonly textEncoding?: string | undefined;
  readonly htmlEncoding?: string | undefined;
}
