/** One line of output before word wrap: its prefix (list marker, quote marks) and its text. */
export interface TextLine {
  /** Put before the line's first row. */
  readonly prefix: string;
  /** Put before each row the line wraps onto. */
  readonly indent: string;
  readonly text: string;
  /** False for preformatted text and table rows, which are never re-wrapped. */
  readonly wrap: boolean;
}
