// A Markdown table for stdout: the scale and endurance commands print theirs in
// the form the README's Reliability section quotes (columns padded to line up).
export function markdownTable(head: string[], rows: string[][], rightAlign: boolean[] = head.map((_, i) => i > 0)): string {
  const widths = head.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAlign[i] ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

/** Bytes as a short human figure: 812 B, 3.6 KiB, 21.4 MiB. */
export function bytes(n: number): string {
  const a = Math.abs(n);
  if (a >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (a >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n.toFixed(0)} B`;
}
