import type { RtfBlock, RtfInline, RtfLink, RtfListItem, RtfParagraph, RtfRunFormat, RtfTable } from './rtf-document.js';

// A tab HTML would otherwise collapse into a space.
const TAB_HTML = '<span style="white-space:pre">\t</span>';
// Only links a mail reader may follow; anything else (javascript:, file:, data:…) keeps its text unlinked.
const SAFE_HREF = /^(?:https?:|mailto:|ftp:|#)/i;

interface OpenList {
  item: RtfListItem;
  itemOpen: boolean;
}

/** The block model as an HTML fragment: every text and attribute escaped, nothing else passed through. */
export function writeRtfHtml(blocks: readonly RtfBlock[]): string {
  return blocksHtml(blocks, '\n');
}

/** The lists open in a run of list paragraphs; `base` is the level of the run's first item. */
interface ListRun {
  lists: OpenList[];
  base: number;
}

function blocksHtml(blocks: readonly RtfBlock[], separator: string): string {
  const out: string[] = [];
  const run: ListRun = { lists: [], base: 0 };
  let listHtml = '';
  const closeLists = (): void => {
    if (listHtml === '') return;
    while (run.lists.length > 0) listHtml += closeList(run.lists.pop());
    out.push(listHtml);
    listHtml = '';
  };
  for (const block of blocks) {
    if (block.kind === 'paragraph' && block.list !== undefined && block.list.marker === undefined) {
      listHtml += listItemHtml(run, block.list, block);
      continue;
    }
    closeLists();
    out.push(block.kind === 'table' ? tableHtml(block) : paragraphHtml(block));
  }
  closeLists();
  return out.join(separator);
}

/**
 * Opens and closes lists so the item lands at its level, then opens the item. Items nest
 * only inside their own list: another list starts afresh, its first item at the top.
 */
function listItemHtml(run: ListRun, item: RtfListItem, paragraph: RtfParagraph): string {
  const { lists } = run;
  let html = '';
  const root = lists[0];
  if (root === undefined || root.item.key !== item.key) {
    while (lists.length > 0) html += closeList(lists.pop());
    // A second list right after another one.
    if (root !== undefined) html += '\n';
    run.base = item.level;
  }
  const level = Math.max(0, item.level - run.base);
  while (lists.length > level + 1) html += closeList(lists.pop());
  const same = lists[level];
  if (same !== undefined && !sameList(same.item, item)) html += closeList(lists.pop());
  if (lists.length === 0 && html !== '' && !html.endsWith('\n')) html += '\n';
  while (lists.length < level + 1) {
    const parent = lists.at(-1);
    if (parent !== undefined && !parent.itemOpen) {
      html += '<li>';
      parent.itemOpen = true;
    }
    html += openList(item, lists.length === level);
    lists.push({ item, itemOpen: false });
  }
  const top = lists[lists.length - 1];
  if (top === undefined) return html;
  if (top.itemOpen) html += '</li>';
  top.itemOpen = true;
  return `${html}\n<li${alignStyle(paragraph)}>${inlinesHtml(paragraph.inlines)}`;
}

function sameList(a: RtfListItem, b: RtfListItem): boolean {
  return a.key === b.key && a.ordered === b.ordered && a.numbering === b.numbering;
}

function openList(item: RtfListItem, own: boolean): string {
  if (!item.ordered) return '<ul>';
  const type = item.numbering === undefined ? '' : ` type="${item.numbering}"`;
  // The first item's number starts the list (Word continues numbering across interruptions).
  const start = own && item.number !== undefined && item.number !== 1 ? ` start="${item.number}"` : '';
  return `<ol${type}${start}>`;
}

function closeList(list: OpenList | undefined): string {
  if (list === undefined) return '';
  return `${list.itemOpen ? '</li>' : ''}\n${list.item.ordered ? '</ol>' : '</ul>'}`;
}

function paragraphHtml(paragraph: RtfParagraph): string {
  const inner = inlinesHtml(paragraph.inlines);
  const marker = paragraph.list?.marker;
  if (marker !== undefined) {
    // A numbering style <ol> cannot draw ("1)", "(a)", "2.1."): the marker is written out,
    // as Word's own HTML does, indented by the item's level; a div, so items stay line by line.
    const indent = `margin-left:${(paragraph.list?.level ?? 0) * 2 + 2}em`;
    const align = paragraph.align === 'left' ? '' : `;text-align:${paragraph.align}`;
    return `<div style="${indent}${align}">${escapeHtml(marker)}${TAB_HTML}${inner}</div>`;
  }
  return `<p${alignStyle(paragraph)}>${inner === '' ? '<br>' : inner}</p>`;
}

function alignStyle(paragraph: RtfParagraph): string {
  return paragraph.align === 'left' ? '' : ` style="text-align:${paragraph.align}"`;
}

function tableHtml(table: RtfTable): string {
  const rows = table.rows.map((row) => `<tr>${row.cells.map((cell) => {
    const only = cell.blocks.length === 1 ? cell.blocks[0] : undefined;
    // One plain paragraph: its text is the cell, without a <p> and its margins.
    if (only?.kind === 'paragraph' && only.list === undefined) return `<td${alignStyle(only)}>${inlinesHtml(only.inlines)}</td>`;
    return `<td>${blocksHtml(cell.blocks, '')}</td>`;
  }).join('')}</tr>`);
  const border = table.bordered ? ' border="1"' : '';
  // class="data": the html→text engine lays such tables out in columns, so the text
  // alternative keeps cells apart ("a  b"), where a layout table would run them together.
  return `<table class="data"${border} cellspacing="0" cellpadding="4">\n${rows.join('\n')}\n</table>`;
}

/**
 * One wrapper per stretch of equal formatting, outermost first: a link, then the span
 * with size and colours, then b, i, u, s, sup/sub. Adjacent runs share their wrappers,
 * so `\b a \i b` is `<b>a <i>b</i></b>`, not two <b> elements.
 */
interface Layer {
  /** Inlines with equal keys share the wrapper; undefined: no wrapper. */
  key(inline: RtfInline): string | RtfLink | undefined;
  wrap(first: RtfInline, html: string): string;
}

const LAYERS: readonly Layer[] = [
  {
    key: (inline) => (inline.link !== undefined && SAFE_HREF.test(inline.link.href.trim()) ? inline.link : undefined),
    wrap: (first, html) => `<a href="${escapeHtml(first.link?.href.trim() ?? '')}">${html}</a>`,
  },
  { key: (inline) => formatOf(inline, styleOf), wrap: (first, html) => `<span style="${escapeHtml(formatOf(first, styleOf) ?? '')}">${html}</span>` },
  tagLayer('b', (format) => format.bold),
  tagLayer('i', (format) => format.italic),
  tagLayer('u', (format) => format.underline),
  tagLayer('s', (format) => format.strike),
  tagLayer('sup', (format) => format.script === 'super'),
  tagLayer('sub', (format) => format.script === 'sub'),
];

function tagLayer(tag: string, on: (format: RtfRunFormat) => boolean): Layer {
  return { key: (inline) => formatOf(inline, (format) => (on(format) ? tag : undefined)), wrap: (_, html) => `<${tag}>${html}</${tag}>` };
}

// Pictures take no character formatting.
function formatOf(inline: RtfInline, pick: (format: RtfRunFormat) => string | undefined): string | undefined {
  return inline.kind === 'image' ? undefined : pick(inline.format);
}

function styleOf(format: RtfRunFormat): string | undefined {
  const style: string[] = [];
  if (format.fontSize !== undefined) style.push(`font-size:${format.fontSize}pt`);
  if (format.color !== undefined) style.push(`color:${format.color}`);
  if (format.background !== undefined) style.push(`background-color:${format.background}`);
  return style.length === 0 ? undefined : style.join(';');
}

function inlinesHtml(inlines: readonly RtfInline[]): string {
  return layered(inlines, 0, inlines.length, 0);
}

function layered(inlines: readonly RtfInline[], from: number, to: number, depth: number): string {
  const layer = LAYERS[depth];
  let html = '';
  if (layer === undefined) {
    for (let i = from; i < to; i++) {
      const inline = inlines[i];
      if (inline !== undefined) html += leafHtml(inline);
    }
    return html;
  }
  let start = from;
  while (start < to) {
    const first = inlines[start];
    if (first === undefined) break;
    const key = layer.key(first);
    let end = start + 1;
    while (end < to) {
      const next = inlines[end];
      if (next === undefined || layer.key(next) !== key) break;
      end++;
    }
    const inner = layered(inlines, start, end, depth + 1);
    html += key === undefined || inner === '' ? inner : layer.wrap(first, inner);
    start = end;
  }
  return html;
}

function leafHtml(inline: RtfInline): string {
  if (inline.kind === 'break') return '<br>';
  if (inline.kind === 'image') {
    const width = inline.width === undefined ? '' : ` width="${inline.width}"`;
    const height = inline.height === undefined ? '' : ` height="${inline.height}"`;
    return `<img src="data:${inline.mimeType};base64,${inline.base64}"${width}${height} alt="">`;
  }
  return inline.text.split('\t').map((part) => escapeHtml(keepSpaces(part))).join(TAB_HTML);
}

// RTF keeps runs of spaces; HTML collapses them unless all but the first are no-break spaces.
function keepSpaces(text: string): string {
  return text.replace(/ {2,}/g, (spaces) => ` ${'\u00a0'.repeat(spaces.length - 1)}`);
}

/**
 * Escapes markup characters, drops C0 control characters (no meaning in HTML, and some
 * are parse errors) and replaces unpaired surrogates, which UTF-8 cannot encode.
 */
function escapeHtml(text: string): string {
  let out = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let replacement: string | undefined;
    if (code === 0x26) replacement = '&amp;';
    else if (code === 0x3c) replacement = '&lt;';
    else if (code === 0x3e) replacement = '&gt;';
    else if (code === 0x22) replacement = '&quot;';
    else if (code === 0x27) replacement = '&#39;';
    else if (code < 0x20 || code === 0x7f) replacement = '';
    if (replacement === undefined) continue;
    out += text.slice(start, i) + replacement;
    start = i + 1;
  }
  return (out + text.slice(start)).toWellFormed();
}
