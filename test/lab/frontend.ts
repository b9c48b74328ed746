/**
 * The JupyterLab 3.6.8 frontend that test/e2e/lab.test.ts drives: built from test/lab's own package.json and exact
 * package-lock.json (never the tsfutures package's dependencies) by `node dist/test/lab/frontend.js`, which
 * scripts/install-test-deps.sh runs. The build is cached under ~/.cache/tsfutures-lab/<hash of its inputs>: a second
 * run, or another checkout of the same inputs, costs nothing. Only webpack's output is kept (about 20 MB).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

/** test/lab in the checkout (this module also runs from its compiled copy in dist/test/lab). */
export const LAB_SOURCES = ((dir: string): string => {
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'test', 'lab'))) dir = path.dirname(dir);
  return path.join(dir, 'test', 'lab');
})(__dirname);

/** What webpack reads: any change to these is a new build (the server-side files are read from test/lab at run time). */
const INPUTS = ['package.json', 'package-lock.json', 'index.js', 'webpack.config.js'];

/** Keyed by content rather than by checkout, so sharing it between checkouts is safe (unlike the kernel's V8 cache). */
const CACHE_ROOT = path.join(homedir(), '.cache', 'tsfutures-lab');

function inputsHash(): string {
  const hash = createHash('sha256');
  for (const f of INPUTS) hash.update(`${f}\0`).update(readFileSync(path.join(LAB_SOURCES, f))).update('\0');
  return hash.digest('hex').slice(0, 16);
}

/** The build directory for the current inputs (bundle.js, schemas/, themes/); it may not exist yet. */
export function labBuildDir(): string {
  return path.join(CACHE_ROOT, inputsHash(), 'build');
}

/** True once the build for the current inputs is complete (it is moved into place only when webpack succeeded). */
export function labBuildExists(): boolean {
  return existsSync(path.join(labBuildDir(), 'bundle.js'));
}

function run(cwd: string, command: string, args: string[]): void {
  const r = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (${r.error ?? `exit ${r.status}`})`);
}

/** Builds the frontend unless the cache has it; returns the build directory. */
export function buildLabFrontend(): string {
  const build = labBuildDir();
  if (labBuildExists()) return build;
  const target = path.dirname(build);
  const work = `${target}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    for (const f of INPUTS) cpSync(path.join(LAB_SOURCES, f), path.join(work, f));
    // No install scripts: none of them is needed for a bundle (fontawesome's attribution note, core-js's banner,
    // leveldown's native build for a collaboration backend this app does not load).
    run(work, 'npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error']);
    run(work, process.execPath, [path.join(work, 'node_modules', 'webpack-cli', 'bin', 'cli.js'), '--no-stats']);
    rmSync(path.join(work, 'node_modules'), { recursive: true, force: true });
    // A concurrent build of the same inputs may have won the race: theirs is as good as ours.
    if (!labBuildExists()) {
      rmSync(target, { recursive: true, force: true });
      renameSync(work, target);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return build;
}

if (require.main === module) {
  const cached = labBuildExists();
  const started = Date.now();
  const dir = buildLabFrontend();
  console.log(cached ? `JupyterLab frontend: cached in ${dir}` : `JupyterLab frontend built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${dir}`);
}
