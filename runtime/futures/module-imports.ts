/**
 * What a module's own import statements bind, for the functions of that module: a function shipped from a module
 * reads its imports through module-local names (tsc's `node_crypto_1.createHash`, `const { shout } = require("x")`),
 * which reflection cannot see. The function's module is found by its source text (module-sources.ts), and the
 * module's top-level `require()`/`import` declarations are read statically (parsed once per module). Each imported
 * name then travels as a reference the worker loads itself, from the module's folder, as pickle sends a module's
 * imports. Its other top-level names are read from the same code (module-scope.ts).
 */
import * as path from 'node:path';
import type * as TS from 'typescript';
import { isBuiltinSpecifier, referenceOf, registerModule, type Reference } from './references';
import { topLevelNames, type ScopeName } from './module-scope';
import { compiledInMemoryFile, exportReference, type ModuleSource } from './module-sources';

/** How a module-local name is bound by an import: the module, the export path, and tsc's interop wrapper. */
interface ImportBinding {
  specifier: string;
  path: string[];
  /** `__importDefault(require(x))` / `__importStar(require(x))`: the wrapper tsc's CommonJS output puts around x. */
  wrap: 'default' | 'star' | null;
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

/**
 * What this file works out once per module (a module's code does not change under it): its import bindings, the
 * names already bound (they depend only on the import statement) and its top-level declarations (module-scope.ts).
 */
const importsByModule = new WeakMap<ModuleSource, Map<string, ImportBinding>>();
const boundByModule = new WeakMap<ModuleSource, Map<string, ImportedName>>();
const scopeByModule = new WeakMap<ModuleSource, Map<string, ScopeName>>();

/**
 * What `name` is bound to by an import of `fn`'s module, or undefined when `fn` has no known module or the module
 * does not import that name. Throws (naming the module) when the import is one a worker cannot load.
 */
export function importedName(home: ModuleSource | undefined, name: string): ImportedName | undefined {
  if (!home) return undefined;
  if (name === 'exports') return { value: home.exports() };
  let bound = boundByModule.get(home);
  if (!bound) boundByModule.set(home, (bound = new Map()));
  const known = bound.get(name);
  if (known) return known;
  const binding = importsOf(home)?.get(name);
  if (!binding) return undefined;
  const fromDir = path.dirname(home.filename);
  const builtin = isBuiltinSpecifier(binding.specifier);
  if (!builtin && !loadableFrom(binding.specifier, fromDir)) {
    const compiled = compiledModule(binding, fromDir);
    if (compiled) {
      const imported = { value: home.load(binding.specifier), compiled };
      bound.set(name, imported);
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
  bound.set(name, imported);
  return imported;
}

/** The file of another module compiled in memory that `binding` imports plainly, or undefined. */
function compiledModule(binding: ImportBinding, fromDir: string): string | undefined {
  // tsc's interop wrappers give back a compiled module itself (it sets __esModule).
  if (binding.path.length || !/^\.\.?(?:\/|$)/.test(binding.specifier)) return undefined;
  return compiledInMemoryFile(path.resolve(fromDir, binding.specifier));
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
  let scope = scopeByModule.get(home);
  if (!scope) {
    const text = home.text();
    scope = text === undefined ? new Map<string, ScopeName>() : topLevelNames(text, home.filename);
    scopeByModule.set(home, scope);
  }
  return scope.get(name);
}

/** What `path` names in `home`'s exports now (undefined while the module has not assigned it yet). */
function exportedValue(home: ModuleSource, path: string[]): unknown {
  let value = home.exports();
  for (const key of path) value = (value as Record<string, unknown> | null | undefined)?.[key];
  return value;
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
  const known = importsByModule.get(m);
  if (known) return known;
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
  importsByModule.set(m, imports);
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
