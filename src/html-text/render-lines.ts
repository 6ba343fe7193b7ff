import type { TextLine } from './text-line.js';
import { wrapText } from './wrap-text.js';

/**
 * The final text: lines word-wrapped to `width` columns (prefixes included), trailing
 * spaces trimmed. Deep nesting indents at most half the width (the innermost markers
 * kept), so text always has room.
 */
export function renderLines(lines: readonly TextLine[], width: number): string {
  const rows: string[] = [];
  const maxPrefix = Math.max(1, width >> 1);
  for (const line of lines) {
    const prefix = line.prefix.length > maxPrefix ? line.prefix.slice(-maxPrefix) : line.prefix;
    if (!line.wrap || prefix.length + line.text.length <= width) {
      const row = prefix === '' ? line.text : prefix + line.text;
      const last = row.charCodeAt(row.length - 1);
      rows.push(last === 0x20 || last === 0xa0 || last === 0x09 ? row.trimEnd() : row);
      continue;
    }
    const indent = line.indent.length > maxPrefix ? line.indent.slice(-maxPrefix) : line.indent;
    const wrapped = wrapText(line.text, Math.max(1, width - indent.length));
    for (let index = 0; index < wrapped.length; index++) {
      rows.push(((index === 0 ? prefix : indent) + wrapped[index]).trimEnd());
    }
  }
  // Blank rows at either end carry nothing.
  let first = 0;
  while (first < rows.length && rows[first] === '') first++;
  let last = rows.length;
  while (last > first && rows[last - 1] === '') last--;
  return rows.slice(first, last).join('\n');
}
