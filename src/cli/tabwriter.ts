// Go's text/tabwriter as rkt configured it for its tables (minwidth 0, tabwidth 8,
// padding 1, padchar '\t'): every tab-terminated cell is padded with tabs so that its
// column starts at a multiple of 8. A column's width is taken over the block of
// consecutive lines that have a cell in it, as Go does; a line's last cell (not
// tab-terminated) belongs to no column.
const TAB_WIDTH = 8;
const PADDING = 1;

/** Formats text whose cells are separated by tabs and lines by newlines. */
export function alignTabbed(text: string): string {
  const endsWithNewline = text.endsWith("\n");
  const rows = (endsWithNewline ? text.slice(0, -1) : text).split("\n").map((l) => l.split("\t"));
  return alignRows(rows) + (endsWithNewline ? "\n" : "");
}

/**
 * The same for lines given as their cells (a line's last cell is the one after its last
 * tab), joined by newlines without a final one. `rkt list` of a thousand pods runs this
 * once, before the JIT warms up: each cell is measured once and padded from a table.
 */
export function alignRows(rows: readonly (readonly string[])[]): string {
  // Most tables are ASCII: measured by length, then one look over the text made anyway
  // rather than a regex call per cell or a join of the whole table first.
  const text = formatTable(rows, (cell) => cell.length);
  return NON_ASCII.test(text) ? formatTable(rows, textWidth) : text;
}

function formatTable(rows: readonly (readonly string[])[], measure: (cell: string) => number): string {
  const table = { rows, measure, out: new Array<string>(rows.length) };
  const cells = rows[0]?.length ?? 0;
  if (rows.every((row) => row.length === cells)) {
    // Lines of as many cells each (rkt list's) make one block per column, over all of them.
    const columnEnds: number[] = [];
    for (let column = 0; column < cells - 1; column++) columnEnds.push(columnEnd(table, column, 0, rows.length));
    writeLines(table, 0, rows.length, columnEnds);
  } else {
    formatBlock(table, 0, rows.length, []);
  }
  return table.out.join("\n");
}

interface Table {
  rows: readonly (readonly string[])[];
  /** The text width of a cell: measured where needed, cheaper than a table of them for ASCII. */
  measure: (cell: string) => number;
  /** The formatted lines. */
  out: string[];
}

const NON_ASCII = /[^\x00-\x7f]/;

/** Code points, as Go counts runes; an ASCII cell's (most are) is its length, without the spread. */
function textWidth(cell: string): number {
  return NON_ASCII.test(cell) ? [...cell].length : cell.length;
}

/** Go's recursive column-block algorithm: columnEnds[i] is where column i's cells end, a multiple of 8. */
function formatBlock(table: Table, line0: number, line1: number, columnEnds: number[]): void {
  const column = columnEnds.length;
  let start = line0;
  for (let i = line0; i < line1; i++) {
    if (column >= table.rows[i]!.length - 1) continue;
    writeLines(table, start, i, columnEnds);
    start = i;
    while (i < line1 && column < table.rows[i]!.length - 1) i++;
    formatBlock(table, start, i, [...columnEnds, columnEnd(table, column, start, i)]);
    start = i;
  }
  writeLines(table, start, line1, columnEnds);
}

/** Where `column` ends over lines line0 to line1 (a block): after its widest cell and the padding, at a multiple of 8. */
function columnEnd(table: Table, column: number, line0: number, line1: number): number {
  let width = 0;
  for (let i = line0; i < line1; i++) width = Math.max(width, table.measure(table.rows[i]![column]!) + PADDING);
  return Math.ceil(width / TAB_WIDTH) * TAB_WIDTH;
}

const tabRuns: string[] = [];

/** `count` tabs, each string made once. */
function tabs(count: number): string {
  return (tabRuns[count] ??= "\t".repeat(count));
}

function writeLines(table: Table, from: number, to: number, columnEnds: number[]): void {
  for (let i = from; i < to; i++) {
    const row = table.rows[i]!;
    let text = "";
    for (let j = 0; j < row.length; j++) {
      text += row[j]!;
      if (j < columnEnds.length) text += tabs(Math.ceil((columnEnds[j]! - table.measure(row[j]!)) / TAB_WIDTH));
    }
    table.out[i] = text;
  }
}
