/**
 * nbval 0.11's own test notebooks (test/nbval/peer/, see its README.md for where each comes from) run through
 * `tsfutures nbval --kernel python3` with the options nbval's suite uses, giving the verdicts nbval's suite expects.
 * nbval masks no addresses, so neither do these runs (--no-sanitize-addresses).
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli } from './helpers';

const PEER = path.join(__dirname, 'peer');

type Status = 'PASSED' | 'FAILED' | 'SKIPPED' | 'XFAIL' | 'XPASS';

interface Case {
  /** Path under test/nbval/peer/. */
  notebook: string;
  /** The nbval options of the suite, as tsfutures options. */
  args: string[];
  verdict: 'pass' | 'fail';
  /** Per-cell statuses where nbval's tests state them or markers skip a cell (code cells from 1); other cells pass. */
  cells?: Record<number, Status>;
  /** Lines the output must contain (nbval's wording). */
  says?: string[];
  /** Why this notebook cannot be run the way nbval's suite runs it. */
  skip?: string;
}

/** `doit test`: py.test tests/ --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize_defaults.cfg */
const SANITIZED = ['--sanitize-with', path.join(PEER, 'sanitize_defaults.cfg')];

const CASES: Case[] = [
  { notebook: 'exceptions.ipynb', args: SANITIZED, verdict: 'pass' },
  { notebook: 'latex-example.ipynb', args: SANITIZED, verdict: 'pass' },
  { notebook: 'latex-example.ipynb', args: [], verdict: 'pass' }, // tests/Makefile runs it without the sanitize file too
  { notebook: 'minimal_example.ipynb', args: SANITIZED, verdict: 'pass' },
  { notebook: 'sample_notebook.ipynb', args: SANITIZED, verdict: 'pass', cells: { 11: 'SKIPPED', 12: 'SKIPPED', 13: 'SKIPPED' } },
  { notebook: 'test_coalesce.ipynb', args: SANITIZED, verdict: 'pass' },
  // test_unit_tests_in_notebooks.py: py.test --nbval --nbval-current-env FILE, the verdict in the file name.
  { notebook: 'ipynb-test-samples/test-exceptions-fail-storedmismatch.ipynb', args: [], verdict: 'fail', cells: { 1: 'FAILED', 2: 'PASSED' } },
  { notebook: 'ipynb-test-samples/test-latex-fail-randomoutput.ipynb', args: [], verdict: 'fail', cells: { 1: 'PASSED', 2: 'PASSED', 3: 'FAILED' } },
  { notebook: 'ipynb-test-samples/test-latex-pass-correctouput.ipynb', args: [], verdict: 'pass' },
  { notebook: 'ipynb-test-samples/test-latex-pass-failsbutignoreoutput.ipynb', args: [], verdict: 'pass' },
  { notebook: 'ipynb-test-samples/test-stream-fail-missingoutput.ipynb', args: [], verdict: 'fail', cells: { 1: 'PASSED', 2: 'FAILED', 3: 'PASSED' } },
  { notebook: 'ipynb-test-samples/test-stream-pass-missing-unexecuted-output.ipynb', args: [], verdict: 'pass' },
  // Notebooks that nbval's test_*.py build (test/nbval/peer/built/).
  { notebook: 'built/test_collection.ipynb', args: [], verdict: 'pass', cells: { 1: 'PASSED', 2: 'PASSED', 3: 'PASSED', 4: 'PASSED', 5: 'PASSED' } },
  { notebook: 'built/test_collection.ipynb', args: ['--lax'], verdict: 'pass', cells: { 1: 'PASSED', 2: 'PASSED', 3: 'PASSED', 4: 'PASSED', 5: 'PASSED' } },
  {
    notebook: 'built/test_timeouts.ipynb',
    args: ['--timeout', '5'],
    verdict: 'fail',
    cells: { 1: 'PASSED', 2: 'FAILED', 3: 'XPASS', 4: 'XFAIL', 5: 'XFAIL', 6: 'XFAIL' },
    says: [
      'Cell 2: Timeout of 5 seconds exceeded executing cell\n',
      'Cell 5: Timeout of 5 seconds exceeded while executing cell. Failed to interrupt kernel in 5 seconds, so failing without traceback.\n',
      'Cell 6: Kernel dead on test start\n',
    ],
  },
  { notebook: 'built/test_coverage.ipynb', args: [], verdict: 'pass' },
  { notebook: 'built/test_nbdime.ipynb', args: [], verdict: 'fail', cells: { 1: 'PASSED', 2: 'FAILED' } },
  {
    notebook: 'built/test_ignore.ipynb',
    args: [],
    verdict: 'pass',
    skip: "its conftest.py adds 'stderr' to nbval's skip_compare (a pytest hook); tsfutures nbval has no option to leave a stream out",
  },
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function statuses(stdout: string): Record<number, Status> {
  return Object.fromEntries([...stdout.matchAll(/^(PASSED|FAILED|SKIPPED|XFAIL|XPASS) +\S+::Cell (\d+)$/gm)].map((m) => [Number(m[2]), m[1] as Status]));
}

describe("nbval 0.11's own test notebooks give nbval's verdicts", () => {
  test('every notebook in test/nbval/peer has a verdict', () => {
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ipynb') ? [path.join(dir, e.name)] : []));
    const listed = new Set(CASES.map((c) => c.notebook));
    expect(walk(PEER).map((f) => path.relative(PEER, f).split(path.sep).join('/')).filter((f) => !listed.has(f))).toEqual([]);
  });

  for (const c of CASES) {
    const name = `${c.notebook}${c.args.length ? ` (${c.args.map((a) => path.basename(a)).join(' ')})` : ''}: ${c.verdict}`;
    if (c.skip) {
      test.skip(`${name} (skipped: ${c.skip})`, () => {});
      continue;
    }
    test(
      name,
      async () => {
        const r = await runCli('nbval-cli', ['--kernel', 'python3', '--no-sanitize-addresses', ...c.args, path.join(PEER, c.notebook)]);
        const cells = JSON.parse(readFileSync(path.join(PEER, c.notebook), 'utf8')).cells.filter((cell: { cell_type: string }) => cell.cell_type === 'code');
        const expected = Object.fromEntries(cells.map((_: unknown, i: number) => [i + 1, c.cells?.[i + 1] ?? 'PASSED']));
        // stdout in the comparison: on a mismatch it shows why.
        const stdout = c.says ? expect.stringMatching(new RegExp(c.says.map((line) => `(?=[\\s\\S]*${escapeRegExp(line)})`).join(''))) : expect.any(String);
        expect({ code: r.code, cells: statuses(r.stdout), stdout: r.stdout }).toEqual({ code: c.verdict === 'pass' ? 0 : 1, cells: expected, stdout });
      },
      180_000,
    );
  }
});
