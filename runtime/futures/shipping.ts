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
import { liftBig } from './big-payloads';
import { asExpression, freeNames, privateNames } from './free-names';
import { encodeInstances, findInstance, holdsFunction } from './instances';
import type { FunctionDef } from './pool-protocol';
import { REF_ID, Receiver, type Envelope } from './rebuild';
import { referenceOf, runtimeNames } from './references';
import { findShared, findTransfers, serializeSharing, type Payload } from './shared-memory';
import { TypeError as PyTypeError } from '../python/errors';

export type Resolution = { found: true; value: unknown } | { found: false };
export type GlobalResolver = (name: string) => Resolution;

/**
 * What a worker needs to rebuild a function: `code` is the body of `function (values, require, __tsf) { ... }`
 * (rebuild.ts's Receiver compiles it; `__tsf` resolves references and keeps one class per class id).
 */
export interface ShippedFunction {
  /** Hash of code and values: workers compile each distinct bundle once. */
  readonly id: string;
  readonly code: string;
  /** v8-serialized record of the shipped constants, or null when there are none. */
  readonly values: Uint8Array | null;
}

/** Plain Node: globalThis. The kernel's cell engine installs a resolver over the realm its cells run in. */
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
 * scope that holds its top-level names (usually its own `module.exports`). For a function of that module, its
 * scope comes first (a module's own `factor` beats a global `factor`, as in the module itself); for any other
 * function, the scopes are consulted after the global resolver.
 */
const scopes: object[] = [];
export function registerShippingScope(scope: object): void {
  if (!scopes.includes(scope)) scopes.push(scope);
  shipped = new WeakMap();
}

/** The registered scope that holds `fn`: its module, whose names it sees before any global. */
function homeOf(fn: Function): object | undefined {
  return scopes.find((scope) => Object.values(scope).includes(fn));
}

function resolve(name: string, home?: object): Resolution {
  if (home && name in home) return { found: true, value: (home as Record<string, unknown>)[name] };
  const r = globalResolver(name);
  if (r.found) return r;
  for (const scope of scopes) if (name in scope) return { found: true, value: (scope as Record<string, unknown>)[name] };
  return { found: false };
}

/** A name as shipped code would see it: the resolvers, then the runtime's preloaded exports. */
export function lookupName(name: string): Resolution {
  const r = resolve(name);
  if (r.found) return r;
  const runtime = runtimeNames();
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

export class ShippingError extends PyTypeError {}

interface Built {
  bundle: ShippedFunction;
  /** Every name the bundle resolved, with the value it saw: the bundle is reused while they are all unchanged. */
  bindings: [string, unknown][];
  /** The function's module scope, if registered (homeOf). */
  home: object | undefined;
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
    const r = resolve(name, cached.home);
    return r.found && r.value === value;
  })) return cached.bundle;
  building.add(fn);
  let built: Built;
  try {
    built = build(fn);
  } finally {
    building.delete(fn);
  }
  shipped.set(fn, built);
  return built.bundle;
}

function build(root: Function): Built {
  const fail = (why: string): never => {
    throw new ShippingError(`cannot ship function '${displayName(root)}' to a worker process: ${why}`);
  };
  /** "it uses 'a', which uses 'b', which uses" for a dependency reached through the chain of names a, b. */
  const uses = (chain: string[]): string => ['it uses', ...chain.map((n) => `'${n}', which uses`)].join(' ');

  const home = homeOf(root);
  const bound = new Map<unknown, string>(); // value -> the name it is bound to in the bundle
  const boundNames = new Set<string>();
  const lines: string[] = [];
  const aliases: string[] = []; // `const g = f;` must follow every definition
  const values: Record<string, unknown> = {};
  const bindings: [string, unknown][] = [];
  const runtime = runtimeNames();
  const classes = new Map<string, FunctionDef>();

  /** Emits `fn` bound to `name`, after what it uses; `chain` names the path from the root to `fn`. */
  const emitFunction = (fn: Function, name: string, chain: string[]): void => {
    const ref = referenceOf(fn);
    if (ref) {
      // Runtime exports, intrinsics and imported functions: the worker looks them up, as unpickling does.
      bound.set(fn, name);
      boundNames.add(name);
      lines.push(`const ${name} = __tsf.ref(${JSON.stringify(ref)});`);
      return;
    }
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
      if (dep === 'exports' && free.exportsMembers.length && !resolve('exports', home).found) {
        // tsc's CommonJS output reads a module's own exported constants as `exports.X`.
        for (const member of free.exportsMembers) useName(member, chain, true);
        if (!boundNames.has('exports')) lines.push(`const exports = { ${free.exportsMembers.join(', ')} };`);
        boundNames.add('exports');
        continue;
      }
      useName(dep, chain, false);
    }
    // A class used by the function is the worker's one class of that id, so instances sent with it are its own.
    const id = chain.length && isClass(fn) ? shippedClassId(fn) : undefined;
    lines.push(id ? `const ${name} = __tsf.cls(${JSON.stringify(id)}, () => ${source});` : `const ${name} = ${source};`);
  };

  const useName = (name: string, chain: string[], required: boolean): void => {
    if (boundNames.has(name)) return;
    const r = resolve(name, home);
    const value = r.found ? r.value : undefined;
    if (!required) {
      // Intrinsics and Node globals exist in every worker (hosts such as jest wrap some of them: never ship those),
      // unless the name was rebound by an import (`import * as crypto from 'node:crypto'`).
      if (builtins().has(name) && (!r.found || referenceOf(value)?.[0] !== 'module')) return;
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
    const ref = referenceOf(value);
    if (ref) {
      lines.push(`const ${name} = __tsf.ref(${JSON.stringify(ref)});`);
    } else {
      // Cloneable as it is first (a native handle is not), then with its class instances encoded.
      try {
        v8.serialize(value);
      } catch {
        return fail(`${uses(chain)} '${name}' (${kind(value)}), which cannot be cloned`);
      }
      withClasses(value, classes, () => `cannot ship function '${displayName(root)}' to a worker process: ${uses(chain)} '${name}'`);
      values[name] = value;
    }
    if (value !== null && typeof value === 'object') bound.set(value, name);
    boundNames.add(name);
  };

  // The root is the bundle's return value. It is bound to its own name when that name resolves to it, so a
  // dependency that calls it back (mutual recursion) finds it.
  const self = root.name && !root.name.startsWith('bound ') ? resolve(root.name, home) : { found: false as const };
  const rootName = self.found && self.value === root ? root.name : '__tsf_root';
  emitFunction(root, rootName, []);

  const valueNames = Object.keys(values);
  const header = valueNames.length ? `const { ${valueNames.join(', ')} } = values;` : '';
  const code = `"use strict";\n${header}\n${lines.join('\n')}\n${aliases.join('\n')}\nreturn ${rootName};`;
  const valueBytes = valueNames.length ? v8.serialize(withClasses(values, classes, () =>
    `cannot ship function '${displayName(root)}' to a worker process`)) : null;
  const hash = crypto.createHash('sha1').update(code);
  if (valueBytes) hash.update(valueBytes);
  return { bundle: { id: hash.digest('base64url'), code, values: valueBytes }, bindings, home };
}

/**
 * A value ready for v8.serialize: itself, or an Envelope with its class instances encoded and the bundles of their
 * classes. `context` starts the error message when an instance cannot travel.
 */
function withClasses(value: unknown, defs: Map<string, FunctionDef>, context: () => string): unknown {
  if (!findInstance(value)) return value;
  const encoded = encodeInstances(value, (x) => instanceClassId(x, defs, context), (fn) => functionValueId(fn, defs, context));
  return { classes: [...defs.values()], value: encoded } satisfies Envelope;
}

/** The receiving side in this process: the classes it shipped, by id, to rebuild results and errors. */
export const parentReceiver = new Receiver();

/** Bundles being built: a class reached again while its own bundle is built is inlined rather than recursed into. */
const building = new Set<Function>();

/** The class id of a class a function uses: its standalone bundle's id, undefined while that is being built. */
function shippedClassId(cls: Function): string | undefined {
  if (building.has(cls)) return undefined;
  const bundle = shipFunction(cls);
  parentReceiver.classes.replace(bundle.id, cls);
  return bundle.id;
}

function isClass(fn: Function): boolean {
  return Function.prototype.toString.call(fn).startsWith('class');
}

/** Classes whose source (parsed once) declares no private names: instances of them are not re-checked. */
const withoutPrivateNames = new WeakSet<Function>();

/**
 * The id a function passed as a value travels under, as the submitted function itself does: a reference (a runtime
 * export, an intrinsic, an imported function) or its bundle, which joins `defs`. Fails naming the function.
 */
function functionValueId(fn: Function, defs: Map<string, FunctionDef>, context: () => string): string {
  const ref = referenceOf(fn);
  if (ref) {
    const id = REF_ID + JSON.stringify(ref);
    parentReceiver.classes.replace(id, fn);
    return id;
  }
  let bundle: ShippedFunction;
  try {
    bundle = shipFunction(fn);
  } catch (e) {
    throw new ShippingError(`${context()}: ${(e as Error).message}`);
  }
  parentReceiver.classes.replace(bundle.id, fn);
  defs.set(bundle.id, [bundle.id, bundle.code, bundle.values]);
  return bundle.id;
}

/** The id an instance's class travels under (its bundle joins `defs`); fails naming what cannot travel. */
function instanceClassId(instance: object, defs: Map<string, FunctionDef>, context: () => string): string | undefined {
  const cls = (instance as { constructor?: unknown }).constructor;
  if (typeof cls !== 'function' || cls.prototype !== Object.getPrototypeOf(instance)) return undefined; // sent as a plain object
  const ref = referenceOf(cls);
  if (ref) {
    const id = REF_ID + JSON.stringify(ref);
    parentReceiver.classes.replace(id, cls);
    return id;
  }
  for (let c: unknown = cls; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    if (withoutPrivateNames.has(c as Function)) continue;
    const source = sourceOf(c as Function);
    const hidden = source ? privateNames(source) : [];
    if (!hidden.length) withoutPrivateNames.add(c as Function);
    if (hidden.length) {
      throw new ShippingError(`${context()}: an instance of '${cls.name}' has the private field '#${hidden[0]}' ` +
        `(declared by class '${(c as Function).name}'), which cannot travel`);
    }
  }
  let bundle: ShippedFunction;
  try {
    bundle = shipFunction(cls);
  } catch (e) {
    throw new ShippingError(`${context()}: its class '${cls.name}' cannot be shipped (${(e as Error).message})`);
  }
  parentReceiver.classes.replace(bundle.id, cls);
  defs.set(bundle.id, [bundle.id, bundle.code, bundle.values]);
  return bundle.id;
}

/**
 * Arguments travel by structured clone, class instances with their classes; checking (and serializing) here makes a
 * bad argument fail at submit, naming it. `shareMemory` (worker threads): SharedArrayBuffers stay shared; without it
 * (processes) they are refused. `liftBig` (a process pool): large buffers travel in a file whose descriptor the
 * caller releases (releaseLifted) once the task is done. Returns what the receiving side's `Receiver.decodeArgs` takes.
 */
export function encodeArgs(fnName: string, args: unknown[], options: { shareMemory: boolean; liftBig?: boolean }): Payload {
  const what = (i: number) => `cannot send argument ${i + 1} of '${fnName || '<anonymous>'}' to a worker process`;
  const sharedAt = args.findIndex((a) => findShared(a) !== undefined);
  if (sharedAt >= 0 && !options.shareMemory) {
    throw new ShippingError(`${what(sharedAt)}: a SharedArrayBuffer cannot be shared with another process; ` +
      'use InterpreterPoolExecutor (worker threads share memory), or pass a copy');
  }
  const outOfBand = options.shareMemory && (sharedAt >= 0 || findTransfers(args).length > 0);
  const check = outOfBand ? serializeSharing : (value: unknown) => v8.serialize(value);
  // To a process pool's worker, large buffers go beside the message (big-payloads.ts), copied into a file at submit.
  const serialize = options.liftBig ? (value: unknown) => liftBig(value) ?? check(value) : check;
  const uncloneable = (i: number): never => {
    throw new ShippingError(`${what(i)}: ${kind(args[i])} cannot be cloned`);
  };
  // A function among the arguments travels encoded, as the submitted one does: checked (and named when it cannot
  // ship) in its encoded form.
  const firstUncloneable = (): number => args.findIndex((a, i) => {
    try {
      check(a);
      return false;
    } catch {
      if (!holdsFunction(a)) return true;
    }
    try {
      check(withClasses(a, new Map(), () => what(i)));
      return false;
    } catch (e) {
      if (e instanceof ShippingError) throw e;
      return true;
    }
  });
  if (!findInstance(args)) {
    try {
      return serialize(args);
    } catch {
      return uncloneable(firstUncloneable());
    }
  }
  // Cloneable as they are first (a native handle is not), then with their class instances encoded.
  const bad = firstUncloneable();
  if (bad >= 0) uncloneable(bad);
  const classes = new Map<string, FunctionDef>();
  args.forEach((a, i) => withClasses(a, classes, () => what(i))); // names the argument whose instance cannot travel
  return serialize(withClasses(args, classes, () => what(0)));
}

/** encodeArgs for a process (no shared memory): the v8 bytes the worker's `Receiver.decodeArgs` takes. */
export function serializeArgs(fnName: string, args: unknown[]): Uint8Array {
  return encodeArgs(fnName, args, { shareMemory: false }) as Uint8Array;
}
