/** What the parse worker hands back for one message file: plain, structured-cloneable data. */
export interface ParsedAddress {
  readonly name: string;
  readonly address: string;
}

export interface ParsedAttachment {
  readonly name: string;
  readonly contentType: string;
  readonly content: Uint8Array;
  readonly contentId: string;
  readonly contentLocation: string;
  readonly contentBase: string;
}

export interface ParsedMessage {
  readonly subject: string;
  /** The text part, or the HTML part's text rendering when there is none. */
  readonly text: string;
  /** The HTML part, or the text part's HTML rendering when there is none. */
  readonly html: string;
  readonly from: ParsedAddress;
  readonly to: readonly ParsedAddress[];
  readonly cc: readonly ParsedAddress[];
  readonly date: number | undefined;
  readonly importance: 0 | 1 | 2;
  readonly contentBase: string;
  readonly contentId: string;
  readonly contentLocation: string;
  readonly attachments: readonly ParsedAttachment[];
}
