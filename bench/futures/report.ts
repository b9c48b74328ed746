/**
 * The bench table. Every figure is a cost (time), so one ratio reads the same on every row: peer / ours, "how many
 * times faster we are". A target is a lower bound on it: 1x means "no slower than the peer", 20x "twenty times faster".
 */
export interface Row {
  what: string;
  ours: number;
  peer: number | undefined;
  peerName: string;
  unit: string;
  /** Lowest acceptable peer / ours; undefined for rows printed for information only. */
  target?: number;
}

export const speedup = (row: Row): number | undefined => (row.peer === undefined ? undefined : row.peer / row.ours);

export function verdict(row: Row): string {
  const r = speedup(row);
  if (row.target === undefined) return 'info';
  if (r === undefined) return 'no peer';
  return r >= row.target ? 'met' : 'NOT MET';
}

function num(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}

export function formatTable(rows: Row[]): string {
  const cells = [
    ['measure', 'ours', 'peer', 'peer/ours', 'target', 'result'],
    ...rows.map((row) => {
      const r = speedup(row);
      return [
        row.what,
        `${num(row.ours)} ${row.unit}`,
        row.peer === undefined ? '-' : `${num(row.peer)} ${row.unit} (${row.peerName})`,
        r === undefined ? '-' : `${r.toFixed(2)}x`,
        row.target === undefined ? '-' : `>= ${row.target}x`,
        verdict(row),
      ];
    }),
  ];
  const widths = cells[0].map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  return cells.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}
