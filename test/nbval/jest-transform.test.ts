/** Notebooks as jest tests: a child jest with the .ipynb transform runs fixture notebooks. */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { copyFixtures, ROOT, runProcess } from './helpers';

const transform = require(path.join(ROOT, 'nbval', 'jest-transform.js'));

interface Assertion {
  title: string;
  status: string;
  failureMessages: string[];
}

/** Runs jest over `dir` with the config snippet our README documents; returns per-notebook assertions. */
async function jestOn(dir: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; results: Record<string, Assertion[]> }> {
  const config = path.join(dir, 'jest.config.js');
  writeFileSync(
    config,
    `module.exports = ${JSON.stringify({
      rootDir: dir,
      testEnvironment: 'node',
      transform: { '\\.ipynb$': path.join(ROOT, 'nbval', 'jest-transform.js') },
      moduleFileExtensions: ['js', 'json', 'ipynb'],
      testMatch: ['**/*.ipynb'],
      testPathIgnorePatterns: ['/node_modules/', '\\.executed\\.ipynb$', '/\\.ipynb_checkpoints/'],
      globals: { nbval: { timeout: 5 } },
    })};\n`,
  );
  const out = path.join(dir, 'jest-result.json');
  const r = await runProcess(process.execPath, [require.resolve('jest/bin/jest'), '--config', config, '--runInBand', '--json', '--outputFile', out, ...extraArgs], { cwd: dir, env });
  const json = JSON.parse(readFileSync(out, 'utf8'));
  const results: Record<string, Assertion[]> = {};
  for (const file of json.testResults) results[path.relative(dir, file.name)] = file.assertionResults;
  if (Object.keys(results).length === 0) throw new Error(`jest ran nothing:\n${r.stdout}${r.stderr}`);
  return { code: r.code, results };
}

const byStatus = (assertions: Assertion[]) => assertions.map((a) => a.status);

test('every notebook is a describe, every code cell a test: passing, skipped and failing cells', async () => {
  const tmp = copyFixtures('python/pass', 'python/fail');
  try {
    const { code, results } = await jestOn(tmp);
    expect(code).toBe(1);
    const basics = results[path.join('pass', 'basics.ipynb')];
    expect(basics[0].title).toBe("Cell 1: print('hello')");
    expect(byStatus(basics)).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'passed', 'passed', 'passed', 'passed', 'pending', 'pending', 'passed']);
    const changed = results[path.join('fail', 'changed-output.ipynb')];
    expect(byStatus(changed)).toEqual(['passed', 'failed', 'passed']);
    expect(changed[1].title).toBe('Cell 2: print(1 + 1)');
    expect(changed[1].failureMessages[0]).toMatch(/Cell 2: Cell outputs differ[\s\S]*mismatch 'stdout'[\s\S]*-3\n\+2\n tail/);
    expect(byStatus(results[path.join('fail', 'timeout.ipynb')])).toEqual(['failed', 'passed']);
    expect(byStatus(results[path.join('fail', 'unexpected-exception.ipynb')])).toEqual(['failed', 'passed']);
    expect(byStatus(results[path.join('fail', 'missing-exception.ipynb')])).toEqual(['failed']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('our kernel: a passing notebook passes under jest', async () => {
  const tmp = copyFixtures('tsfutures/pass');
  try {
    const { code, results } = await jestOn(tmp);
    expect(byStatus(results[path.join('pass', 'basics.ipynb')])).toEqual(['passed', 'passed', 'passed', 'passed', 'passed', 'passed', 'pending', 'passed', 'passed']);
    expect(code).toBe(0);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('lax via env var, and `jest -u` rewrites stale outputs', async () => {
  const tmp = copyFixtures('python/lax', 'python/update');
  try {
    const lax = await jestOn(tmp, [], { ...process.env, NBVAL_LAX: '1' });
    expect(byStatus(lax.results[path.join('lax', 'lax.ipynb')])).toEqual(['passed', 'passed', 'failed']);
    const stale = path.join(tmp, 'update', 'stale.ipynb');
    const before = readFileSync(stale, 'utf8');
    const updated = await jestOn(tmp, ['-u', '--testPathPatterns', 'update']);
    expect(updated.code).toBe(0);
    const after = readFileSync(stale, 'utf8');
    expect(after).not.toBe(before);
    expect(JSON.parse(after).cells[1].outputs).toEqual([{ name: 'stdout', output_type: 'stream', text: ['fresh\n'] }]);
    const again = await jestOn(tmp, ['--testPathPatterns', 'update']);
    expect(byStatus(again.results[path.join('update', 'stale.ipynb')])).toEqual(['passed', 'passed', 'passed']);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('executed copies and checkpoints are not tests; cache keys follow the content', () => {
  expect(transform.process('{}', '/x/lecture.executed.ipynb').code).toMatch(/^test\.skip\(/);
  expect(transform.process('{}', '/x/.ipynb_checkpoints/a.ipynb').code).toMatch(/^test\.skip\(/);
  expect(transform.process('{}', '/x/a.ipynb').code).toContain('describeNotebook("/x/a.ipynb"');
  expect(transform.getCacheKey('a', '/x/a.ipynb')).not.toBe(transform.getCacheKey('b', '/x/a.ipynb'));
});
