/**
 * The project's purpose: the TypeScript lecture (notebooks/lecture.ipynb, our kernel) prints what the Python lecture
 * (notebooks/lecture.py.ipynb, Debian's ipykernel) prints, cell by cell. Both run fresh here, concurrently.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { builtinTsfuturesSpec, readKernelSpec } from '../../kernel/client/kernelspecs';
import { formatDifferences, normaliseCell, normaliseLine, unexplainedDifferences, type CellLines, type CellRules } from './compare';
import { codeCells, outputLines, type NotebookJson } from './outputs-text';
import { runNotebook } from './run-notebook';

const NOTEBOOKS = path.resolve(__dirname, '..', '..', 'notebooks');
const PY_PATH = path.join(NOTEBOOKS, 'lecture.py.ipynb');
const TS_PATH = path.join(NOTEBOOKS, 'lecture.ipynb');
const pyNotebook = JSON.parse(readFileSync(PY_PATH, 'utf8')) as NotebookJson;
const tsNotebook = JSON.parse(readFileSync(TS_PATH, 'utf8')) as NotebookJson;

/** The lecture's 7 code cells; the TS notebook has one more (ProcessPool) that Python's lecture does not have. */
const LECTURE_CELLS = 7;
/** Cells (0-based) that print `[future.result() for future in result.done]`: a list in set order. */
const CELL_RULES: CellRules[] = [{}, {}, {}, {}, { listFromSet: true }, { asCompletedBlocks: true }, { listFromSet: true }];

// Debian's ipykernel by path (a user-level python3 spec may point at a python without ipykernel), and this
// checkout's kernel (an installed tsfutures spec may belong to another copy).
const PYTHON_SPEC = readKernelSpec('python3', '/usr/share/jupyter/kernels/python3');
const TS_SPEC = builtinTsfuturesSpec();

const DEADLOCK_TWO = 'DoneAndNotDoneFutures(done=set(), not_done={<Future at 0xADDR state=running>, <Future at 0xADDR state=running>})';
const DEADLOCK_ONE = 'DoneAndNotDoneFutures(done=set(), not_done={<Future at 0xADDR state=running>})';
const SUMS = ['5000050000', '500000500000', '50000005000000', '5000000050000000'];

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

  test('have the lecture cells (and the TS one its ProcessPool cell) with their kernelspecs', () => {
    expect(py).toHaveLength(LECTURE_CELLS);
    expect(ts).toHaveLength(LECTURE_CELLS + 1);
    expect(pyNotebook.metadata.kernelspec?.name).toBe('python3');
    expect(tsNotebook.metadata.kernelspec?.name).toBe('tsfutures');
  });

  test('saved outputs print the same, up to the expected differences', () => {
    checkLandmarks(py, false);
    checkLandmarks(ts, true);
    compareLecture(py, ts);
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
    const lines = ts[LECTURE_CELLS];
    const results = lines.filter((l) => l.includes('Result ->'));
    expect(results.map((l) => l.replace(/\s+Result.*/, ''))).toEqual(['ThreadPoolExecutor', 'ProcessPoolExecutor']);
    for (const l of results) expect(l).toMatch(/Result -> \[5000000050000000, 5000000050000000, 5000000050000000, 5000000050000000\] Time : \d+\.\d\ds$/);
    expect(lines[lines.length - 1]).toMatch(/^ Speed-up : \d+\.\d\dx$/);
  });
});
