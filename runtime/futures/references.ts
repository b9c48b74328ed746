/**
 * Values that travel by reference, as pickle sends builtins, module functions and classes: the worker looks them up
 * itself instead of receiving their source. Three kinds: the runtime's own exports (`pow`, `print`, ...), JS
 * intrinsics and their members (`Math.max`, `JSON.stringify`), and what a cell or module imported from a package or a
 * `node:` module (the specifier, the folder it was resolved from and the export path).
 */
import { builtinModules } from 'node:module';

/** How a worker finds a value: `[kind, specifier, fromDir, path]`; kind 'intrinsic' and 'runtime' ignore the rest. */
export type Reference =
  | [kind: 'runtime', path: string[]]
  | [kind: 'intrinsic', path: string[]]
  | [kind: 'module', specifier: string, fromDir: string | null, path: string[]];

/** The runtime's exports: registered by runtime/index.ts itself, so nothing here imports the package entry. */
let runtimeExports: Record<string, unknown> = {};
let runtimeByValue: Map<unknown, string> | undefined;

export function registerRuntimeExports(exports: Record<string, unknown>): void {
  runtimeExports = exports;
  runtimeByValue = undefined;
}

/** The runtime's exports as the workers preload them (their names need no shipping). */
export function runtimeNames(): Record<string, unknown> {
  return runtimeExports;
}

/**
 * This realm's global names as the runtime found them when it loaded, before the kernel or a program added its own:
 * the JS intrinsics and Node's globals, which every worker of the same node has (a child process and a worker
 * thread alike). `node -e` and the REPL also make the CommonJS wrapper's names globals, which a pool worker does not have. The
 * kernel's NATIVE_GLOBALS (kernel/cells/global-shadows.ts) is taken the same way from the cells' realm, for another
 * question: which names a cell may bind without replacing the kernel's global.
 */
const PLATFORM_GLOBALS = Object.getOwnPropertyNames(globalThis);
const WRAPPER_NAMES = ['module', 'exports', '__filename', '__dirname'];

/** Names every worker has without shipping: the platform's globals, and what a bundle's function has itself. */
let builtinNames: ReadonlySet<string> | undefined;
export function workerGlobalNames(): ReadonlySet<string> {
  // `require` is the bundle function's parameter (rebuild.ts); `arguments`, any function's own.
  builtinNames ??= new Set([...PLATFORM_GLOBALS.filter((name) => !WRAPPER_NAMES.includes(name)), 'require', 'arguments']);
  return builtinNames;
}

interface ModuleEntry {
  specifier: string;
  fromDir: string | null;
  exports: unknown;
}

/** Modules cells and modules imported, most recent last; members are indexed lazily, on the first lookup. */
const modules: ModuleEntry[] = [];
let moduleIndex: Map<unknown, Reference> | undefined;

/**
 * Called by whatever loads a module for user code (the kernel's cell require): `specifier` as written, `fromDir` the
 * folder it was resolved from (a worker resolves it the same way), `exports` what the import returned.
 */
export function registerModule(specifier: string, fromDir: string | null, exports: unknown): void {
  if (exports === null || (typeof exports !== 'object' && typeof exports !== 'function')) return;
  const known = modules.find((m) => m.exports === exports);
  if (known) return;
  modules.push({ specifier, fromDir, exports });
  moduleIndex = undefined;
}

/**
 * Indexes a module by value: the namespace itself, its functions and classes, and its objects that are not plain
 * data (plain objects and arrays travel by value, as pickle copies a module's dicts); one level into `default`.
 */
function indexMembers(into: Map<unknown, Reference>, ref: (path: string[]) => Reference, exports: unknown, getters: boolean): void {
  const add = (value: unknown, path: string[]): void => {
    if (value === null || into.has(value)) return;
    if (typeof value === 'function' || (typeof value === 'object' && (!path.length || !isPlainData(value)))) into.set(value, ref(path));
  };
  const read = (holder: object, key: string): unknown => {
    const d = Object.getOwnPropertyDescriptor(holder, key);
    if (!d) return undefined;
    if ('value' in d) return d.value;
    if (!getters || !d.get) return undefined;
    try {
      return d.get.call(holder); // the CommonJS re-exports of compiled packages are getters
    } catch {
      return undefined;
    }
  };
  add(exports, []);
  for (const key of Object.getOwnPropertyNames(exports)) {
    if (key === '__esModule') continue;
    const value = read(exports as object, key);
    add(value, [key]);
    if (key === 'default' && value !== null && (typeof value === 'object' || typeof value === 'function')) {
      for (const inner of Object.getOwnPropertyNames(value)) add(read(value, inner), ['default', inner]);
    }
  }
}

function isPlainData(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === null || Array.isArray(value) || Object.getPrototypeOf(proto) === null;
}

let builtinIndex: Map<unknown, Reference> | undefined;
/** Builtin modules already in builtinIndex, and how long node's list of loaded modules was when it was last read. */
const indexedBuiltins = new Set<string>();
let loadListLength = -1;
const UNSHIPPED_BUILTINS = ['sys', 'punycode', 'wasi', 'test', 'sqlite', 'inspector', 'trace_events'];

/** The public builtin modules this process has loaded, or undefined when node does not say (then: all of them). */
function loadedBuiltins(list: readonly string[] | undefined): Set<string> | undefined {
  if (!list) return undefined;
  const prefix = 'NativeModule ';
  return new Set(list.filter((e) => e.startsWith(prefix)).map((e) => e.slice(prefix.length)));
}

/**
 * Node's builtin modules and their top-level members, by identity (`import * as os from 'os'` in a module). Only
 * the modules this process has loaded (node's process.moduleLoadList): a value of a module nobody loaded cannot be
 * at hand, and loading every builtin made the first function shipped (a kernel's first pool) wait ~70 ms of CPU.
 * Modules loaded later join the index at the next lookup.
 */
function builtins(): Map<unknown, Reference> {
  const list = (process as { moduleLoadList?: readonly string[] }).moduleLoadList;
  if (builtinIndex && (list ? list.length === loadListLength : true)) return builtinIndex;
  const index = (builtinIndex ??= new Map());
  loadListLength = list?.length ?? -1;
  const loaded = loadedBuiltins(list);
  for (const name of builtinModules) {
    if (indexedBuiltins.has(name) || name.startsWith('_') || UNSHIPPED_BUILTINS.includes(name)) continue;
    if (loaded && !loaded.has(name)) continue;
    indexedBuiltins.add(name);
    let exports: unknown;
    try {
      exports = require(name);
    } catch {
      continue; // not loadable in this Node: never shipped
    }
    indexMembers(index, (path) => ['module', `node:${name}`, null, path], exports, false);
  }
  return index;
}

/** Intrinsics by realm: a cell's `Math.max` belongs to the kernel's realm, a jest test's to its own context. */
const intrinsicIndexes = new WeakMap<object, Map<unknown, Reference>>();
const INTRINSIC_ROOTS = ['Math', 'JSON', 'Reflect', 'Atomics', 'Intl', 'Object', 'Array', 'Number', 'String', 'Boolean',
  'Symbol', 'BigInt', 'Date', 'RegExp', 'Promise', 'Map', 'Set', 'WeakMap', 'WeakSet', 'ArrayBuffer', 'DataView',
  'Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Function', 'parseInt', 'parseFloat', 'isNaN',
  'isFinite', 'encodeURIComponent', 'decodeURIComponent', 'encodeURI', 'decodeURI', 'escape', 'unescape',
  'structuredClone', 'queueMicrotask', 'setTimeout', 'setImmediate', 'clearTimeout', 'atob', 'btoa', 'Buffer',
  'TextEncoder', 'TextDecoder', 'URL', 'URLSearchParams'];

function intrinsics(realm: Record<string, unknown>): Map<unknown, Reference> {
  let index = intrinsicIndexes.get(realm);
  if (!index) {
    index = new Map();
    for (const name of INTRINSIC_ROOTS) {
      const root = realm[name];
      if (root === null || (typeof root !== 'object' && typeof root !== 'function')) continue;
      index.set(root, ['intrinsic', [name]]);
      // Static members (Math.max, Number.parseInt, Array.from) and prototype methods (Array.prototype.join).
      const holders: [object, string[]][] = [[root, [name]]];
      const proto = (root as { prototype?: unknown }).prototype;
      if (typeof root === 'function' && proto && typeof proto === 'object') holders.push([proto, [name, 'prototype']]);
      for (const [holder, path] of holders) {
        for (const key of Object.getOwnPropertyNames(holder)) {
          const value = Object.getOwnPropertyDescriptor(holder, key)?.value;
          if (typeof value === 'function' && !index.has(value) && key !== 'constructor') index.set(value, ['intrinsic', [...path, key]]);
        }
      }
    }
    intrinsicIndexes.set(realm, index);
  }
  return index;
}

/** The global object of the realm a function or object was created in. */
const realms = new WeakMap<object, Record<string, unknown> | undefined>();
function realmOf(value: object): Record<string, unknown> | undefined {
  let proto: object | null = typeof value === 'function' ? value : Object.getPrototypeOf(value);
  while (proto && Object.getPrototypeOf(proto)) proto = Object.getPrototypeOf(proto);
  if (!proto) return undefined;
  if (realms.has(proto)) return realms.get(proto);
  let realm: Record<string, unknown> | undefined;
  try {
    // The root prototype is the realm's Object.prototype: its Function constructor evaluates in that realm.
    const realmFunction = (proto as { constructor?: { constructor?: FunctionConstructor } }).constructor?.constructor;
    realm = typeof realmFunction === 'function' ? (realmFunction('return globalThis')() as Record<string, unknown>) : undefined;
  } catch {
    realm = undefined;
  }
  realms.set(proto, realm);
  return realm;
}

/** Where a worker finds `value` by itself, or undefined when it must travel by source or by value. */
export function referenceOf(value: unknown): Reference | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  if (!runtimeByValue) {
    // Built aside: in a worker, reading a lazy export loads the runtime, which registers its exports again (and
    // would drop a map being filled).
    const byValue = new Map<unknown, string>();
    for (const [name, v] of Object.entries(runtimeExports)) {
      if (name !== '__esModule' && v !== null && (typeof v === 'object' || typeof v === 'function') && !byValue.has(v)) byValue.set(v, name);
    }
    runtimeByValue = byValue;
  }
  const runtimeName = runtimeByValue.get(value);
  if (runtimeName !== undefined) return ['runtime', [runtimeName]];
  const realm = realmOf(value);
  const intrinsic = (realm && intrinsics(realm).get(value)) ?? intrinsics(globalThis as Record<string, unknown>).get(value);
  if (intrinsic) return intrinsic;
  if (!moduleIndex) {
    moduleIndex = new Map();
    // The most recent import wins when two specifiers lead to the same value.
    for (const m of [...modules].reverse()) {
      indexMembers(moduleIndex, (path) => ['module', m.specifier, m.fromDir, path], m.exports, true);
    }
  }
  return moduleIndex.get(value) ?? builtins().get(value);
}

/** Whether a module specifier names one of Node's builtins. */
export function isBuiltinSpecifier(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier);
}
