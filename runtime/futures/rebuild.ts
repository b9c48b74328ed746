/**
 * The receiving side of shipping, used by workers (and by the parent for results and errors): compiles shipped
 * bundles, resolves references, keeps one class per class id so that instances, `instanceof` and inline class
 * definitions agree, and decodes arguments, results and errors. Runs compiled JS only; never loads TypeScript.
 */
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { createRequire } from 'node:module';
import { decodeInstances, encodeInstances, findInstance } from './instances';
import { isBuiltinSpecifier, referenceOf, registerModule, runtimeNames, type Reference } from './references';
import type { ErrorInfo, FunctionDef } from './pool-protocol';
import { deserializePayload, type Payload } from './shared-memory';

/**
 * The runtime's Python errors (with repr and float formatting, ~4 ms of CPU to load), needed here and in pool-worker.ts
 * only to raise one: a pool worker's boot, which every first result waits for, leaves them unloaded.
 */
export function pythonErrors(): typeof import('../python/errors') {
  return require('../python/errors') as typeof import('../python/errors');
}

/** Classes by id and ids by class, on either side of the boundary. */
export class ClassTable {
  private readonly byId = new Map<string, Function>();
  private readonly ids = new WeakMap<Function, string>();

  set(id: string, cls: Function): Function {
    const known = this.byId.get(id);
    if (known) return known;
    this.byId.set(id, cls);
    if (!this.ids.has(cls)) this.ids.set(cls, id);
    return cls;
  }

  /** The sender's side: the latest class of an id wins (a cell re-run with the same source). */
  replace(id: string, cls: Function): void {
    this.byId.set(id, cls);
    this.ids.set(cls, id);
  }

  get(id: string): Function | undefined {
    return this.byId.get(id);
  }

  idOf(cls: Function): string | undefined {
    return this.ids.get(cls);
  }
}

/** What travels when a value holds class instances: the classes' bundles, then the encoded value. */
export interface Envelope {
  classes: FunctionDef[];
  value: unknown;
}

export function isEnvelope(x: unknown): x is Envelope {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && Array.isArray((x as Envelope).classes) && 'value' in x;
}

/** The prefix of class ids that are references (a package's class) rather than shipped bundles. */
export const REF_ID = 'ref:';
/**
 * The prefix of a function a worker sends back that is neither a reference nor one it was sent by id: `[source,
 * qualified name]`. The parent gives back its own function of that source, when it shipped one.
 */
export const SOURCE_ID = 'src:';
/** The name a bundle binds its function to when that function has no name of its own to be found by. */
export const ROOT_NAME = '__tsf_root';

const requires = new Map<string, NodeJS.Require>();
export const WORKER_DIR_ENV = 'TSFUTURES_WORKER_DIR';

/**
 * Loads `specifier` as the kernel did: from the folder the kernel resolved it from, then from this package. A
 * `tsfutures worker` (maybe on another machine) sets WORKER_DIR_ENV: its own working folder replaces the kernel's.
 */
function load(specifier: string, fromDir: string | null): unknown {
  const dir = process.env[WORKER_DIR_ENV] || (fromDir ?? process.cwd());
  let req = requires.get(dir);
  if (!req) requires.set(dir, (req = createRequire(path.join(dir, '__tsfutures_worker__.js'))));
  try {
    return req(specifier);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    try {
      return require(specifier);
    } catch {
      throw new (pythonErrors().ModuleNotFoundError)(`No module named '${specifier}'`);
    }
  }
}

/** The value a Reference names, in this process; `realm` holds the intrinsics (default: this module's globalThis). */
export function resolveReference(ref: Reference, realm: object = globalThis): unknown {
  let value: unknown;
  let where: string;
  let members: string[];
  if (ref[0] === 'module') {
    value = load(ref[1], ref[2]);
    // What a worker loaded, its results can name by reference too (a package's function returned).
    if (!isBuiltinSpecifier(ref[1])) registerModule(ref[1], ref[2], value);
    where = `module '${ref[1]}'`;
    members = ref[3];
  } else {
    value = ref[0] === 'runtime' ? runtimeNames() : realm;
    where = ref[0] === 'runtime' ? "module 'tsfutures'" : 'the global object';
    members = ref[1];
  }
  for (const key of members) {
    if (value === null || value === undefined || !(key in Object(value))) {
      throw new (pythonErrors().AttributeError)(`${where} has no attribute '${members.join('.')}'`);
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * Compiles shipped bundles and rebuilds values for one side of the boundary. A bundle's code is the body of
 * `function (values, require, __tsf)`: `__tsf.ref(reference)` and `__tsf.cls(id, factory)` are below.
 */
export class Receiver {
  readonly classes = new ClassTable();
  /** The parent's side: its own function of a source it shipped (shipping.ts sets it). */
  shippedBySource?: (source: string) => Function | undefined;
  /** The global object whose intrinsics references name: the parent's cells may run in another realm than this module. */
  realm: () => object = () => globalThis;
  private readonly compiled = new Map<string, Function>();
  private readonly helper = {
    ref: (ref: Reference) => resolveReference(ref, this.realm()),
    cls: (id: string, factory: () => Function) => this.classes.get(id) ?? this.classes.set(id, factory()),
  };

  /** The function (or class) a bundle returns, compiled once per bundle id. */
  rebuildFunction([id, code, values]: FunctionDef): Function {
    const known = this.compiled.get(id);
    if (known) return known;
    const factory = vm.compileFunction(code, ['values', 'require', '__tsf'], { filename: `shipped-${id.slice(0, 8)}.js` });
    const fn = factory(values ? this.decode(v8.deserialize(values)) : {}, require, this.helper) as Function;
    this.compiled.set(id, fn);
    return fn;
  }

  /** A class by id: from its shipped bundle, or by reference for a package's class. */
  classById = (id: string, defs?: Map<string, FunctionDef>): Function => {
    const known = this.classes.get(id);
    if (known) return known;
    if (id.startsWith(REF_ID)) return this.classes.set(id, resolveReference(JSON.parse(id.slice(REF_ID.length)), this.realm()) as Function);
    if (id.startsWith(SOURCE_ID)) {
      // As unpickling a function looks it up by its qualified name: a function made in the worker has none here.
      const [source, qualname] = JSON.parse(id.slice(SOURCE_ID.length)) as [string, string];
      const fn = this.shippedBySource?.(source);
      if (!fn) throw new (pythonErrors().AttributeError)(`Can't get local object '${qualname}'`);
      return fn;
    }
    const def = defs?.get(id);
    if (!def) throw new Error(`pool-worker: unknown class ${id}`);
    return this.classes.set(id, this.rebuildFunction(def));
  };

  /** A value as sent: plain, or an Envelope whose classes are defined before its instances are rebuilt. */
  decode(x: unknown): unknown {
    if (!isEnvelope(x)) return x;
    const defs = new Map(x.classes.map((d) => [d[0], d]));
    return decodeInstances(x.value, (id) => this.classById(id, defs));
  }

  /** Arguments as encodeArgs / serializeArgs made them. */
  decodeArgs(payload: Payload): unknown[] {
    return this.decode(deserializePayload(payload)) as unknown[];
  }

  /**
   * A value to send back: instances of known classes are encoded (the other side knows their ids); instances of
   * classes made here (never shipped) arrive as plain objects, as structured clone would send them. Functions travel
   * as pickle returns them: by the id they came with, by reference (a builtin, an intrinsic, an import), else by
   * source for the other side to find among what it shipped; `task` names the function that made the value.
   */
  encode(value: unknown, task?: Function): { value: unknown; encoded: boolean } {
    if (!findInstance(value)) return { value, encoded: false };
    let any = false;
    const out = encodeInstances(value, (instance) => {
      const cls = (instance as { constructor: Function }).constructor;
      // A class of a module the worker loaded (a module function shipped by reference made it): the other side
      // loads the same module, as unpickling imports a class.
      const ref = this.classes.idOf(cls) === undefined && typeof cls === 'function' ? referenceOf(cls) : undefined;
      const id = this.classes.idOf(cls) ?? (ref?.[0] === 'module' && !isBuiltinSpecifier(ref[1]) ? REF_ID + JSON.stringify(ref) : undefined);
      if (id !== undefined) any = true;
      return id;
    }, (fn) => {
      any = true;
      const ref = this.classes.idOf(fn) === undefined ? referenceOf(fn) : undefined;
      if (ref) return REF_ID + JSON.stringify(ref);
      const taskName = task?.name && task.name !== ROOT_NAME ? task.name : '<anonymous>';
      const qualname = `${taskName}.<locals>.${fn.name || '<anonymous>'}`;
      return this.classes.idOf(fn) ?? SOURCE_ID + JSON.stringify([Function.prototype.toString.call(fn), qualname]);
    });
    return any ? { value: out, encoded: true } : { value, encoded: false };
  }

  /** Decodes a value encoded by the other side's `encode` (class ids it shipped or received). */
  decodeEncoded(value: unknown): unknown {
    return decodeInstances(value, (id) => this.classById(id));
  }

  /**
   * The error a worker raised, rebuilt: of its own class when that class was shipped (own fields kept, even when
   * the class never sets `name`), else of the class its name resolves to (`errorClass`), else an Error of that
   * name. The worker's stack travels as `cause`.
   */
  error(info: ErrorInfo, errorClass: (name: string) => Function | undefined): unknown {
    if (!info.isError) return info.thrown;
    const remote = new Error(info.message);
    remote.name = info.name;
    remote.stack = info.stack ?? `${info.name}: ${info.message}`;
    let error: Error | undefined;
    const shipped = info.classId !== undefined ? this.classes.get(info.classId) : undefined;
    if (shipped) {
      // As unpickling does: the class's prototype and the raised object's state, without running its constructor.
      error = Object.create(shipped.prototype as object) as Error;
      Object.defineProperty(error, 'message', { value: info.message, writable: true, configurable: true });
      if (info.fields) {
        const fields = this.decodeEncoded(info.fields) as Record<string, unknown>;
        for (const k of Object.keys(fields)) {
          Object.defineProperty(error, k, { value: fields[k], writable: true, enumerable: true, configurable: true });
        }
      }
      Object.defineProperty(error, 'stack', { value: `${error.name}: ${info.message}`, writable: true, configurable: true });
    }
    const ctor = error ? undefined : errorClass(info.name);
    if (ctor) {
      try {
        error = Reflect.construct(ctor, [info.message]) as Error;
        if (error.message !== info.message) error.message = info.message;
      } catch {
        error = undefined;
      }
    }
    if (!error) {
      error = new Error(info.message);
      if (error.name !== info.name) Object.defineProperty(error, 'name', { value: info.name, configurable: true, writable: true });
    }
    (error as Error & { cause?: unknown }).cause = remote;
    return error;
  }

  /** ErrorInfo plus the error's class id and own fields, when its class is known to both sides. */
  errorInfo(e: unknown, base: ErrorInfo): ErrorInfo {
    if (!base.isError || e === null || typeof e !== 'object') return base;
    const id = this.classes.idOf((e as { constructor: Function }).constructor);
    if (id === undefined) return base;
    const own: Record<string, unknown> = {};
    for (const k of Object.keys(e)) own[k] = (e as Record<string, unknown>)[k];
    try {
      const fields = this.encode(own).value;
      v8.serialize(fields);
      return { ...base, classId: id, fields };
    } catch {
      return { ...base, classId: id };
    }
  }
}
