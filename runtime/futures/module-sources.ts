/**
 * Where a function's module is, for shipping: a function's `toString()` is a slice of its module's code, so the
 * module is the one whose code holds it. Three kinds of modules are searched: those a loader compiled in memory and
 * registered (the kernel's local .ts modules), those a require hook compiled (ts-node, tsx), and plain Node's CommonJS
 * modules in require.cache (outside node_modules and this package). What the module's code imports and declares is
 * read by module-imports.ts and module-scope.ts; an export of a loaded CommonJS module travels by reference (below).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Reference } from './references';

/** A module whose code shipping can read: where a function's source, its imports and its top-level names come from. */
export interface ModuleSource {
  filename: string;
  /** Node's module record, for plain CommonJS modules (not those a loader compiled in memory). */
  module?: CjsModule;
  text: () => string | undefined;
  /** The module's own require: the same module instances it got when it ran. */
  load: (specifier: string) => unknown;
  exports: () => unknown;
}

const compiledInMemory = new Map<string, ModuleSource>();
const homes = new WeakMap<Function, ModuleSource | null>();
const cjsSources = new WeakMap<object, ModuleSource>();

/**
 * For loaders that compile a module in memory (the kernel's local TypeScript modules): `text` is the code that runs
 * (its functions' sources are slices of it), `load` the module's require, `exports` its module.exports. Registered
 * before the module runs; a recompiled file replaces its earlier text.
 */
export function registerModuleSource(filename: string, text: string, load: (specifier: string) => unknown, exports: () => unknown): void {
  compiledInMemory.set(filename, { filename, text: () => text, load, exports });
}

/**
 * Code a require hook compiled (ts-node, tsx or pirates in CommonJS mode turn a .ts file into JavaScript and hand it to
 * Node's Module#_compile): the file on disk is not the code that ran, so the code is kept as it is compiled. Only
 * modules loaded after the runtime are seen; .js files are read from disk instead.
 */
function keepHookCompiledCode(): void {
  const prototype = (require('node:module') as { prototype: { _compile?: CompileMethod } }).prototype;
  const original = prototype._compile;
  if (typeof original !== 'function' || (original as { [KEEPING]?: boolean })[KEEPING]) return;
  const keeping: CompileMethod = function (this: CjsModule, content, filename) {
    if (typeof content === 'string' && typeof filename === 'string' && !/\.c?js$/.test(filename) &&
      !filename.includes(`${path.sep}node_modules${path.sep}`) && !OWN_DIRS.some((d) => filename.startsWith(d))) {
      const m = this;
      compiledInMemory.set(filename, { filename, module: m, text: () => content, load: (s) => m.require(s), exports: () => m.exports });
    }
    return original.call(this, content, filename);
  };
  Object.defineProperty(keeping, KEEPING, { value: true });
  prototype._compile = keeping;
}
type CompileMethod = (this: CjsModule, content: string, filename: string) => unknown;
const KEEPING = Symbol.for('tsfutures.keepHookCompiledCode');

/**
 * This package's own files (the runtime, the kernel, its bin and benches): never the home of a user's function, whose
 * source text may happen to appear in them.
 */
const OWN_DIRS = [packageRoot(__dirname) + path.sep];

function packageRoot(dir: string): string {
  for (let d = dir; path.dirname(d) !== d; d = path.dirname(d)) if (fs.existsSync(path.join(d, 'package.json'))) return d;
  return path.resolve(__dirname, '..');
}

interface CjsModule { filename?: string; loaded?: boolean; exports: unknown; require: (id: string) => unknown }
keepHookCompiledCode();

function commonJsSources(): ModuleSource[] {
  const cache = (typeof require === 'function' ? require.cache : undefined) as Record<string, CjsModule | undefined> | undefined;
  const out: ModuleSource[] = [];
  for (const m of Object.values(cache ?? {})) {
    const file = m?.filename;
    if (!m || !file || !/\.c?js$/.test(file) || file.includes(`${path.sep}node_modules${path.sep}`) || OWN_DIRS.some((d) => file.startsWith(d))) continue;
    let source = cjsSources.get(m);
    if (!source) {
      let text: string | null | undefined;
      source = {
        filename: file,
        text: () => (text === undefined ? (text = readOrNull(file)) : text) ?? undefined,
        module: m,
        load: (specifier) => m.require(specifier),
        exports: () => m.exports,
      };
      cjsSources.set(m, source);
    }
    out.push(source);
  }
  return out;
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** The module whose code holds `fn`'s source, or undefined (a cell's function, a function built at run time). */
export function homeModule(fn: Function): ModuleSource | undefined {
  const known = homes.get(fn);
  if (known !== undefined) return known ?? undefined;
  const source = Function.prototype.toString.call(fn);
  let found: ModuleSource | null = null;
  if (!/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    found = [...compiledInMemory.values(), ...commonJsSources()].find((m) => m.text()?.includes(source)) ?? null;
  }
  homes.set(fn, found);
  return found ?? undefined;
}

/** The file of a module compiled in memory at `base`: with its extension, or its folder's index; undefined if none. */
export function compiledInMemoryFile(base: string): string | undefined {
  return [...compiledInMemory.keys()].find((file) => file === base || file.slice(0, file.lastIndexOf('.')) === base ||
    file.slice(0, file.lastIndexOf('.')) === path.join(base, 'index'));
}

const exportReferences = new WeakMap<Function, Reference | null>();

/**
 * Where a worker finds `fn` itself, as pickle names a module's function: when `fn` is an export of a plain CommonJS
 * module that has finished loading, the worker requires that module (running its top-level code, with module state
 * of its own) and takes the export. Never the program's main module (Node has no `if __name__ == "__main__"` habit:
 * its top-level code would run again in every worker) nor a module still loading (it may be submitting its own
 * functions from its top-level code); those travel by source.
 */
export function exportReference(fn: Function): Reference | undefined {
  const known = exportReferences.get(fn);
  if (known !== undefined) return known ?? undefined;
  const m = homeModule(fn)?.module;
  let ref: Reference | null = null;
  if (m?.loaded && m.filename && /\.c?js$/.test(m.filename) && (typeof require === 'undefined' || require.main !== m)) {
    const key = exportPath(m.exports, fn);
    // Relative to the working folder, as CPython's workers import by module name: a distributed worker resolves it
    // from its own folder.
    if (key) ref = ['module', './' + path.relative(process.cwd(), m.filename).split(path.sep).join('/'), process.cwd(), key];
  }
  if (ref || m?.loaded !== false) exportReferences.set(fn, ref);
  return ref ?? undefined;
}

function exportPath(exports: unknown, fn: Function): string[] | undefined {
  if (exports === fn) return [];
  if (exports === null || (typeof exports !== 'object' && typeof exports !== 'function')) return undefined;
  for (const key of Object.keys(exports)) {
    const d = Object.getOwnPropertyDescriptor(exports, key);
    if (d && 'value' in d && d.value === fn) return [key];
  }
  return undefined;
}
