/**
 * Line-by-line comparison of what the Python lecture prints with what our TypeScript lecture prints.
 * Both sides are normalised the same way (addresses, elapsed times, set order); whatever still differs must be
 * explained by an entry of EXPECTED_DIFFERENCES, each named with its reason — anything else is a failure.
 */

/** One code cell's printed text, as lines (stdout, results, errors in output order). */
export type CellLines = string[];

const ADDRESS = /0x[0-9a-fA-F]+/g;
const ELAPSED = /Time : \d+(?:\.\d+)?s/g;

/**
 * Python's set repr is in hash order, which changes from run to run: sort the elements of every `{<Future ...>, ...}`.
 * Only sets of Futures are printed by the lecture, and their elements contain no nested braces.
 */
function sortFutureSets(line: string): string {
  return line.replace(/\{(<Future [^{}]*)\}/g, (_all, body: string) => `{${body.split(/, (?=<Future )/).sort().join(', ')}}`);
}

/**
 * `print([future.result() for future in result.done])` iterates a set, so the list comes in set order too:
 * such a line is read as a multiset (sorted numerically).
 */
const LIST_FROM_SET = /^\[(\d+(?:, \d+)*)\]$/;
function sortSetOrderList(line: string): string {
  const m = LIST_FROM_SET.exec(line);
  if (!m) return line;
  const items = m[1].split(', ').map(BigInt).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  return `[${items.join(', ')}]`;
}

export interface CellRules {
  /** The cell prints a list built by iterating a set (result.done): compare that list as a multiset. */
  listFromSet?: boolean;
}

export function normaliseLine(line: string, rules: CellRules = {}): string {
  let out = sortFutureSets(line.replace(ADDRESS, '0xADDR').replace(ELAPSED, 'Time : T'));
  if (rules.listFromSet) out = sortSetOrderList(out);
  return out;
}

export interface ExpectedDifference {
  name: string;
  reason: string;
  /** Both lines must match it for the difference to be explained; capture group 1 must be equal on both sides. */
  pattern: RegExp;
}

/**
 * The lines that may differ between Python and TypeScript, and why. Keep this list short and honest:
 * every entry is a documented consequence of JavaScript semantics (see the Korean notes in lecture.ipynb).
 */
export const EXPECTED_DIFFERENCES: ExpectedDifference[] = [
  {
    name: 'state printed right after submit',
    reason:
      'A Python worker thread may finish the 100000 task before submit() returns (state=finished) or not have picked a ' +
      'task up yet (state=pending), varying per run. A JS task cannot pre-empt the notebook, so our submit marks the ' +
      'future running when a worker slot is free and starts it on the next macrotask: running or pending, never finished.',
    pattern: /^(Scheduled for \d+ : <Future at 0xADDR) state=(?:pending|running|finished returned int)>$/,
  },
];

export interface LineDifference {
  cell: number;
  line: number;
  python: string | undefined;
  typescript: string | undefined;
}

/** Differences not explained by EXPECTED_DIFFERENCES, after normalisation. Empty = the cells print the same. */
export function unexplainedDifferences(cell: number, python: CellLines, typescript: CellLines, rules: CellRules = {}): LineDifference[] {
  const diffs: LineDifference[] = [];
  const n = Math.max(python.length, typescript.length);
  for (let i = 0; i < n; i++) {
    const py = python[i] === undefined ? undefined : normaliseLine(python[i], rules);
    const ts = typescript[i] === undefined ? undefined : normaliseLine(typescript[i], rules);
    if (py === ts) continue;
    if (py !== undefined && ts !== undefined && EXPECTED_DIFFERENCES.some((d) => explains(d, py, ts))) continue;
    diffs.push({ cell, line: i + 1, python: py, typescript: ts });
  }
  return diffs;
}

function explains(d: ExpectedDifference, py: string, ts: string): boolean {
  const a = d.pattern.exec(py);
  const b = d.pattern.exec(ts);
  return !!a && !!b && a[1] === b[1];
}

export function formatDifferences(diffs: LineDifference[]): string {
  return diffs
    .map((d) => `code cell ${d.cell}, line ${d.line}:\n  python:     ${JSON.stringify(d.python)}\n  typescript: ${JSON.stringify(d.typescript)}`)
    .join('\n');
}
