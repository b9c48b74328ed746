/**
 * `tsfutures nbval` end to end on fixture notebooks, on Debian's ipykernel (python3) and on our kernel
 * (tsfutures): what must pass passes, and every kind of failure fails the right cell, readably.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main } from '../../nbval/nbval-cli';
import { copyFixtures, fixture, runCli } from './helpers';

const KERNELS = ['python', 'tsfutures'] as const;

/** The status line printed for each cell, by code cell number (from 1, as nbval names cells). */
function statuses(stdout: string): Record<number, string> {
  return Object.fromEntries([...stdout.matchAll(/^(PASSED|FAILED|SKIPPED|UPDATED|XFAIL|XPASS) +\S+::Cell (\d+)$/gm)].map((m) => [Number(m[2]), m[1]]));
}

describe.each(KERNELS)('nbval on %s', (kernel) => {
  const dir = (...p: string[]) => fixture(kernel, ...p);

  test('a notebook whose outputs match passes (markers, tags, skip, sanitized addresses)', async () => {
    const r = await runCli('nbval-cli', [dir('pass')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/^FAILED/m);
    expect(r.stdout).toMatch(/^\d+ passed, 0 failed, \d+ skipped$/m);
    expect(r.code).toBe(0);
  });

  test('a changed output fails that cell with a unified diff naming notebook, cell and field', async () => {
    const r = await runCli('nbval-cli', [dir('fail', 'changed-output.ipynb')]);
    expect(r.code).toBe(1);
    const failed = Object.entries(statuses(r.stdout)).filter(([, s]) => s === 'FAILED');
    expect(failed.length).toBe(1);
    const cell = failed[0][0];
    expect(r.stdout).toContain(`changed-output.ipynb::Cell ${cell}\n    Cell ${cell}: Cell outputs differ\n`);
    expect(r.stdout).toMatch(/mismatch 'stdout'\n\s+--- expected \(stored stdout\)\n\s+\+\+\+ actual \(fresh stdout\)\n\s+@@ [^\n]+@@\n\s+-3\n\s+\+2\n/);
    expect(r.stdout).toMatch(/passed, 1 failed$/m);
  });

  test('a missing exception fails', async () => {
    const r = await runCli('nbval-cli', [dir('fail', 'missing-exception.ipynb')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Expected the cell to raise an exception');
    expect(r.stdout).toMatch(/^0 passed, 1 failed$/m);
  });

  test("an unexpected exception fails with the kernel's traceback; the next cell still runs", async () => {
    const r = await runCli('nbval-cli', [dir('fail', 'unexpected-exception.ipynb')]);
    expect(r.code).toBe(1);
    expect(statuses(r.stdout)).toEqual({ 1: 'FAILED', 2: 'PASSED' });
    expect(r.stdout).toMatch(kernel === 'python' ? /Cell execution caused an exception: KeyError: 'unexpected'[\s\S]*Traceback:[\s\S]*KeyError/ : /Cell execution caused an exception: RangeError: x[\s\S]*Traceback:[\s\S]*RangeError/);
  });

  test('a cell over its timeout fails alone, the kernel is interrupted and the next cell passes (XPASS, as in nbval)', async () => {
    const r = await runCli('nbval-cli', ['--timeout', '3', dir('fail', 'timeout.ipynb')]);
    expect(r.code).toBe(1);
    expect({ statuses: statuses(r.stdout), stdout: r.stdout }).toEqual({ statuses: { 1: 'FAILED', 2: 'XPASS' }, stdout: expect.anything() });
    expect(r.stdout).toContain('Cell 1: Timeout of 3 seconds exceeded executing cell\n');
    expect(r.stdout).toMatch(/^0 passed, 1 failed, 1 xpassed$/m);
  });

  test('--bail stops at the first failure', async () => {
    const r = await runCli('nbval-cli', ['--bail', '--timeout', '3', dir('fail', 'timeout.ipynb')]);
    expect(r.code).toBe(1);
    expect(statuses(r.stdout)).toEqual({ 1: 'FAILED' });
  });

  test('lax mode compares only marked cells', async () => {
    const strict = await runCli('nbval-cli', [dir('lax')]);
    expect(statuses(strict.stdout)).toEqual({ 1: 'FAILED', 2: 'PASSED', 3: 'FAILED' });
    const lax = await runCli('nbval-cli', ['--lax', dir('lax')]);
    expect(statuses(lax.stdout)).toEqual({ 1: 'PASSED', 2: 'PASSED', 3: 'FAILED' });
    expect(lax.code).toBe(1);
  });

  test('--update rewrites stale outputs keeping ids, metadata, markers and formatting; then it passes', async () => {
    const tmp = copyFixtures(path.join(kernel, 'update'));
    try {
      const file = path.join(tmp, 'update', 'stale.ipynb');
      const before = JSON.parse(readFileSync(file, 'utf8'));
      const r = await runCli('nbval-cli', ['--update', '--executed-dir', path.join(tmp, 'out'), file]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/updated$/m);
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith('{\n "cells": [\n  {\n')).toBe(true);
      expect(text.endsWith('}\n')).toBe(true);
      const after = JSON.parse(text);
      expect(after.cells.map((c: any) => [c.id, c.source, c.metadata])).toEqual(before.cells.map((c: any) => [c.id, c.source, c.metadata]));
      expect(after.metadata).toEqual(before.metadata);
      const ignored = after.cells.find((c: any) => String(c.source).includes('NBVAL_IGNORE_OUTPUT'));
      expect(ignored.outputs).toEqual([{ name: 'stdout', output_type: 'stream', text: ['fresh\n'] }]);
      expect(after.cells.at(-1).outputs[0]).toMatchObject({ output_type: 'error', ename: kernel === 'python' ? 'ValueError' : 'RangeError' });
      expect(JSON.parse(readFileSync(path.join(tmp, 'out', 'stale.executed.ipynb'), 'utf8')).cells.length).toBe(after.cells.length);
      const again = await runCli('nbval-cli', [file]);
      expect(again.stdout).toMatch(/^\d+ passed, 0 failed$/m);
      expect(again.code).toBe(0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('nbval sanitizing (python3)', () => {
  test('a difference only in masked text passes with the sanitize file and fails without it', async () => {
    // A copy of the notebook alone: no <name>.sanitize.cfg next to it to be picked up by default.
    const tmp = mkdtempSync(path.join(tmpdir(), 'nbval-sanitize-'));
    try {
      copyFileSync(fixture('python', 'sanitize', 'timing.ipynb'), path.join(tmp, 'timing.ipynb'));
      const without = await runCli('nbval-cli', [tmp]);
      expect(without.code).toBe(1);
      expect(without.stdout).toMatch(/-Time : 9\.87s\n\s+\+Time : 1\.00s/);
      const withCfg = await runCli('nbval-cli', ['--sanitize-with', fixture('python', 'sanitize', 'timing.sanitize.cfg'), tmp]);
      expect(withCfg.stdout).toMatch(/^1 passed, 0 failed$/m);
      expect(withCfg.code).toBe(0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('without --sanitize-with, the <name>.sanitize.cfg next to the notebook is used (as in the jest transform)', async () => {
    const r = await runCli('nbval-cli', [fixture('python', 'sanitize')]);
    expect(r.stdout).toMatch(/^1 passed, 0 failed$/m);
    expect(r.code).toBe(0);
  });

  test('addresses are masked by default and compared with --no-sanitize-addresses', async () => {
    const r = await runCli('nbval-cli', ['--no-sanitize-addresses', fixture('python', 'pass', 'basics.ipynb')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/-<__main__\.Thing object at 0x7f00deadbeef>\n\s+\+<__main__\.Thing object at 0x[0-9a-f]+>/);
  });
});

describe('notebooks that cannot run fail with a one-line reason', () => {
  test('invalid JSON and an unknown kernel', async () => {
    const r = await runCli('nbval-cli', [fixture('invalid')]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^FAILED {2}\S*not-json\.ipynb: not valid JSON: .+$/),
      expect.stringMatching(/^FAILED {2}\S*unknown-kernel\.ipynb: kernel "no-such-kernel-xyz" is not installed$/),
      '0 passed, 2 failed',
    ]);
  });

  test('bad flags are usage errors (exit 2)', async () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await main(['--frobnicate', 'x.ipynb'])).toBe(2);
      expect(await main(['--timeout', 'soon', 'x.ipynb'])).toBe(2);
      expect(await main([])).toBe(2);
      expect(String(write.mock.calls[0][0])).toContain('unknown option --frobnicate');
    } finally {
      write.mockRestore();
    }
  });
});
