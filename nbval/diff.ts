/** A line-based unified diff (like difflib.unified_diff) for showing expected vs actual cell outputs. */

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Longest-common-subsequence edit script; outputs are small, and huge ones degrade to replace-all. */
function editScript(a: string[], b: string[]): Op[] {
  if (a.length * b.length > 4_000_000) return [...a.map((line) => ({ kind: '-' as const, line })), ...b.map((line) => ({ kind: '+' as const, line }))];
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ kind: ' ', line: a[i++] }), j++;
    // Deletions before insertions at a tie, so a changed line reads `-old` then `+new`.
    else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ kind: '-', line: a[i++] });
    else ops.push({ kind: '+', line: b[j++] });
  }
  return ops;
}

/** Text split into lines without their endings; a missing final newline is made visible. */
function lines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  else parts.push('\\ No newline at end of file');
  return parts;
}

export function unifiedDiff(expected: string, actual: string, { fromLabel = 'expected', toLabel = 'actual', context = 3 } = {}): string {
  const ops = editScript(lines(expected), lines(actual));
  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`];
  // Positions (1-based) in both texts for every op, to write hunk headers.
  let ai = 1;
  let bi = 1;
  const positioned = ops.map((op) => {
    const at = { ...op, a: ai, b: bi };
    if (op.kind !== '+') ai++;
    if (op.kind !== '-') bi++;
    return at;
  });
  const changed = positioned.map((op, k) => (op.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - context);
    let end = changed[k];
    while (k + 1 < changed.length && changed[k + 1] - end <= 2 * context) end = changed[++k];
    end = Math.min(positioned.length - 1, end + context);
    k++;
    const hunk = positioned.slice(start, end + 1);
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    const aStart = aCount ? hunk.find((o) => o.kind !== '+')!.a : hunk[0].a - 1;
    const bStart = bCount ? hunk.find((o) => o.kind !== '-')!.b : hunk[0].b - 1;
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
  }
  return out.join('\n');
}
