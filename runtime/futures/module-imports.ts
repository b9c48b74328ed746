/**
 * What a module's own import statements bind, for the functions of that module: a function shipped from a module
 * reads its imports through module-local names (tsc's `node_crypto_1.createHash`, `const { shout } = require("x")`),
 * which reflection cannot see. The function's module is found by its source text (a function's `toString()` is a
 * slice of its module's code), and the module's top-level `require()`/`import` declarations are read statically
 * (parsed once per module). Each imported name then travels as a reference the worker loads itself, from the
 * module's folder, as pickle sends a module's imports. Its other top-level names are read from the same code
 * (module-scope.ts).
 *
 * Three kinds of modules are searched: those a loader compiled in memory and registered (the kernel's local .ts
 * modules), those a require hook compiled (ts-node, tsx), and plain Node's CommonJS modules in require.cache (outside
 * node_modules and this package).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TS from 'typescript';
import { isBuiltinSpecifier, referenceOf, registerModule, type Reference } from './references';
import { topLevelNames, type ScopeName } from './module-scope';

/** How a module-local name is bound by an import: the module, the export path, and tsc's interop wrapper. */
interface ImportBinding {
  specifier: string;
  path: string[];
  /** `__importDefault(require(x))` / `__importStar(require(x))`: the wrapper tsc's CommonJS output puts around x. */
  wrap: 'default' | 'star' | null;
}

export interface ModuleSource {
  filename: string;
  /** Node's module record, for plain CommonJS modules (not those a loader compiled in memory). */
  module?: CjsModule;
  text: () => string | undefined;
  /** The module's own require: the same module instances it got when it ran. */
  load: (specifier: string) => unknown;
  exports: () => unknown;
  imports?: Map<string, ImportBinding>;
  /** Names already bound: the code depends only on the import statement, so it is worked out once. */
  bound: Map<string, ImportedName>;
  /** Its top-level declarations (module-scope.ts), parsed on first use. */
  scope?: Map<string, ScopeName>;
}

/** What a module-local name of a function's module is, as shipping binds it. */
export interface ImportedName {
  value: unknown;
  /** The expression the bundle binds the name to; undefined when the name is the module's `exports`. */
  code?: string;
  /**
   * Set when the import is another TypeScript module the kernel compiled (no worker can require it): the name is that
   * module's exports, whose members the function uses travel one by one, as the module's own functions do.
   */
  compiled?: string;
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
  compiledInMemory.set(filename, { filename, text: () => text, load, exports, bound: new Map() });
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
      compiledInMemory.set(filename, { filename, module: m, text: () => content, load: (s) => m.require(s), exports: () => m.exports, bound: new Map() });
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
        bound: new Map(),
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

/**
 * What `name` is bound to by an import of `fn`'s module, or undefined when `fn` has no known module or the module
 * does not import that name. Throws (naming the module) when the import is one a worker cannot load.
 */
export function importedName(home: ModuleSource | undefined, name: string): ImportedName | undefined {
  if (!home) return undefined;
  if (name === 'exports') return { value: home.exports() };
  const known = home.bound.get(name);
  if (known) return known;
  const binding = importsOf(home)?.get(name);
  if (!binding) return undefined;
  const fromDir = path.dirname(home.filename);
  const builtin = isBuiltinSpecifier(binding.specifier);
  if (!builtin && !loadableFrom(binding.specifier, fromDir)) {
    const compiled = compiledModule(binding, fromDir);
    if (compiled) {
      const imported = { value: home.load(binding.specifier), compiled };
      home.bound.set(name, imported);
      return imported;
    }
    throw new Error(`'${name}', imported from '${binding.specifier}' by ${path.basename(home.filename)}, which a worker process ` +
      'cannot load (a TypeScript module beside the notebook is compiled in the kernel; import what the function needs from a package, a node: module or a .js file)');
  }
  const exports = home.load(binding.specifier);
  if (!builtin) registerModule(binding.specifier, fromDir, exports);
  let value = exports;
  for (const key of binding.path) value = (value as Record<string, unknown> | null | undefined)?.[key];
  const ref: Reference = ['module', binding.specifier, builtin ? null : fromDir, binding.path];
  const code = `__tsf.ref(${JSON.stringify(ref)})`;
  const imported = { value, code: binding.wrap ? `${INTEROP[binding.wrap]}(${code})` : code };
  home.bound.set(name, imported);
  return imported;
}

/** The file of another module compiled in memory that `binding` imports plainly, or undefined. */
function compiledModule(binding: ImportBinding, fromDir: string): string | undefined {
  // tsc's interop wrappers give back a compiled module itself (it sets __esModule).
  if (binding.path.length || !/^\.\.?(?:\/|$)/.test(binding.specifier)) return undefined;
  const base = path.resolve(fromDir, binding.specifier);
  return [...compiledInMemory.keys()].find((file) => file === base || file.slice(0, file.lastIndexOf('.')) === base ||
    file.slice(0, file.lastIndexOf('.')) === path.join(base, 'index'));
}

/**
 * How a bundle binds a name of a function's module: its value, or `code` (an import, a literal), or `source` (a
 * top-level function or class of `home`, which reflection cannot reach), or the exports of another module compiled
 * in memory (`compiled`: its members travel one by one). `fixed`: the module's code decides it, nothing to re-check.
 */
export interface ModuleBinding {
  found: true;
  value: unknown;
  code?: string;
  source?: string;
  home?: ModuleSource;
  compiled?: string;
  fixed?: boolean;
}

/**
 * What `name` is in module `home`: an import, else a top-level declaration, or undefined when the module has neither.
 * An unexported value computed at load time is taken from `registered` (a scope the module registered), else
 * refused: throws, naming it.
 */
export function moduleName(home: ModuleSource | undefined, name: string, registered: () => { found: true; value: unknown } | undefined): ModuleBinding | undefined {
  if (!home) return undefined;
  const imported = importedName(home, name);
  if (imported) return { found: true, ...imported };
  const declared = declaredName(home, name);
  switch (declared?.kind) {
    case undefined:
      return undefined;
    case 'exported': {
      const value = exportedValue(home, declared.path);
      return value === undefined && declared.source ? { found: true, value, source: declared.source, home } : { found: true, value };
    }
    case 'source':
      return { found: true, value: undefined, source: declared.code, home, fixed: true };
    case 'literal':
      return { found: true, value: undefined, code: declared.code, fixed: true };
    case 'opaque': {
      const r = registered();
      if (r) return r;
      throw new Error(`'${name}', a top-level ${declared.declaration === 'binding' ? 'destructured name' : declared.declaration} of ` +
        `${path.basename(home.filename)} that is not exported and whose value is computed when the module loads, so a worker ` +
        'cannot remake it: export it (the worker then gets the exported value) or pass it as an argument');
    }
  }
}

/** A top-level name `home` declares (module-scope.ts), or undefined. */
function declaredName(home: ModuleSource, name: string): ScopeName | undefined {
  if (!home.scope) {
    const text = home.text();
    home.scope = text === undefined ? new Map() : topLevelNames(text, home.filename);
  }
  return home.scope.get(name);
}

/** What `path` names in `home`'s exports now (undefined while the module has not assigned it yet). */
function exportedValue(home: ModuleSource, path: string[]): unknown {
  let value = home.exports();
  for (const key of path) value = (value as Record<string, unknown> | null | undefined)?.[key];
  return value;
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

/**
 * What to add when a function of no known module uses a name shipping cannot find. In an ES module program
 * (`node main.mjs`, `node --import tsx main.ts`; node lists no ES modules) the name may be a module's top-level one.
 */
export function unreadModuleHint(): string {
  const esModuleProgram = typeof require === 'function' && require.main === undefined && typeof process.argv[1] === 'string';
  return esModuleProgram ? ' or a top-level name of an ES module, which shipping cannot read (it reads CommonJS modules): ' +
    'move the function and what it uses to a CommonJS module, or pass the value as an argument' : '';
}

/** Why another compiled module's exports used as a whole (not member by member) cannot travel. */
export function wholeCompiledModule(file: string, from: ModuleSource | undefined): string {
  return `the module ${path.basename(file)} imported${from ? ` by ${path.basename(from.filename)}` : ''}, other than by reading ` +
    'its members (name.x), so it cannot travel: a TypeScript module beside the notebook is compiled in the kernel';
}

/** Where a worker finds a value by itself: the runtime's, an intrinsic, an import, or a loaded module's export. */
export function shippedReference(value: unknown): Reference | undefined {
  return referenceOf(value) ?? (typeof value === 'function' ? exportReference(value) : undefined);
}

/** tsc's interop helpers, as the worker applies them to what it loads. */
const INTEROP = {
  default: '((m) => (m && m.__esModule ? m : { default: m }))',
  star: '((m) => (m && m.__esModule ? m : { ...m, default: m }))',
};

/** Whether a worker's require finds the module: a TypeScript source is not loadable (a host such as jest resolves one). */
function loadableFrom(specifier: string, fromDir: string): boolean {
  try {
    const file: string = require('node:module').createRequire(path.join(fromDir, '__tsfutures_ship__.js')).resolve(specifier);
    return !/\.(?:ts|tsx|mts|cts)$/.test(file);
  } catch {
    return false;
  }
}

let tsModule: typeof TS | undefined;
function ts(): typeof TS {
  return (tsModule ??= require('typescript') as typeof TS);
}

/** The module's top-level import bindings, parsed once. */
function importsOf(m: ModuleSource): Map<string, ImportBinding> | undefined {
  if (m.imports) return m.imports;
  const text = m.text();
  if (text === undefined) return undefined;
  const t = ts();
  const file = t.createSourceFile(m.filename, text, t.ScriptTarget.Latest, false, t.ScriptKind.JS);
  const imports = new Map<string, ImportBinding>();
  for (const s of file.statements) {
    if (t.isImportDeclaration(s) && t.isStringLiteral(s.moduleSpecifier) && s.importClause && !s.importClause.isTypeOnly) {
      const specifier = s.moduleSpecifier.text;
      const { name, namedBindings } = s.importClause;
      if (name) imports.set(name.text, { specifier, path: ['default'], wrap: null });
      if (namedBindings && t.isNamespaceImport(namedBindings)) imports.set(namedBindings.name.text, { specifier, path: [], wrap: null });
      if (namedBindings && t.isNamedImports(namedBindings)) {
        for (const e of namedBindings.elements) imports.set(e.name.text, { specifier, path: [(e.propertyName ?? e.name).text], wrap: null });
      }
    }
    if (!t.isVariableStatement(s)) continue;
    for (const d of s.declarationList.declarations) {
      const found = d.initializer && requireCall(t, d.initializer);
      if (!found) continue;
      if (t.isIdentifier(d.name)) imports.set(d.name.text, found);
      else if (t.isObjectBindingPattern(d.name) && !found.wrap) {
        for (const e of d.name.elements) {
          const key = e.propertyName ?? e.name;
          if (t.isIdentifier(e.name) && !e.dotDotDotToken && t.isIdentifier(key)) {
            imports.set(e.name.text, { ...found, path: [...found.path, key.text] });
          }
        }
      }
    }
  }
  m.imports = imports;
  return imports;
}

/** `require("x")`, `require("x").a.b`, `__importDefault(require("x"))`, `tslib_1.__importStar(require("x"))`. */
function requireCall(t: typeof TS, e: TS.Expression): ImportBinding | undefined {
  const members: string[] = [];
  while (t.isPropertyAccessExpression(e)) {
    members.unshift(e.name.text);
    e = e.expression;
  }
  if (!t.isCallExpression(e) || e.arguments.length !== 1) return undefined;
  const callee = e.expression;
  const arg = e.arguments[0]!;
  if (t.isIdentifier(callee) && callee.text === 'require' && t.isStringLiteral(arg)) return { specifier: arg.text, path: members, wrap: null };
  const helper = t.isIdentifier(callee) ? callee.text : t.isPropertyAccessExpression(callee) ? callee.name.text : '';
  const wrap = helper === '__importDefault' ? 'default' : helper === '__importStar' ? 'star' : null;
  const inner = wrap && !members.length ? requireCall(t, arg) : undefined;
  return inner && !inner.path.length && !inner.wrap ? { ...inner, wrap } : undefined;
}
