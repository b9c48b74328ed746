/**
 * A declaring cell's program and checker live until the next cell, and must die young: V8's scavenges should copy
 * the live checker only, not keep every checker since the last full collection (typescript-source.ts), with V8's
 * allocation-site pretenuring on as the kernel runs. Measured in a separate node (the built engine in dist/, as
 * the kernel loads it: jest loads the compiler through its own registry), with a minor GC after every fifth cell.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { compilerSource } from '../../kernel/cells/typescript-source';

const ROOT = path.resolve(__dirname, '..', '..');

const CHILD = `
const { createEngine } = require(${JSON.stringify(path.join(ROOT, 'dist', 'kernel', 'cells'))});
(async () => {
  const e = createEngine({ cwd: process.cwd() });
  let n = 0;
  const cell = async () => { n++; const o = await e.execute('const y' + n + ' = ' + n + ';'); if (o.status !== 'ok') throw new Error(JSON.stringify(o)); await new Promise((r) => setImmediate(r)); };
  for (let i = 0; i < 200; i++) await cell();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 5; i++) await cell();
    gc({ type: 'minor' });
  }
})();
`;

test('five declaring cells between scavenges: the last checker survives, the earlier ones are not promoted', () => {
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-semi-space-size=16', '--min-semi-space-size=16', '--trace-gc-nvp', '-e', CHILD], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  // The last scavenge is the third forced one: its promoted bytes are what survived the one before.
  const scavenges = out.split('\n').filter((line) => line.includes('gc=s '));
  const promoted = Number(/ promoted=(\d+)/.exec(scavenges[scavenges.length - 1])?.[1]);
  // One checker with its program is ~0.25 MB, and little of it is promoted; the five kept alive before, ~1.1-1.3 MB.
  expect(promoted).toBeLessThan(400_000);
});

// A cell that keeps a million objects from one allocation site: V8 should pretenure that site (allocate its objects
// old at once) as it does in plain node, so the engine must not switch pretenuring off for the process.
const KEEPER = `
const { createEngine } = require(${JSON.stringify(path.join(ROOT, 'dist', 'kernel', 'cells'))});
(async () => {
  const o = await createEngine({ cwd: process.cwd() }).execute('const kept: object[] = []; for (let i = 0; i < 1e6; i++) kept.push({ i, n: { v: i } });');
  if (o.status !== 'ok') throw new Error(JSON.stringify(o));
})();
`;

test("V8's allocation-site pretenuring stays on for the cells' own code", () => {
  const out = execFileSync(process.execPath, ['--max-semi-space-size=4', '--trace-pretenuring-statistics', '-e', KEEPER], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  // V8 prints its decisions only while pretenuring is on.
  expect(out).toMatch(/AllocationSite\(0x[0-9a-f]+\): .* => tenure/);
});

test('the changes apply to the installed compiler and keep its line numbers', () => {
  const text = readFileSync(require.resolve('typescript'), 'utf8');
  const patched = compilerSource(text);
  expect(patched).not.toBe(text);
  expect(patched.split('\n').length).toBe(text.split('\n').length);
  expect(patched).toContain('var noIterationTypes = __tsfutures_noIterationTypes;');
  expect(patched).toContain('\n    return Array.of(toAdd);\n');
  expect(patched).not.toContain('\n    return [toAdd];\n');
  expect(patched).toContain('return __tsfutures_sourceFileOptions(fileName, moduleResolutionCache2, host2, options2, currentDirectory, computeCreateSourceFileOptions);');
  // Applied once: the patched text is left as it is.
  expect(compilerSource(patched)).toBe(patched);
});
