/** `tsfutures run NOTEBOOK`: live progress and outputs, the executed notebook, stop at the first error. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { executedPath, main } from '../../nbval/run-cli';
import { copyFixtures, ROOT, runCli } from './helpers';

let tmp: string;
beforeAll(() => (tmp = copyFixtures('run')));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const nb = (name: string) => path.join(tmp, 'run', name);
const executed = (name: string) => JSON.parse(readFileSync(executedPath(nb(name)), 'utf8'));
/** No Jupyter on PATH: the run must not try to install a kernelspec. */
const noJupyterEnv = () => ({ ...process.env, PATH: path.dirname(process.execPath) });

test('runs every cell, shows progress and outputs, writes an nbformat 4.5 executed notebook', async () => {
  const r = await runCli('run-cli', [nb('python-ok.ipynb')], { env: noJupyterEnv() });
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/\[1\/3\] In \[1\] import time\nfirst\nsecond\n\[2\/3\] In \[2\] raise ValueError\('allowed'\)\n\[3\/3\] In \[3\] 6 \* 7\nOut\[3\]: 42\n/);
  expect(r.stderr).toContain("ValueError: allowed"); // a raises-exception cell shows its traceback but does not stop the run
  expect(r.stdout).toMatch(/All 3 code cells ran in \d+\.\d s\./);
  expect(r.stdout).toContain(`Open it in Jupyter: jupyter notebook ${path.relative(ROOT, executedPath(nb('python-ok.ipynb')))}`);
  const out = executed('python-ok.ipynb');
  expect([out.nbformat, out.nbformat_minor]).toEqual([4, 5]);
  expect(out.metadata.kernelspec.name).toBe('python3');
  expect(out.metadata.language_info.name).toBe('python');
  expect(out.cells.every((c: any) => typeof c.id === 'string')).toBe(true);
  const code = out.cells.filter((c: any) => c.cell_type === 'code');
  expect(code.map((c: any) => c.execution_count)).toEqual([1, 2, 3]);
  expect(code[0].outputs).toEqual([{ name: 'stdout', output_type: 'stream', text: ['first\n', 'second\n'] }]);
  expect(code[2].outputs[0]).toMatchObject({ output_type: 'execute_result', data: { 'text/plain': ['42'] } });
});

test('stream output is shown as it comes, before the cell finishes', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'nbval', 'run-cli.js'), nb('python-ok.ipynb')], { cwd: ROOT, env: noJupyterEnv() });
  let seen = '';
  const atFirst = await new Promise<string>((resolve) => {
    child.stdout.on('data', (d) => {
      seen += d;
      if (/^first$/m.test(seen)) resolve(seen);
    });
  });
  // The cell sleeps between its two prints: 'first' is on screen while 'second' is not printed yet.
  expect(atFirst).not.toContain('second');
  await new Promise((resolve) => child.on('close', resolve));
  expect(seen).toMatch(/^second$/m);
});

test('stops at the first error with its traceback and exit code 1, still writing the executed notebook', async () => {
  const r = await runCli('run-cli', [nb('python-error.ipynb')], { env: noJupyterEnv() });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('one\n');
  expect(r.stdout).not.toContain('never');
  expect(r.stderr).toMatch(/ValueError\s+Traceback[\s\S]*ValueError: stop here/);
  expect(r.stderr).toContain('Cell 2 raised ValueError: stop here');
  expect(r.stdout).toMatch(/Stopped at a failing cell in \d+\.\d s\./);
  const cells = executed('python-error.ipynb').cells;
  expect(cells[1].outputs[0]).toMatchObject({ output_type: 'error', ename: 'ValueError' });
  expect(cells[2]).toMatchObject({ outputs: [], execution_count: null }); // not run: no stale outputs
});

test('our kernel (built-in spec when Jupyter does not know it), live output and stop on error', async () => {
  const home = mkdtempSync(path.join(tmpdir(), 'run-home-'));
  try {
    const r = await runCli('run-cli', [nb('tsfutures-ok.ipynb')], { env: { ...noJupyterEnv(), HOME: home, JUPYTER_PATH: '', JUPYTER_DATA_DIR: path.join(home, 'jd') } });
    expect(r.stdout).toMatch(/\[1\/3\] In \[1\] console\.log\('first'\);\nfirst\nsecond\n\[2\/3\] In \[2\] throw new RangeError\('stop here'\);\n/);
    expect(r.stderr).toContain('Cell 2 raised RangeError: stop here');
    expect(r.code).toBe(1);
    expect(executed('tsfutures-ok.ipynb').metadata.kernelspec.name).toBe('tsfutures');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('with jupyter on PATH and no tsfutures kernelspec, it installs one (--user) and says so', async () => {
  const home = mkdtempSync(path.join(tmpdir(), 'run-home-'));
  const fakeBin = mkdtempSync(path.join(tmpdir(), 'run-bin-'));
  try {
    writeFileSync(path.join(fakeBin, 'jupyter'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${fakeBin}:${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: home, JUPYTER_PATH: '' };
    delete env.JUPYTER_DATA_DIR;
    const r = await runCli('run-cli', [nb('tsfutures-ok.ipynb')], { env });
    expect(r.stdout).toContain('Installed the tsfutures kernelspec for Jupyter (tsfutures install --user).');
    expect(existsSync(path.join(home, '.local', 'share', 'jupyter', 'kernels', 'tsfutures', 'kernel.json'))).toBe(true);
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(fakeBin, { recursive: true, force: true });
  }
});

test('usage errors exit 2; a missing notebook exits 1 with its reason', async () => {
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    expect(await main(['--nope'])).toBe(2);
    expect(await main(['a.ipynb', 'b.ipynb'])).toBe(2);
    expect(await main([path.join(tmp, 'missing.ipynb')])).toBe(1);
    expect(err.mock.calls.map((c) => String(c[0])).join('')).toMatch(/missing\.ipynb: cannot read/);
  } finally {
    err.mockRestore();
    out.mockRestore();
  }
});
