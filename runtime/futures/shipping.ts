/**
 * Function shipping: turns a function defined in a notebook cell or a module into a self-contained bundle that a
 * worker (child process or worker thread) can compile, the way pickle lets CPython send a callable to a
 * ProcessPoolExecutor. A function travels by source, together with the top-level functions, classes and constants
 * it uses (transitively; bundle-builder.ts); constants travel by structured clone. Whatever cannot travel is
 * reported at submit time with an error naming the culprit, never as a hang or a confusing failure inside the worker.
 * Here: the bundles, built once per function, and the ids under which values' classes and functions travel.
 */
import { privateNames } from './free-names';
import { encodeInstances, findInstance } from './instances';
import { BundleBuilder, ShippingError, sourceOf, type Built, type ClassShipping, type ShippedFunction } from './bundle-builder';
import { shippedReference } from './module-imports';
import type { FunctionDef } from './pool-protocol';
import { REF_ID, Receiver, type Envelope } from './rebuild';
import { scopeGeneration, userRealm } from './user-scope';

export { lookupName, registerShippingScope, setGlobalResolver, type GlobalResolver, type Resolution } from './user-scope';
export { ShippingError, type ShippedFunction } from './bundle-builder';

const shipped = new WeakMap<Function, Built>();

/**
 * The bundle for `fn`, built once per function and rebuilt only when a top-level name it uses is rebound
 * (a notebook cell redefining a helper). Throws ShippingError naming the culprit.
 */
export function shipFunction(fn: Function): ShippedFunction {
  const cached = shipped.get(fn);
  if (cached && cached.generation === scopeGeneration() && cached.bindings.every(([lookup, value]) => {
    const r = lookup();
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

/** What the builder asks for the classes a bundle uses: their own bundles, from shipFunction. */
const classShipping: ClassShipping = {
  classId: shippedClassId,
  withClasses,
  shippedBySource: (fn) => shippedSources.set(Function.prototype.toString.call(fn), new WeakRef(fn)),
};

function build(root: Function): Built {
  return new BundleBuilder(root, classShipping).build();
}

/**
 * A value ready for v8.serialize: itself, or an Envelope with its class instances encoded and the bundles of their
 * classes. `context` starts the error message when an instance cannot travel.
 */
export function withClasses(value: unknown, defs: Map<string, FunctionDef>, context: () => string): unknown {
  if (!findInstance(value)) return value;
  const encoded = encodeInstances(value, (x) => instanceClassId(x, defs, context), (fn) => functionValueId(fn, defs, context));
  return { classes: [...defs.values()], value: encoded } satisfies Envelope;
}

/** The receiving side in this process: the classes it shipped, by id, to rebuild results and errors. */
export const parentReceiver = new Receiver();

/** Functions shipped by source, by their source: a worker returning one gets this process's own back. */
const shippedSources = new Map<string, WeakRef<Function>>();
parentReceiver.shippedBySource = (source) => shippedSources.get(source)?.deref();
// The intrinsics a worker names come back as the user's own (the kernel's cells may run in another realm).
parentReceiver.realm = () => userRealm;

/** Bundles being built: a class reached again while its own bundle is built is inlined rather than recursed into. */
const building = new Set<Function>();

/** The class id of a class a function uses: its standalone bundle's id, undefined while that is being built. */
function shippedClassId(cls: Function): string | undefined {
  if (building.has(cls)) return undefined;
  const bundle = shipFunction(cls);
  parentReceiver.classes.replace(bundle.id, cls);
  return bundle.id;
}

/** Classes whose source (parsed once) declares no private names: instances of them are not re-checked. */
const withoutPrivateNames = new WeakSet<Function>();

/**
 * The id a function passed as a value travels under, as the submitted function itself does: a reference (a runtime
 * export, an intrinsic, an imported function) or its bundle, which joins `defs`. Fails naming the function.
 */
function functionValueId(fn: Function, defs: Map<string, FunctionDef>, context: () => string): string {
  const ref = referenceId(fn);
  if (ref) return ref;
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

/** The id of a function or class that travels by reference (known to this side's receiver), or undefined. */
function referenceId(fn: Function): string | undefined {
  const ref = shippedReference(fn);
  if (!ref) return undefined;
  const id = REF_ID + JSON.stringify(ref);
  parentReceiver.classes.replace(id, fn);
  return id;
}

/** The id an instance's class travels under (its bundle joins `defs`); fails naming what cannot travel. */
function instanceClassId(instance: object, defs: Map<string, FunctionDef>, context: () => string): string | undefined {
  const cls = (instance as { constructor?: unknown }).constructor;
  if (typeof cls !== 'function' || cls.prototype !== Object.getPrototypeOf(instance)) return undefined; // sent as a plain object
  const ref = referenceId(cls);
  if (ref) return ref;
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
