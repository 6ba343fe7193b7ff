import type { TextBuilder } from './text-builder.js';
import type { TextLine } from './text-line.js';
import { wrapText } from './wrap-text.js';

/** One cell's text, as its own flow rendered it. */
export interface TableCell {
  readonly lines: readonly TextLine[];
  readonly leading: number;
  readonly trailing: number;
  /** Holds a nested table, a list, a heading, a quote, preformatted text or a rule. */
  readonly layout: boolean;
}

export interface TableContent {
  readonly rows: TableCell[][];
  readonly captions: TableCell[];
  /** The table says it holds data: class "data", a <th> or a <thead>. */
  marked: boolean;
}

const COLUMN_GAP = '   ';
const MAX_COLUMNS = 32;

/**
 * Data table or layout table? HTML mail lays itself out with tables, so a table is read
 * as layout unless it looks like a grid of values:
 *  - a table with a nested table, or a cell holding a list, heading, quote, <pre> or <hr>,
 *    is layout: each cell becomes a block of its own, in document order (cells never glue);
 *  - otherwise, when one row has two or more non-empty cells, or the table is marked as
 *    data (class "data", <th>, <thead>: Markdown tables, invoices), it is a data table:
 *    each row on its own line, cells in aligned columns three spaces apart;
 *  - an unmarked grid too wide for the line is prose laid out in columns: layout again;
 *    a marked one too wide wraps its cells inside narrower columns instead.
 */
export function renderTable(table: TableContent, into: TextBuilder, width: number): void {
  for (const caption of table.captions) into.append(caption.lines, Math.max(1, caption.leading), 1);
  const grid = dataGrid(table, width - into.prefixWidth());
  if (grid !== undefined) {
    into.append(grid, 2, 2);
    return;
  }
  into.block(1);
  for (const row of table.rows) {
    for (const cell of row) into.append(cell.lines, Math.max(1, cell.leading), Math.max(1, cell.trailing));
  }
  into.block(1);
}

function cellText(cell: TableCell): string[] {
  const texts: string[] = [];
  for (const line of cell.lines) if (line.text !== '') texts.push(line.prefix + line.text);
  return texts;
}

function dataGrid(table: TableContent, available: number): TextLine[] | undefined {
  // Most tables in mail are layout: find out before building anything.
  let grid = table.marked;
  for (const row of table.rows) {
    let filled = 0;
    for (const cell of row) {
      if (cell.layout) return undefined;
      if (cell.lines.length > 0) filled++;
    }
    if (filled > 1) grid = true;
  }
  if (!grid) return undefined;
  let multiCellRow = false;
  const rows: string[][][] = [];
  for (const row of table.rows) {
    const texts: string[][] = [];
    let filled = 0;
    for (const cell of row) {
      if (cell.layout) return undefined;
      const text = cellText(cell);
      if (text.length > 0) filled++;
      texts.push(text);
    }
    if (filled > 1) multiCellRow = true;
    if (filled > 0) rows.push(texts);
  }
  if (!multiCellRow && !table.marked) return undefined;
  // Columns empty in every row (spacer cells) take no room.
  let columns = 0;
  for (const row of rows) columns = Math.max(columns, row.length);
  // A grid wider than this is not read as one (and rows × columns stays linear in the input).
  if (columns > MAX_COLUMNS) return undefined;
  const natural = new Array<number>(columns).fill(0);
  for (const row of rows) {
    for (let column = 0; column < row.length; column++) {
      for (const text of row[column] ?? []) natural[column] = Math.max(natural[column] ?? 0, text.length);
    }
  }
  const used = natural.map((w, column) => ({ w, column })).filter(({ w }) => w > 0);
  if (used.length < 2 && !table.marked) return undefined;
  const room = available - COLUMN_GAP.length * Math.max(0, used.length - 1);
  let widths = used.map(({ w }) => w);
  if (widths.reduce((a, b) => a + b, 0) > room) {
    if (!table.marked) return undefined;
    widths = shareWidths(widths, Math.max(used.length, room));
  }
  const lines: TextLine[] = [];
  for (const row of rows) {
    const cells = used.map(({ column }, index) => {
      const width = widths[index] ?? 1;
      return (row[column] ?? []).flatMap((text) => wrapText(text, width));
    });
    let height = 0;
    for (const cell of cells) height = Math.max(height, cell.length);
    for (let r = 0; r < height; r++) {
      let text = '';
      for (let index = 0; index < cells.length; index++) {
        const part = cells[index]?.[r] ?? '';
        text += index === cells.length - 1 ? part : part.padEnd(widths[index] ?? 0) + COLUMN_GAP;
      }
      lines.push({ prefix: '', indent: '', text: text.trimEnd(), wrap: false });
    }
  }
  return lines;
}

/** Column widths that fit `room`: narrow columns keep theirs, wide ones share the rest evenly. */
function shareWidths(natural: number[], room: number): number[] {
  const widths = natural.slice();
  let left = room;
  let open = widths.length;
  const settled = new Array<boolean>(widths.length).fill(false);
  for (let changed = true; changed && open > 0; ) {
    changed = false;
    const share = Math.floor(left / open);
    for (let index = 0; index < widths.length; index++) {
      if (!settled[index] && (natural[index] ?? 0) <= share) {
        settled[index] = true;
        left -= natural[index] ?? 0;
        open--;
        changed = true;
      }
    }
  }
  const share = Math.max(1, Math.floor(left / Math.max(1, open)));
  for (let index = 0; index < widths.length; index++) if (!settled[index]) widths[index] = share;
  return widths;
}
