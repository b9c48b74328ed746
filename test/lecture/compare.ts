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
  /** The cell prints one block per future yielded by as_completed: see ORDER_OF_FINISHED_FUTURES. */
  asCompletedBlocks?: boolean;
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

/**
 * An expected difference in ORDER, not in text: CPython's as_completed() first yields the futures that are already
 * finished when it is called, taken from a set (`finished = set(...)`), so their order is hash order; under load the
 * 100000 and 1000000 tasks can both be done by then and come out either way. Our Set keeps completion order. So the
 * as_completed cell's blocks (`Future Result`, `Future Cancelled`, blank line) are compared as a multiset; the
 * TypeScript order itself is checked separately (it follows the task sizes).
 */
export const ORDER_OF_FINISHED_FUTURES = { name: 'as_completed order of already-finished futures', block: /^Future Result : /, size: 3 };

function sortBlocks(lines: string[]): string[] {
  const { block, size } = ORDER_OF_FINISHED_FUTURES;
  const first = lines.findIndex((l) => block.test(l));
  if (first < 0) return lines;
  let end = first;
  while (end < lines.length && block.test(lines[end])) end += size;
  const blocks: string[][] = [];
  for (let i = first; i < end; i += size) blocks.push(lines.slice(i, i + size));
  blocks.sort((x, y) => (x.join('\n') < y.join('\n') ? -1 : x.join('\n') > y.join('\n') ? 1 : 0));
  return [...lines.slice(0, first), ...blocks.flat(), ...lines.slice(end)];
}

export function normaliseCell(lines: CellLines, rules: CellRules = {}): string[] {
  const out = lines.map((l) => normaliseLine(l, rules));
  return rules.asCompletedBlocks ? sortBlocks(out) : out;
}

export interface LineDifference {
  cell: number;
  line: number;
  python: string | undefined;
  typescript: string | undefined;
}

/** Differences not explained by EXPECTED_DIFFERENCES, after normalisation. Empty = the cells print the same. */
export function unexplainedDifferences(cell: number, python: CellLines, typescript: CellLines, rules: CellRules = {}): LineDifference[] {
  const diffs: LineDifference[] = [];
  const pyLines = normaliseCell(python, rules);
  const tsLines = normaliseCell(typescript, rules);
  const n = Math.max(pyLines.length, tsLines.length);
  for (let i = 0; i < n; i++) {
    const py = pyLines[i];
    const ts = tsLines[i];
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
