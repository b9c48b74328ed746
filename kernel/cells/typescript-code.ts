import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { hasKernelCompiler, useAsKernelCompiler } from './kernel-compiler';
import { compilerSource } from './typescript-source';

/**
 * Loads the TypeScript compiler (9 MB of JavaScript) with V8's code cache, before any engine module requires it.
 *
 * Compiling typescript.js was ~140 ms of the kernel's start-up; from a code cache it is ~60 ms, and the cache also
 * holds the functions the first check compiled (parser, binder, checker). Node 20 has no built-in compile cache
 * for CommonJS (module.enableCompileCache is Node 22), so this does what it would: compile the module wrapper with
 * `cachedData`, put the module in require.cache, and after the first cell write the cache to
 * $XDG_CACHE_HOME/tsfutures (or ~/.cache/tsfutures), keyed by node version, arch, the file's size and mtime, and a
 * digest of typescript-source.ts's changes (changesDigest). V8 checks the cache itself (source hash, flags) and
 * compiles normally when it rejects it; any failure here leaves the ordinary require to load the compiler.
 */

/**
 * Every cell builds a new program and type checker and drops the previous one; V8 then lets the old generation
 * grow to ~4x the live heap before collecting. Growing by 1.5x instead keeps the RSS down at no per-cell CPU cost
 * (figures: docs/performance.md, "The cell engine"). Set here, before the compiler is compiled: V8 rejects a code
 * cache made under other flags. This applies to kernels started without the start-up snapshot: V8 flags are not
 * part of a snapshot, so one started from it runs with V8's own factor, where setting the flag made no difference.
 */
v8.setFlagsFromString('--heap-growing-percent=50');

interface Loaded {
  script: vm.Script;
  cacheFile: string;
  needsWrite: boolean;
}

let loaded: Loaded | undefined;

function cacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tsfutures');
}

function load(): void {
  // Under jest (its own module registry) or when something already loaded the compiler, require does the work.
  const cache = require.cache as Record<string, unknown>;
  if ((Module as unknown as { _cache: unknown })._cache !== cache) return;
  const file = require.resolve('typescript');
  if (hasKernelCompiler() || cache[file]) return;
  const stat = fs.statSync(file);
  const key = `typescript-${process.version}-${process.arch}-${stat.size}-${Math.floor(stat.mtimeMs)}-${changesDigest()}.v8cache`;
  const cacheFile = path.join(cacheDir(), key);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch { /* first start: none yet */ }
  // With the changes typescript-source.ts makes (V8 checks the cache against this text, not the file's).
  const script = new vm.Script(Module.wrap(compilerSource(fs.readFileSync(file, 'utf8'))), { filename: file, cachedData });
  const mod = new Module(file);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  useAsKernelCompiler(mod);
  loaded = { script, cacheFile, needsWrite: !cachedData || script.cachedDataRejected === true };
}

/**
 * A digest of the code that changes the compiler's text: typescript-source.ts's compiled module and the modules it
 * loads. V8's "source hash" is the text's length only, so a cache keyed by typescript.js alone would be taken for a
 * text whose changes differ but add up to the same length, and run stale bytecode. These few kB are hashed, not the
 * 9 MB text compilerSource returns; SHA-256, as the kernel's HMAC signatures use by default, so their first
 * signature finds the hash's code loaded (docs/performance.md, "The cell engine").
 */
function changesDigest(): string {
  const hash = createHash('sha256');
  const seen = new Set<string>();
  const add = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    hash.update(fs.readFileSync(file)).update(`\0${path.basename(file)}\0`);
    for (const child of require.cache[file]?.children ?? []) add(child.filename);
  };
  add(require.resolve('./typescript-source'));
  return hash.digest('hex').slice(0, 12);
}

/** After the first cell: writes the code cache (with the functions compiled so far), once, if there was none. */
export function saveTypeScriptCodeCache(): void {
  if (!loaded?.needsWrite) return;
  loaded.needsWrite = false;
  try {
    // Two plain mkdirs, not { recursive: true }: that one spins forever under an unwritable parent like /proc.
    const dir = path.dirname(loaded.cacheFile);
    for (const d of [path.dirname(dir), dir]) if (!fs.existsSync(d)) fs.mkdirSync(d);
    // Written aside and renamed: a kernel starting at the same time reads a whole cache or none.
    const partial = `${loaded.cacheFile}.${process.pid}`;
    fs.writeFileSync(partial, loaded.script.createCachedData());
    fs.renameSync(partial, loaded.cacheFile);
  } catch { /* a read-only home: every start compiles, as without the cache */ }
}

try {
  load();
} catch { /* the engine's own `import 'typescript'` loads it normally */ }
