// Go's text/tabwriter as rkt configured it for its tables (minwidth 0, tabwidth 8,
// padding 1, padchar '\t'): every tab-terminated cell is padded with tabs so that its
// column starts at a multiple of 8. A column's width is taken over the block of
// consecutive lines that have a cell in it, as Go does; a line's last cell (not
// tab-terminated) belongs to no column.
const TAB_WIDTH = 8;
const PADDING = 1;

type Line = string[];

/** Formats text whose cells are separated by tabs and lines by newlines. */
export function alignTabbed(text: string): string {
  const endsWithNewline = text.endsWith("\n");
  const lines: Line[] = (endsWithNewline ? text.slice(0, -1) : text).split("\n").map((l) => l.split("\t"));
  const out: string[] = [];
  formatBlock(lines, 0, lines.length, [], out);
  return out.join("\n") + (endsWithNewline ? "\n" : "");
}

/** Code points, as Go counts runes; an ASCII cell's (most are) is its length, without the spread. */
function textWidth(cell: string): number {
  return /[^\x00-\x7f]/.test(cell) ? [...cell].length : cell.length;
}

/** Go's recursive column-block algorithm: widths[i] is the width of column i. */
function formatBlock(lines: Line[], line0: number, line1: number, widths: number[], out: string[]): void {
  const column = widths.length;
  let start = line0;
  for (let i = line0; i < line1; i++) {
    if (column >= lines[i]!.length - 1) continue;
    writeLines(lines, start, i, widths, out);
    start = i;
    let width = 0;
    for (; i < line1; i++) {
      const line = lines[i]!;
      if (column >= line.length - 1) break;
      width = Math.max(width, textWidth(line[column]!) + PADDING);
    }
    formatBlock(lines, start, i, [...widths, width], out);
    start = i;
  }
  writeLines(lines, start, line1, widths, out);
}

function writeLines(lines: Line[], from: number, to: number, widths: number[], out: string[]): void {
  for (let i = from; i < to; i++) {
    let text = "";
    lines[i]!.forEach((cell, j) => {
      text += cell;
      if (j < widths.length) text += padding(textWidth(cell), widths[j]!);
    });
    out.push(text);
  }
}

function padding(textWidth: number, cellWidth: number): string {
  const rounded = Math.ceil(cellWidth / TAB_WIDTH) * TAB_WIDTH;
  return "\t".repeat(Math.ceil((rounded - textWidth) / TAB_WIDTH));
}
