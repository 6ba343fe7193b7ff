/** A UTF-8 byte order mark (Windows editors write one) is not content. */
export function withoutByteOrderMark(text: string): string {
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}
