/**
 * The compiler's V8 code cache (kernel/cells/typescript-code.ts) is keyed by typescript-source.ts's changes too, not
 * only by typescript.js: V8 takes a cache for any source text of the same length, so changes that keep the length
 * must still get a cache of their own. Caches under the new names are still pruned (kernel/snapshot/prune.ts).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pruneCache } from '../../kernel/snapshot/prune';

const ROOT = path.join(__dirname, '..', '..');
let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-code-cache-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const cacheDir = () => path.join(dir, 'cache', 'tsfutures');
const caches = () => readdirSync(cacheDir()).filter((n) => n.endsWith('.v8cache')).sort();

/** A node that loads the compiler as the kernel does (typescript-code.js from `cells`) and saves its cache. */
function loadAndSave(cells: string): void {
  const script = `require(${JSON.stringify(path.join(cells, 'typescript-code.js'))}).saveTypeScriptCodeCache()`;
  execFileSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_OPTIONS: '', XDG_CACHE_HOME: path.join(dir, 'cache') } });
}

test('a change to typescript-source.ts of the same length gets a new code cache, which pruning still counts', () => {
  // The built engine's modules that load the compiler, beside the project's node_modules (where they find typescript.js).
  const cells = path.join(dir, 'cells');
  mkdirSync(cells);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  for (const name of ['typescript-code.js', 'typescript-source.js', 'kernel-compiler.js']) copyFileSync(path.join(ROOT, 'dist', 'kernel', 'cells', name), path.join(cells, name));

  loadAndSave(cells);
  const [first] = caches();
  expect(caches()).toEqual([first]);
  loadAndSave(cells);
  expect(caches()).toEqual([first]); // the same changes: the cache is used, not written again

  // Another name for the shared sentinel: a different compiler text of the very same length.
  const sourceFile = path.join(cells, 'typescript-source.js');
  const source = readFileSync(sourceFile, 'utf8');
  expect(source).toContain("'__tsfutures_noIterationTypes'");
  writeFileSync(sourceFile, source.replace("'__tsfutures_noIterationTypes'", "'__tsfutures_noIterationTypez'"));
  loadAndSave(cells);
  const second = caches().find((n) => n !== first);
  expect(second).toBeDefined();
  expect(caches()).toEqual([first, second!].sort());

  // Three older caches named as before the digest: of the five, the three most recently used stay.
  const hour = 3_600_000;
  const old = [1, 2, 3].map((i) => `typescript-v20.0.0-x64-1-${i}.v8cache`);
  old.forEach((name, i) => {
    writeFileSync(path.join(cacheDir(), name), name);
    utimesSync(path.join(cacheDir(), name), new Date(Date.now() - (i + 1) * hour), new Date(Date.now() - (i + 1) * hour));
  });
  pruneCache(cacheDir(), [], 120_000);
  expect(caches()).toEqual([first, second!, old[0]].sort());
});
