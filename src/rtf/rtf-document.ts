/** The small document model an RTF body is read into before it is written as HTML. */

/** Character formatting of a run of text. */
export interface RtfRunFormat {
  bold: boolean;
  italic: boolean;
  underline: boolean;
  strike: boolean;
  script: 'super' | 'sub' | undefined;
  /** Points; undefined: the default size (12 pt). */
  fontSize: number | undefined;
  /** `#rrggbb`; undefined: automatic. */
  color: string | undefined;
  background: string | undefined;
}

/** A HYPERLINK field. Runs of one field share the object, so two fields never merge. */
export interface RtfLink {
  /** As the field gave it; the writer decides whether it is safe to link. */
  href: string;
}

export type RtfInline =
  | { kind: 'text'; text: string; format: RtfRunFormat; link: RtfLink | undefined }
  | { kind: 'break'; format: RtfRunFormat; link: RtfLink | undefined }
  | { kind: 'image'; mimeType: string; base64: string; width: number | undefined; height: number | undefined; link: RtfLink | undefined };

export type RtfAlignment = 'left' | 'center' | 'right' | 'justify';

/** What makes a paragraph a list item. */
export interface RtfListItem {
  /** Which list: paragraphs of one key at one level form one HTML list. */
  key: string;
  /** 0-based nesting level. */
  level: number;
  ordered: boolean;
  /** The number of the item as the document shows it, when known. */
  number: number | undefined;
  /** `<ol type>`: roman numerals or letters. */
  numbering: 'I' | 'i' | 'A' | 'a' | undefined;
  /**
   * The marker as the document shows it ("1)", "(a)", "2.1."), when an HTML list could
   * not show it so; undefined for bullets and for "1." "a." "iv." style numbers.
   */
  marker?: string;
}

export interface RtfParagraph {
  kind: 'paragraph';
  inlines: RtfInline[];
  align: RtfAlignment;
  list: RtfListItem | undefined;
}

export interface RtfTableCell {
  blocks: RtfBlock[];
}

export interface RtfTableRow {
  cells: RtfTableCell[];
}

export interface RtfTable {
  kind: 'table';
  rows: RtfTableRow[];
  /** Some row drew cell borders. */
  bordered: boolean;
}

export type RtfBlock = RtfParagraph | RtfTable;
