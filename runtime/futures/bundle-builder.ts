/**
 * How one function becomes a bundle (shipping.ts keeps the bundles and the ids values' classes travel under): its
 * source after the sources of the functions and classes it uses (transitively), the constants it uses as values,
 * references for what every worker can look up. The classes it uses are bundles of their own, which shipping.ts
 * builds with this builder again: it reaches them through ClassShipping rather than an import (no cycle).
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { asExpression, freeNames } from './free-names';
import { importedName, moduleName, shippedReference, unreadModuleHint, wholeCompiledModule, type ModuleBinding } from './module-imports';
import { homeModule, type ModuleSource } from './module-sources';
import type { FunctionDef } from './pool-protocol';
import { ROOT_NAME } from './rebuild';
import { referenceOf, runtimeNames, workerGlobalNames } from './references';
import { homeOf, resolve, scopeGeneration, type Resolution } from './user-scope';
import { TypeError as PyTypeError } from '../python/errors';
import { describeValue } from './describe-value';

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

export class ShippingError extends PyTypeError {}

export interface Built {
  bundle: ShippedFunction;
  /** Every name the bundle resolved, with the value it saw: the bundle is reused while they all look up the same. */
  bindings: [lookup: () => Resolution, value: unknown][];
  /** The scopes' generation it was built in: a new resolver or scope rebuilds it. */
  generation: number;
}

/** A name's value, and how the bundle binds it when that is not a plain reference or value (module-imports.ts). */
type Binding = ModuleBinding | { found: false };

/** What a bundle needs from shipping.ts for the classes it uses, whose own bundles shipping.ts builds. */
export interface ClassShipping {
  /** The class id of a class a function uses: its standalone bundle's id, undefined while that is being built. */
  classId(cls: Function): string | undefined;
  /** `value` ready for v8.serialize: its class instances encoded, their classes' bundles added to `defs`. */
  withClasses(value: unknown, defs: Map<string, FunctionDef>, context: () => string): unknown;
  /** A function that travels by source: a worker returning it gets this process's own back. */
  shippedBySource(fn: Function): void;
}

/** A function's source as an expression, or undefined when it has none (a native or bound function). */
export function sourceOf(fn: Function): string | undefined {
  const src = Function.prototype.toString.call(fn);
  if (/\{\s*\[native code\]\s*\}\s*$/.test(src)) return undefined;
  return asExpression(src);
}

function displayName(fn: Function): string {
  return fn.name || '<anonymous>';
}

/** "it uses 'a', which uses 'b', which uses" for a dependency reached through the chain of names a, b. */
function uses(chain: string[]): string {
  return ['it uses', ...chain.map((n) => `'${n}', which uses`)].join(' ');
}

/**
 * One function's bundle: its source after the sources of the functions and classes it uses (transitively), the
 * constants it uses as `values`, references for what every worker can look up.
 */
export class BundleBuilder {
  private readonly home: object | undefined;
  /** value -> the name it is bound to in the bundle */
  private readonly bound = new Map<unknown, string>();
  private readonly boundNames = new Set<string>();
  private readonly lines: string[] = [];
  /** `const g = f;` must follow every definition. */
  private readonly aliases: string[] = [];
  private readonly values: Record<string, unknown> = {};
  private readonly bindings: [() => Resolution, unknown][] = [];
  private readonly runtime = runtimeNames();
  private readonly classes = new Map<string, FunctionDef>();
  /** The module a top-level name bound by source or code came from: two modules' same name cannot share a bundle. */
  private readonly namesFrom = new Map<string, ModuleSource>();

  constructor(private readonly root: Function, private readonly classShipping: ClassShipping) {
    this.home = homeOf(root);
  }

  build(): Built {
    // The root is the bundle's return value. It is bound to its own name when that name resolves to it, so a
    // dependency that calls it back (mutual recursion) finds it.
    const { root, home } = this;
    const self = root.name && !root.name.startsWith('bound ') ? resolve(root.name, home) : { found: false as const };
    const rootName = self.found && self.value === root ? root.name : ROOT_NAME;
    this.emitFunction(root, rootName, []);
    return this.finish(rootName);
  }

  private fail(why: string): never {
    throw new ShippingError(`cannot ship function '${displayName(this.root)}' to a worker process: ${why}`);
  }

  private bind(value: unknown, name: string): void {
    this.bound.set(value, name);
    this.boundNames.add(name);
  }

  /** Emits `fn` bound to `name`, after what it uses; `chain` names the path from the root to `fn`. */
  private emitFunction(fn: Function, name: string, chain: string[]): void {
    const ref = shippedReference(fn);
    if (ref) {
      // Runtime exports, intrinsics and imported functions: the worker looks them up, as unpickling does.
      this.bind(fn, name);
      this.lines.push(`const ${name} = __tsf.ref(${JSON.stringify(ref)});`);
      return;
    }
    const source = sourceOf(fn);
    if (source === undefined) {
      const what = fn.name.startsWith('bound ') ? 'a bound function' : 'a native function';
      return this.fail(chain.length ? `${uses(chain.slice(0, -1))} '${name}', ${what} with no source to ship`
        : `it is ${what} with no source to ship; pass a function defined in a cell or module`);
    }
    this.bind(fn, name);
    this.useFreeNames(homeModule(fn), source, chain);
    this.classShipping.shippedBySource(fn);
    // A class used by the function is the worker's one class of that id, so instances sent with it are its own.
    const id = chain.length && isClass(fn) ? this.classShipping.classId(fn) : undefined;
    this.lines.push(id ? `const ${name} = __tsf.cls(${JSON.stringify(id)}, () => ${source});` : `const ${name} = ${source};`);
  }

  /** A top-level function or class of `home` known only by its source text (it is not exported). */
  private emitSource(name: string, source: string, home: ModuleSource, chain: string[]): void {
    this.boundNames.add(name);
    this.useFreeNames(home, source, [...chain, name]);
    this.lines.push(`const ${name} = ${source};`);
  }

  /** Binds the free names of a source from module `home` (undefined: a cell's or an unknown module's). */
  private useFreeNames(home: ModuleSource | undefined, source: string, chain: string[]): void {
    const free = freeNames(source);
    for (const dep of free.names) {
      if (dep === 'exports' && free.exportsMembers.length && (home || !resolve('exports', this.home).found)) {
        // tsc's CommonJS output reads a module's own exported constants as `exports.X`: from the function's module
        // when it is known (even where a global `exports` exists, as under `node -e`), else from the scopes.
        for (const member of free.exportsMembers) {
          this.useName(member, chain, true, () => {
            const exports = this.imported(home, 'exports', chain);
            return exports.found && exports.value && member in (exports.value as object)
              ? { found: true, value: (exports.value as Record<string, unknown>)[member] } : resolve(member, this.home);
          });
        }
        if (!this.boundNames.has('exports')) this.lines.push(`const exports = { ${free.exportsMembers.join(', ')} };`);
        this.boundNames.add('exports');
        continue;
      }
      // What the function's own module imports or declares under that name comes first, as it does in the module.
      this.useName(dep, chain, false, () => this.moduleBinding(home, dep, chain) ?? resolve(dep, this.home), home, free.members.get(dep));
    }
  }

  /** What `name` is in module `home` (an import or a top-level declaration), or undefined when it declares no such name. */
  private moduleBinding(home: ModuleSource | undefined, name: string, chain: string[]): Binding | undefined {
    try {
      // A scope the module registered itself holds what its code cannot give (registerShippingScope(module.exports)).
      return moduleName(home, name, () => (this.home && name in this.home ? { found: true, value: (this.home as Record<string, unknown>)[name] } : undefined));
    } catch (e) {
      return this.fail(`${uses(chain)} ${(e as Error).message}`);
    }
  }

  /** The binding an import of module `home` gives `name` (module-imports.ts). */
  private imported(home: ModuleSource | undefined, name: string, chain: string[]): Binding {
    try {
      const found = importedName(home, name);
      return found ? { found: true, ...found } : { found: false };
    } catch (e) {
      return this.fail(`${uses(chain)} ${(e as Error).message}`);
    }
  }

  /**
   * Binds a name the code uses: skipped when every worker has it, else an alias, a function, a reference, a value or
   * the code an import binds it to.
   */
  private useName(name: string, chain: string[], required: boolean, lookup: () => Binding, from?: ModuleSource,
    members?: string[] | null): void {
    if (this.boundNames.has(name)) {
      const other = this.namesFrom.get(name);
      if (from && other && other !== from) {
        this.fail(`${uses(chain)} '${name}' of ${path.basename(from.filename)}, and another function it ships uses '${name}' ` +
          `of ${path.basename(other.filename)}: one bundle cannot hold both; rename one of them`);
      }
      return;
    }
    const r = lookup();
    const value = r.found ? r.value : undefined;
    if (from && r.found && (r.source || r.code)) this.namesFrom.set(name, from);
    if (r.found && r.compiled) return this.emitCompiledModule(name, r.value, r.compiled, members, chain, from);
    if (r.found && r.source && r.home) {
      if (!r.fixed) this.bindings.push([lookup, value]);
      return this.emitSource(name, r.source, r.home, chain);
    }
    if (r.found && r.code) {
      if (!r.fixed) this.bindings.push([lookup, value]);
      this.lines.push(`const ${name} = ${r.code};`);
      this.boundNames.add(name);
      return;
    }
    if (!required && this.isPreloaded(name, r)) return;
    if (!r.found) {
      return this.fail(`${uses(chain)} '${name}', a local variable of an enclosing function${from ? '' : unreadModuleHint()}`);
    }
    this.bindings.push([lookup, value]);
    const known = this.bound.get(value);
    if (known !== undefined) {
      this.aliases.push(`const ${name} = ${known};`);
      this.boundNames.add(name);
      return;
    }
    if (typeof value === 'function') return this.emitFunction(value, name, [...chain, name]);
    this.emitValue(name, value, chain);
    if (value !== null && typeof value === 'object') this.bound.set(value, name);
    this.boundNames.add(name);
  }

  /**
   * `name` is the exports of another TypeScript module the kernel compiled (`hasher_1` in `(0, hasher_1.digest)(s)`):
   * no worker can require it, so the members the code reads travel as values and functions do, and `name` becomes an
   * object of them.
   */
  private emitCompiledModule(name: string, exports: unknown, file: string, members: string[] | null | undefined,
    chain: string[], from: ModuleSource | undefined): void {
    if (!members || exports === null || typeof exports !== 'object') {
      return this.fail(`${uses(chain)} '${name}', ${wholeCompiledModule(file, from)}`);
    }
    this.boundNames.add(name);
    const fields: string[] = [];
    for (const member of members) {
      const local = `${name}__${member}`;
      this.useName(local, [...chain, name], true, () => ({ found: true, value: (exports as Record<string, unknown>)[member] }));
      fields.push(`${JSON.stringify(member)}: ${local}`);
    }
    this.aliases.push(`const ${name} = { ${fields.join(', ')} };`);
  }

  /** Whether a worker has the name without shipping, as the parent sees it. */
  private isPreloaded(name: string, r: Resolution): boolean {
    const value = r.found ? r.value : undefined;
    // Intrinsics and Node globals exist in every worker (hosts such as jest wrap some of them: never ship those),
    // unless the name was rebound by an import (`import * as crypto from 'node:crypto'`) or by the user's code.
    if (workerGlobalNames().has(name) && (!r.found || (!r.rebound && referenceOf(value)?.[0] !== 'module'))) return true;
    // The runtime's names are preloaded in workers, unless rebound to something else.
    return name in this.runtime && (!r.found || value === this.runtime[name]);
  }

  /** A value that is not a function: a reference the worker looks up, or a constant that travels by clone. */
  private emitValue(name: string, value: unknown, chain: string[]): void {
    const ref = shippedReference(value);
    if (ref) {
      this.lines.push(`const ${name} = __tsf.ref(${JSON.stringify(ref)});`);
      return;
    }
    // Cloneable as it is first (a native handle is not), then with its class instances encoded.
    try {
      v8.serialize(value);
    } catch {
      return this.fail(`${uses(chain)} '${name}' (${describeValue(value)}), which cannot be cloned`);
    }
    this.classShipping.withClasses(value, this.classes, () => `cannot ship function '${displayName(this.root)}' to a worker process: ${uses(chain)} '${name}'`);
    this.values[name] = value;
  }

  /** The code (constants unpacked, definitions, aliases, the root returned), its values and its id. */
  private finish(rootName: string): Built {
    const valueNames = Object.keys(this.values);
    const header = valueNames.length ? `const { ${valueNames.join(', ')} } = values;` : '';
    const code = `"use strict";\n${header}\n${this.lines.join('\n')}\n${this.aliases.join('\n')}\nreturn ${rootName};`;
    const valueBytes = valueNames.length ? v8.serialize(this.classShipping.withClasses(this.values, this.classes, () =>
      `cannot ship function '${displayName(this.root)}' to a worker process`)) : null;
    const hash = crypto.createHash('sha1').update(code);
    if (valueBytes) hash.update(valueBytes);
    return { bundle: { id: hash.digest('base64url'), code, values: valueBytes }, bindings: this.bindings, generation: scopeGeneration() };
  }
}

function isClass(fn: Function): boolean {
  return Function.prototype.toString.call(fn).startsWith('class');
}
