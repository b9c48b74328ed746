/**
 * nbval 0.11's three rules that decide most verdicts, on small hand-made notebooks (fixtures/python/rules) run
 * through `tsfutures nbval` on Debian's ipykernel: unexecuted cells, streams coalesced per name, and a repeated
 * sanitize regex keeping its last replacement.
 */
import { fixture, runCli } from './helpers';

/** Status by `notebook.ipynb::Cell N`. */
function statuses(stdout: string): Record<string, string> {
  return Object.fromEntries([...stdout.matchAll(/^(PASSED|FAILED|SKIPPED) +\S*\/([^/\s]+::Cell \d+)$/gm)].map((m) => [m[2], m[1]]));
}

describe('nbval rules on hand-made notebooks (python3)', () => {
  test('unexecuted cells are not compared, but fail if they hold outputs; streams coalesce per name; a repeated regex keeps its last replacement', async () => {
    const r = await runCli('nbval-cli', [fixture('python', 'rules')]);
    expect({ cells: statuses(r.stdout), stdout: r.stdout }).toEqual({
      cells: {
        'repeated-regex.ipynb::Cell 1': 'PASSED', // `took 42 ms` → `took NUM ms` (the second section's replacement)
        'streams.ipynb::Cell 1': 'PASSED', // stderr, stdout, stderr fresh; one stderr then stdout stored
        'streams.ipynb::Cell 2': 'PASSED', // `abcdef\rxyz` shows as `xyzdef`, `ab\bc` as `ac`
        'streams.ipynb::Cell 3': 'FAILED', // within one stream the order counts
        'unexecuted.ipynb::Cell 1': 'PASSED',
        'unexecuted.ipynb::Cell 2': 'FAILED',
        'unexecuted.ipynb::Cell 3': 'PASSED',
      },
      stdout: expect.stringContaining('Cell 2: Unrun reference cell has outputs\n'),
    });
    expect(r.code).toBe(1);
  });

  test('an unrun cell with outputs fails in lax mode too (nbval checks it before the compare switch)', async () => {
    const r = await runCli('nbval-cli', ['--lax', fixture('python', 'rules', 'unexecuted.ipynb')]);
    expect(statuses(r.stdout)).toEqual({ 'unexecuted.ipynb::Cell 1': 'PASSED', 'unexecuted.ipynb::Cell 2': 'FAILED', 'unexecuted.ipynb::Cell 3': 'PASSED' });
  });
});
