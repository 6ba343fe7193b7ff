import { LinkifyIt } from 'linkify-it';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (c) => ESCAPES[c] ?? c);
}

/**
 * Plain text to HTML: escaped, blank lines make paragraphs, line breaks are kept,
 * and URLs and addresses become links. Returns a function bound to one linkifier.
 */
export function createTextToHtml(): (text: string) => string {
  const linkify = new LinkifyIt({ fuzzyLink: false });
  const linkifyLine = (line: string): string => {
    const matches = linkify.match(line);
    if (matches === null) return escapeHtml(line);
    let out = '';
    let last = 0;
    for (const m of matches) {
      out += escapeHtml(line.slice(last, m.index));
      out += `<a href="${escapeHtml(m.url)}">${escapeHtml(m.text)}</a>`;
      last = m.lastIndex;
    }
    return out + escapeHtml(line.slice(last));
  };
  return (text) =>
    text
      .replace(/\r\n?/gu, '\n')
      .split(/\n[ \t]*\n+/u)
      .map((paragraph) => paragraph.replace(/^\n+|\n+$/gu, ''))
      .filter((paragraph) => paragraph.trim() !== '')
      .map((paragraph) => `<p>${paragraph.split('\n').map(linkifyLine).join('<br>\n')}</p>`)
      .join('\n');
}
