/** Plain-text tables for the console and markdown tables for REPORT.md, from the same rows. */

export type Cell = string | number;

function text(cell: Cell): string {
  if (typeof cell === "number")
    return Number.isInteger(cell) ? cell.toLocaleString("en-US") : cell.toFixed(cell >= 100 ? 0 : 2);
  return cell;
}

/** First column left-aligned, the rest right-aligned (they are mostly numbers). */
export function formatTable(header: string[], rows: Cell[][]): string {
  const lines = rows.map((r) => r.map(text));
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(fmt)].join("\n");
}

export function printTable(title: string, header: string[], rows: Cell[][]): void {
  console.log(`\n${title}\n\n${formatTable(header, rows)}`);
}

/** Columns whose cells all look numeric are right-aligned; the rest left. */
export function markdownTable(header: string[], rows: Cell[][]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const numeric = (i: number) =>
    i > 0 && rows.every((r) => typeof r[i] === "number" || /^[-—\d.,\s%/×]+$/.test(String(r[i] ?? "")));
  return [
    `| ${header.map(esc).join(" | ")} |`,
    `| ${header.map((_, i) => (numeric(i) ? "---:" : "---")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.map((c) => esc(text(c))).join(" | ")} |`),
  ].join("\n");
}
