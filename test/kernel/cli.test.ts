/** The tsfutures command: kernelspec install/uninstall into a --prefix, and bad flags. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN } from './helpers/kernel-client';

// No snapshot build from these installs (TSFUTURES_SNAPSHOT=0); the blob path the spec names is in the scratch dir.
const env = () => ({ ...process.env, JUPYTER_DATA_DIR: path.join(prefix, 'data'), XDG_CACHE_HOME: path.join(prefix, 'cache'), TSFUTURES_SNAPSHOT: '0' });
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: env() });
let prefix: string;
beforeAll(() => {
  prefix = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-cli-'));
});
afterAll(() => rmSync(prefix, { recursive: true, force: true }));

test('install --prefix writes kernel.json and the logos; uninstall removes them', () => {
  const r = run('install', '--prefix', prefix, '--name', 'tsf-test');
  expect(r.status).toBe(0);
  const dir = path.join(prefix, 'share', 'jupyter', 'kernels', 'tsf-test');
  const spec = JSON.parse(readFileSync(path.join(dir, 'kernel.json'), 'utf8'));
  expect(spec).toMatchObject({ display_name: 'TypeScript (futures)', language: 'typescript', interrupt_mode: 'signal' });
  // The launcher: node from the start-up snapshot when its blob is usable, else bin/tsfutures.js (kernel/snapshot).
  const launcher = path.join(path.dirname(BIN), 'tsfutures-kernel.sh');
  expect(spec.argv).toEqual(['/bin/sh', launcher, process.execPath, expect.stringMatching(/\/kernel-[0-9a-f]{12}\.blob$/), '-f', '{connection_file}']);
  expect(path.dirname(spec.argv[3])).toBe(path.join(prefix, 'cache', 'tsfutures'));
  expect(spec.env).toEqual({ MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432' });
  for (const logo of ['logo-32x32.png', 'logo-64x64.png', 'logo-svg.svg']) expect(existsSync(path.join(dir, logo))).toBe(true);
  // Its JavaScript twin beside it, as tslab installs jslab: the same kernel, cells taken as JavaScript.
  const jsDir = path.join(prefix, 'share', 'jupyter', 'kernels', 'tsf-test-js');
  const jsSpec = JSON.parse(readFileSync(path.join(jsDir, 'kernel.json'), 'utf8'));
  expect(jsSpec).toEqual({ ...spec, display_name: 'JavaScript (futures)', language: 'javascript', env: { ...spec.env, TSFUTURES_LANGUAGE: 'javascript' } });
  for (const logo of ['logo-32x32.png', 'logo-64x64.png', 'logo-svg.svg']) expect(existsSync(path.join(jsDir, logo))).toBe(true);
  expect(run('uninstall', `--prefix=${prefix}`, '--name', 'tsf-test').status).toBe(0);
  expect(existsSync(dir)).toBe(false);
  expect(existsSync(jsDir)).toBe(false);
  expect(run('uninstall', '--prefix', prefix, '--name', 'tsf-test').status).toBe(1);
});

test('--user installs under the Jupyter data dir', () => {
  expect(run('install', '--user').status).toBe(0);
  expect(existsSync(path.join(prefix, 'data', 'kernels', 'tsfutures', 'kernel.json'))).toBe(true);
  expect(existsSync(path.join(prefix, 'data', 'kernels', 'tsfutures-js', 'kernel.json'))).toBe(true);
});

test.each([
  [['install', '--bogus']],
  [['install', '--user', '--prefix', '/tmp']],
  [['install', '--prefix']],
  [['install', '--name', 'bad name!']],
  [['kernel']],
  [['kernel', '--nope']],
  [['frobnicate']],
  [[]],
])('bad usage %j exits 2 with a message', (args) => {
  const r = run(...args);
  expect(r.status).toBe(2);
  expect(r.stderr + r.stdout).toMatch(/usage: tsfutures/);
});

test('--help exits 0', () => {
  const r = run('--help');
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/install +\[--user/);
});
