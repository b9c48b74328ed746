/**
 * The engine checks and emits without V8's baseline compiler (jit.ts), and turns it back on for everything
 * else: users' modules loaded by a cell, the cells' own run.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { withBaselineCode, withoutBaselineCode } from '../../kernel/cells/jit';

const ROOT = path.resolve(__dirname, '..', '..');

test('the flag is off only inside withoutBaselineCode, nested calls included, and back on after a throw', () => {
  // The module object itself: an `import * as` namespace is a copy of getters that a spy would not reach.
  const flags = jest.spyOn(require('node:v8') as typeof import('node:v8'), 'setFlagsFromString');
  try {
    const seen: string[] = [];
    withoutBaselineCode(() => {
      withoutBaselineCode(() => seen.push('inner'));
      withBaselineCode(() => seen.push('users'));
      expect(() => withoutBaselineCode(() => { throw new Error('boom'); })).toThrow('boom');
    });
    withBaselineCode(() => seen.push('outside'));
    expect(seen).toEqual(['inner', 'users', 'outside']);
    expect(flags.mock.calls.map(([flag]) => flag)).toEqual(['--no-sparkplug', '--sparkplug', '--no-sparkplug', '--sparkplug']);
  } finally {
    flags.mockRestore();
  }
});

// 300 declaring cells through the built engine (as the kernel loads it) under the launcher's V8 flags; prints the
// code space the cells added. With `keep`, the engine's switching of the flag is made a no-op.
const CHILD = `
const v8 = require('node:v8');
if (process.argv.includes('keep')) { const set = v8.setFlagsFromString; v8.setFlagsFromString = (f) => (/sparkplug/.test(f) ? undefined : set(f)); }
const { createEngine } = require(${JSON.stringify(path.join(ROOT, 'dist', 'kernel', 'cells'))});
const code = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'code_space').space_used_size;
(async () => {
  const e = createEngine({ cwd: process.cwd() });
  let n = 0;
  const cell = async () => { n++; const o = await e.execute('const y' + n + ' = ' + n + ';'); if (o.status !== 'ok') throw new Error(JSON.stringify(o)); await new Promise((r) => setImmediate(r)); };
  for (let i = 0; i < 20; i++) await cell();
  const before = code();
  for (let i = 0; i < 300; i++) await cell();
  console.log(code() - before);
})();
`;

function codeAdded(...args: string[]): number {
  const out = execFileSync(process.execPath, ['--max-semi-space-size=2', '--interrupt-budget=270336', '-e', CHILD, '--', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  return Number(out.trim());
}

test("300 declaring cells add less code space than with the compiler's functions baseline-compiled", () => {
  const without = codeAdded();
  const withBaseline = codeAdded('keep');
  // Measured: ~220-240 KB against ~460-480 KB (the rest is TurboFan's code for the hottest functions).
  expect(withBaseline - without).toBeGreaterThan(120_000);
}, 120_000);
