/** What `npm pack` publishes: what users run (the build, the command, the kernelspec's files), not tests or benches. */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

test('the published package holds the build, the command and the kernelspec, and no tests, benches or maps', () => {
  // --ignore-scripts: the build is already there (jest's global setup), prepare need not run again.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
  for (const needed of ['package.json', 'bin/tsfutures.js', 'bin/tsfutures-kernel.sh', 'kernel.json',
    'kernel/kernelspec/logo-64x64.png', 'nbval/jest-transform.js', 'dist/runtime/index.js', 'dist/runtime/index.d.ts',
    'dist/kernel/cli.js', 'dist/nbval/jest-notebook.js']) expect(files).toContain(needed);
  expect(files.filter((f) => /^(test|bench|dist\/test|dist\/bench|notebooks)\//.test(f) || f.endsWith('.map'))).toEqual([]);
});
