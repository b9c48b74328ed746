/**
 * Function shipping: turns a function defined in a notebook cell or a module into a self-contained bundle that a
 * worker (child process or worker thread) can compile, the way pickle lets CPython send a callable to a
 * ProcessPoolExecutor. A function travels by source, together with the top-level functions, classes and constants
 * it uses (transitively); constants travel by structured clone. Whatever cannot travel is reported at submit
 * time with an error naming the culprit, never as a hang or a confusing failure inside the worker.
 */
import * as crypto from 'node:crypto';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { asExpression, freeNames } from './free-names';

export type Resolution = { found: true; value: unknown } | { found: false };
export type GlobalResolver = (name: string) => Resolution;

/** What a worker needs to rebuild a function: `code` is the body of `function (values, require) { ... }`. */
export interface ShippedFunction {
  /** Hash of code and values: workers compile each distinct bundle once. */
  readonly id: string;
  readonly code: string;
  /** v8-serialized record of the shipped constants, or null when there are none. */
  readonly values: Uint8Array | null;
}

const defaultResolver: GlobalResolver = (name) =>
  name in globalThis ? { found: true, value: (globalThis as Record<string, unknown>)[name] } : { found: false };
let globalResolver: GlobalResolver = defaultResolver;

/** The kernel installs a resolver over the notebook's top-level declarations; default: globalThis. */
export function setGlobalResolver(resolve: GlobalResolver | null): void {
  globalResolver = resolve ?? defaultResolver;
  shipped = new WeakMap();
}

/**
 * Module-level names are invisible to reflection, so a module whose functions are submitted registers the
 * scope that holds its top-level names (usually its own `module.exports`). Consulted after the global resolver.
 */
const scopes: object[] = [];
export function registerShippingScope(scope: object): void {
  if (!scopes.includes(scope)) scopes.push(scope);
  shipped = new WeakMap();
}

function resolve(name: string): Resolution {
  const r = globalResolver(name);
  if (r.found) return r;
  for (const scope of scopes) if (name in scope) return { found: true, value: (scope as Record<string, unknown>)[name] };
  return { found: false };
}

/** A name as shipped code would see it: the resolvers, then the runtime's preloaded exports. */
export function lookupName(name: string): Resolution {
  const r = resolve(name);
  if (r.found) return r;
  const runtime = preloaded();
  return name in runtime ? { found: true, value: runtime[name] } : { found: false };
}

/** Names every worker has without shipping: the JS intrinsics and Node's globals. */
let builtinNames: Set<string> | undefined;
function builtins(): Set<string> {
  if (!builtinNames) {
    const intrinsics = vm.runInNewContext('Object.getOwnPropertyNames(globalThis)') as string[];
    const nodeGlobals = ['process', 'Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval',
      'setImmediate', 'clearImmediate', 'queueMicrotask', 'structuredClone', 'URL', 'URLSearchParams', 'TextEncoder',
      'TextDecoder', 'AbortController', 'AbortSignal', 'EventTarget', 'Event', 'performance', 'fetch', 'crypto',
      'atob', 'btoa', 'Blob', 'BroadcastChannel', 'MessageChannel', 'MessagePort', 'require', 'arguments'];
    builtinNames = new Set([...intrinsics, ...nodeGlobals]);
  }
  return builtinNames;
}

/** The runtime package's exports (print, range, sum, ThreadPoolExecutor, ...): workers preload them as globals. */
let runtimeExports: Record<string, unknown> | undefined;
function preloaded(): Record<string, unknown> {
  if (!runtimeExports) {
    try {
      runtimeExports = require('../index') as Record<string, unknown>;
    } catch {
      runtimeExports = {}; // no package entry (a partial build): nothing is preloaded
    }
  }
  return runtimeExports;
}

/** Builtin modules (`import * as os from 'os'` at the top of a notebook) travel as a require in the worker. */
let moduleNames: Map<unknown, string> | undefined;
function builtinModuleName(value: unknown): string | undefined {
  if (!moduleNames) {
    moduleNames = new Map();
    const { builtinModules } = require('node:module') as { builtinModules: string[] };
    for (const name of builtinModules) {
      if (name.startsWith('_') || name.includes('/') || ['sys', 'punycode', 'wasi', 'test', 'sqlite'].includes(name)) continue;
      try {
        moduleNames.set(require(name), name);
      } catch { /* not loadable in this Node: never shipped */ }
    }
  }
  return moduleNames.get(value);
}

export class ShippingError extends TypeError {
  override name = 'TypeError';
}

interface Built {
  bundle: ShippedFunction;
  /** Every name the bundle resolved, with the value it saw: the bundle is reused while they are all unchanged. */
  bindings: [string, unknown][];
}

let shipped = new WeakMap<Function, Built>();

/** Describes a value for error messages: "a Socket", "a function". */
function kind(value: unknown): string {
  if (typeof value !== 'object' || value === null) return `a ${value === null ? 'null' : typeof value}`;
  const ctor = (value as object | null)?.constructor?.name;
  return ctor ? `a ${ctor}` : `a ${typeof value}`;
}

function sourceOf(fn: Function): string | undefined {
  const src = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) return undefined;
  return asExpression(src);
}

function displayName(fn: Function): string {
  return fn.name || '<anonymous>';
}

/**
 * The bundle for `fn`, built once per function and rebuilt only when a top-level name it uses is rebound
 * (a notebook cell redefining a helper). Throws ShippingError naming the culprit.
 */
export function shipFunction(fn: Function): ShippedFunction {
  const cached = shipped.get(fn);
  if (cached && cached.bindings.every(([name, value]) => {
    const r = resolve(name);
    return r.found && r.value === value;
  })) return cached.bundle;
  const built = build(fn);
  shipped.set(fn, built);
  return built.bundle;
}

function build(root: Function): Built {
  const fail = (why: string): never => {
    throw new ShippingError(`cannot ship function '${displayName(root)}' to a worker process: ${why}`);
  };
  /** "it uses 'a', which uses 'b', which uses" for a dependency reached through the chain of names a, b. */
  const uses = (chain: string[]): string => ['it uses', ...chain.map((n) => `'${n}', which uses`)].join(' ');

  const bound = new Map<unknown, string>(); // value -> the name it is bound to in the bundle
  const boundNames = new Set<string>();
  const lines: string[] = [];
  const aliases: string[] = []; // `const g = f;` must follow every definition
  const values: Record<string, unknown> = {};
  const bindings: [string, unknown][] = [];
  const runtime = preloaded();

  /** Emits `fn` bound to `name`, after what it uses; `chain` names the path from the root to `fn`. */
  const emitFunction = (fn: Function, name: string, chain: string[]): void => {
    const source = sourceOf(fn);
    if (source === undefined) {
      const what = fn.name.startsWith('bound ') ? 'a bound function' : 'a native function';
      return fail(chain.length ? `${uses(chain.slice(0, -1))} '${name}', ${what} with no source to ship`
        : `it is ${what} with no source to ship; pass a function defined in a cell or module`);
    }
    bound.set(fn, name);
    boundNames.add(name);
    const free = freeNames(source);
    for (const dep of free.names) {
      if (dep === 'exports' && free.exportsMembers.length && !resolve('exports').found) {
        // tsc's CommonJS output reads a module's own exported constants as `exports.X`.
        for (const member of free.exportsMembers) useName(member, chain, true);
        if (!boundNames.has('exports')) lines.push(`const exports = { ${free.exportsMembers.join(', ')} };`);
        boundNames.add('exports');
        continue;
      }
      useName(dep, chain, false);
    }
    lines.push(`const ${name} = ${source};`);
  };

  const useName = (name: string, chain: string[], required: boolean): void => {
    if (boundNames.has(name)) return;
    const r = resolve(name);
    const value = r.found ? r.value : undefined;
    if (!required) {
      // Intrinsics and Node globals exist in every worker (hosts such as jest wrap some of them: never ship those).
      if (builtins().has(name)) return;
      // The runtime's names are preloaded in workers, unless rebound to something else.
      if (name in runtime && (!r.found || value === runtime[name])) return;
    }
    if (!r.found) return fail(`${uses(chain)} '${name}', a local variable of an enclosing function`);
    bindings.push([name, value]);
    const known = bound.get(value);
    if (known !== undefined) {
      aliases.push(`const ${name} = ${known};`);
      boundNames.add(name);
      return;
    }
    if (typeof value === 'function') return emitFunction(value, name, [...chain, name]);
    const moduleName = value !== null && typeof value === 'object' ? builtinModuleName(value) : undefined;
    if (moduleName) {
      lines.push(`const ${name} = require(${JSON.stringify(moduleName)});`);
    } else {
      try {
        v8.serialize(value);
      } catch {
        return fail(`${uses(chain)} '${name}' (${kind(value)}), which cannot be cloned`);
      }
      values[name] = value;
    }
    if (value !== null && typeof value === 'object') bound.set(value, name);
    boundNames.add(name);
  };

  // The root is the bundle's return value. It is bound to its own name when that name resolves to it, so a
  // dependency that calls it back (mutual recursion) finds it.
  const self = root.name && !root.name.startsWith('bound ') ? resolve(root.name) : { found: false as const };
  const rootName = self.found && self.value === root ? root.name : '__tsf_root';
  emitFunction(root, rootName, []);

  const valueNames = Object.keys(values);
  const header = valueNames.length ? `const { ${valueNames.join(', ')} } = values;` : '';
  const code = `"use strict";\n${header}\n${lines.join('\n')}\n${aliases.join('\n')}\nreturn ${rootName};`;
  const valueBytes = valueNames.length ? v8.serialize(values) : null;
  const hash = crypto.createHash('sha1').update(code);
  if (valueBytes) hash.update(valueBytes);
  return { bundle: { id: hash.digest('base64url'), code, values: valueBytes }, bindings };
}

/** Arguments travel by structured clone; checking (and serializing) here makes a bad argument fail at submit. */
export function serializeArgs(fnName: string, args: unknown[]): Uint8Array {
  try {
    return v8.serialize(args);
  } catch {
    const i = args.findIndex((a) => {
      try {
        v8.serialize(a);
        return false;
      } catch {
        return true;
      }
    });
    throw new ShippingError(`cannot send argument ${i + 1} of '${fnName || '<anonymous>'}' to a worker process: ` +
      `${kind(args[i])} cannot be cloned`);
  }
}
