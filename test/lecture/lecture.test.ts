/**
 * The project's purpose: the TypeScript lecture (notebooks/lecture.ipynb, our kernel) prints what the Python lecture
 * (notebooks/lecture.py.ipynb, Debian's ipykernel) prints, cell by cell. Both run fresh here, concurrently.
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtinTsfuturesSpec, readKernelSpec } from '../../nbval/client/kernelspecs';
import { formatDifferences, normaliseCell, normaliseLine, unexplainedDifferences, type CellLines, type CellRules } from './compare';
import { codeCells, outputLines, type NotebookJson } from './outputs-text';
import { runNotebook } from './run-notebook';

const NOTEBOOKS = path.resolve(__dirname, '..', '..', 'notebooks');
const PY_PATH = path.join(NOTEBOOKS, 'lecture.py.ipynb');
const TS_PATH = path.join(NOTEBOOKS, 'lecture.ipynb');
const pyNotebook = JSON.parse(readFileSync(PY_PATH, 'utf8')) as NotebookJson;
const tsNotebook = JSON.parse(readFileSync(TS_PATH, 'utf8')) as NotebookJson;

/** The lecture's 7 code cells; the TS notebook adds the ProcessPool cell and the timeline section after them. */
const LECTURE_CELLS = 7;
const PROCESS_POOL_CELL = LECTURE_CELLS;
const TIMELINE_CELLS = { pools: LECTURE_CELLS + 1, deadlock: LECTURE_CELLS + 2, progress: LECTURE_CELLS + 3 };
const TS_CODE_CELLS = LECTURE_CELLS + 4;
/** Cells (0-based) that print `[future.result() for future in result.done]`: a list in set order. */
const CELL_RULES: CellRules[] = [{}, {}, {}, {}, { listFromSet: true }, { asCompletedBlocks: true }, { listFromSet: true }];

// Debian's ipykernel by path (a user-level python3 spec may point at a python without ipykernel), and this
// checkout's kernel (an installed tsfutures spec may belong to another copy).
const PYTHON_SPEC = readKernelSpec('python3', '/usr/share/jupyter/kernels/python3');
const TS_SPEC = builtinTsfuturesSpec();

const DEADLOCK_TWO = 'DoneAndNotDoneFutures(done=set(), not_done={<Future at 0xADDR state=running>, <Future at 0xADDR state=running>})';
const DEADLOCK_ONE = 'DoneAndNotDoneFutures(done=set(), not_done={<Future at 0xADDR state=running>})';
const SUMS = ['5000050000', '500000500000', '50000005000000', '5000000050000000'];
/** The ProcessPool cell's work list: 8 equal tasks of sum_generate(100000000). */
const POOL_RESULTS = `[${Array(8).fill('5000000050000000').join(', ')}]`;
const CPUS = os.availableParallelism();

function compareLecture(python: CellLines[], typescript: CellLines[]): void {
  const diffs = python.slice(0, LECTURE_CELLS).flatMap((py, i) => unexplainedDifferences(i + 1, py, typescript[i] ?? [], CELL_RULES[i]));
  if (diffs.length) throw new Error(`outputs differ beyond EXPECTED_DIFFERENCES:\n${formatDifferences(diffs)}`);
}

/** `inCompletionOrder`: our runtime's as_completed order is deterministic (task sizes); CPython's is not quite. */
function checkLandmarks(cells: CellLines[], inCompletionOrder: boolean): void {
  const norm = (i: number) => (i === 5 && inCompletionOrder ? cells[i].map((l) => normaliseLine(l)) : normaliseCell(cells[i], CELL_RULES[i]));
  expect(norm(0)).toEqual(['256']);
  expect(norm(1)).toEqual([DEADLOCK_TWO]);
  expect(norm(2)).toEqual([DEADLOCK_ONE]);
  expect(norm(3)).toEqual(['', ' Result -> [5000050000, 500000500000, 50000005000000, 50000005000000] Time : T']);
  // Sorted blocks read as text put 500000500000 before 5000050000; in completion order the sizes rule.
  const results = norm(5).filter((l) => l.startsWith('Future Result'));
  const expected = SUMS.map((s) => `Future Result : ${s}, Done : True`);
  expect(results).toEqual(inCompletionOrder ? expected : [...expected].sort());
  expect(norm(5).filter((l) => l.startsWith('Future Cancelled'))).toEqual(
    SUMS.map(() => 'Future Cancelled : <bound method Future.cancelled of <Future at 0xADDR state=finished returned int>>'),
  );
}

describe('stored notebooks', () => {
  const py = codeCells(pyNotebook).map((c) => outputLines(c.outputs));
  const ts = codeCells(tsNotebook).map((c) => outputLines(c.outputs));

  test('have the lecture cells (and the TS one its ProcessPool and timeline cells) with their kernelspecs', () => {
    expect(py).toHaveLength(LECTURE_CELLS);
    expect(ts).toHaveLength(TS_CODE_CELLS);
    expect(pyNotebook.metadata.kernelspec?.name).toBe('python3');
    expect(tsNotebook.metadata.kernelspec?.name).toBe('tsfutures');
  });

  test('saved outputs print the same, up to the expected differences', () => {
    checkLandmarks(py, false);
    checkLandmarks(ts, true);
    compareLecture(py, ts);
  });

  test('the ProcessPool cell shows the speed-up its note promises (two processes clearly beat one event loop)', () => {
    checkProcessPoolCell(ts[PROCESS_POOL_CELL]);
    const speedUp = Number(/Speed-up : (\d+\.\d+)x/.exec(ts[PROCESS_POOL_CELL].join('\n'))?.[1]);
    expect(speedUp).toBeGreaterThanOrEqual(1.5);
  });

  test('the timeline cells carry NBVAL_IGNORE_OUTPUT (timing-dependent pictures) and show their SVG charts', () => {
    const cells = codeCells(tsNotebook);
    for (const i of Object.values(TIMELINE_CELLS)) expect(cells[i].source.split('\n')[0]).toBe('// NBVAL_IGNORE_OUTPUT');
    const svgs = (i: number) => cells[i].outputs.filter((o) => o.data && 'image/svg+xml' in o.data).length;
    expect([svgs(TIMELINE_CELLS.pools), svgs(TIMELINE_CELLS.deadlock)]).toEqual([2, 1]);
    checkTimelineCells(ts);
  });
});

describe('fresh run: Python on ipykernel vs TypeScript on tsfutures', () => {
  let py: CellLines[];
  let ts: CellLines[];

  beforeAll(async () => {
    [py, ts] = await Promise.all([
      runNotebook(PY_PATH, pyNotebook, PYTHON_SPEC, 120),
      runNotebook(TS_PATH, tsNotebook, TS_SPEC, 120),
    ]);
  }, 240_000);

  test('both reproduce the lecture (deadlocks, map, as_completed order)', () => {
    checkLandmarks(py, false);
    checkLandmarks(ts, true);
  });

  test('every lecture line matches Python, up to the expected differences', () => {
    compareLecture(py, ts);
  });

  test('the ProcessPool cell beyond the lecture computes the same sums on both executors', () => {
    checkProcessPoolCell(ts[PROCESS_POOL_CELL]);
  });

  test('the timeline section: both pools drawn, the deadlock still running at the timeout, a finished progress bar', () => {
    checkTimelineCells(ts);
  });
});

function checkProcessPoolCell(lines: CellLines): void {
  expect(lines[0]).toMatch(/^ProcessPool start-up Time : \d+\.\d\ds$/);
  const results = lines.filter((l) => l.includes('Result ->'));
  expect(results.map((l) => l.replace(/\s+Result.*/, ''))).toEqual(['ThreadPoolExecutor', 'ProcessPoolExecutor']);
  for (const l of results) expect(l.replace(/Time : \d+\.\d\ds$/, 'Time : T')).toMatch(new RegExp(`Result -> ${escape(POOL_RESULTS)} Time : T$`));
  expect(lines[lines.length - 1]).toMatch(/^ Speed-up : \d+\.\d\dx$/);
}

/** What the timeline cells print (the charts' text/plain summaries); the pictures themselves are not compared. */
function checkTimelineCells(ts: CellLines[]): void {
  const pools = ts[TIMELINE_CELLS.pools];
  expect(pools).toEqual([
    expect.stringMatching(new RegExp(`^Timeline: 8 tasks on ${Math.min(8, CPUS + 4)} workers, \\d+\\.\\d\\ds; 8 returned$`)),
    expect.stringMatching(new RegExp(`^Timeline: 8 tasks on ${Math.min(8, CPUS)} workers?, \\d+\\.\\d\\ds; 8 returned$`)),
  ]);
  expect(ts[TIMELINE_CELLS.deadlock].map((l) => normaliseLine(l))).toEqual([
    expect.stringMatching(/^Timeline: 2 tasks on 2 workers, \d+\.\d\ds; 2 running$/),
    DEADLOCK_TWO,
  ]);
  expect(ts[TIMELINE_CELLS.progress]).toEqual([
    expect.stringMatching(/^sum_generate: 100%\|█+\| 8\/8 \[/),
    '8 results, sum : 40000000400000000',
  ]);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
