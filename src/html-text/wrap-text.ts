/**
 * Breaks `text` at spaces into rows of at most `width` characters (a word longer than
 * the width gets a row of its own, unbroken). Spaces at a break are dropped.
 */
export function wrapText(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const rows: string[] = [];
  let from = 0;
  const limit = Math.max(1, width);
  while (text.length - from > limit) {
    // The last space at or before from + limit, else the first one after (a long word).
    let cut = text.lastIndexOf(' ', from + limit);
    if (cut <= from) {
      cut = text.indexOf(' ', from + limit);
      if (cut < 0) break;
    }
    let end = cut;
    while (end > from && text.charCodeAt(end - 1) === 0x20) end--;
    if (end > from) rows.push(text.slice(from, end));
    from = cut + 1;
    while (from < text.length && text.charCodeAt(from) === 0x20) from++;
  }
  if (from < text.length) rows.push(text.slice(from));
  return rows;
}
