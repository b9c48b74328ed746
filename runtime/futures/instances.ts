/**
 * Class instances across the worker boundary. Structured clone keeps only an object's own fields, so an instance
 * would arrive as a plain object; here each one becomes a tagged record naming its class by an id both sides know
 * (pickle's reduce: class reference + state), and the receiving side rebuilds it with that class's prototype.
 * Values without instances are left untouched, so large arrays and buffers pay one scan, never a copy.
 */
import { types } from 'node:util';

/** The key of an encoded instance: `{ [TAG]: classId, f: { ...own fields } }`. */
export const TAG = '\u0000tsf:instance';

export interface EncodedInstance {
  [TAG]: string;
  f: Record<string, unknown>;
}

/** The key of a function passed as a value: `{ [FN]: id }`, the id of its shipped bundle or of its reference. */
export const FN = '\u0000tsf:function';

/** Whether structured clone copies this object by itself (dates, buffers...) or it is a plain container we walk. */
function kindOf(value: object): 'leaf' | 'array' | 'map' | 'set' | 'plain' | 'instance' {
  if (Array.isArray(value)) return 'array';
  if (types.isArrayBufferView(value) || types.isAnyArrayBuffer(value) || types.isDate(value) || types.isRegExp(value) ||
    types.isBoxedPrimitive(value) || types.isNativeError(value)) return 'leaf';
  if (types.isMap(value)) return 'map';
  if (types.isSet(value)) return 'set';
  const proto = Object.getPrototypeOf(value);
  if (proto === null || Object.getPrototypeOf(proto) === null) return 'plain';
  return 'instance';
}

type Kind = ReturnType<typeof kindOf>;

/**
 * The first object or function in `value`, depth first through arrays, Maps (keys and values), Sets and objects'
 * own fields, that `sought` accepts; `sought` also says which kinds are not walked into. Primitives are skipped
 * without a call: large arrays of numbers are the common argument.
 */
function firstWhere(value: unknown, sought: (value: object, kind: Kind | 'function') => 'found' | 'walk' | 'skip', seen = new Set<object>()): object | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  if (typeof value === 'function') return sought(value, 'function') === 'found' ? value : undefined;
  if (seen.has(value)) return undefined;
  seen.add(value);
  const kind = kindOf(value);
  const verdict = sought(value, kind);
  if (verdict !== 'walk') return verdict === 'found' ? value : undefined;
  if (kind === 'array' || kind === 'set') {
    for (const x of value as Iterable<unknown>) {
      if (x === null || (typeof x !== 'object' && typeof x !== 'function')) continue;
      const found = firstWhere(x, sought, seen);
      if (found) return found;
    }
    return undefined;
  }
  if (kind === 'map') {
    for (const [k, v] of value as Map<unknown, unknown>) {
      const found = firstWhere(k, sought, seen) ?? firstWhere(v, sought, seen);
      if (found) return found;
    }
    return undefined;
  }
  for (const k of Object.keys(value)) {
    const found = firstWhere((value as Record<string, unknown>)[k], sought, seen);
    if (found) return found;
  }
  return undefined;
}

/** Functions and class instances travel encoded; structured clone copies leaves by itself. */
const encodedHere = (_: object, kind: Kind | 'function') => (kind === 'function' || kind === 'instance' ? 'found' : kind === 'leaf' ? 'skip' : 'walk');
/** A function anywhere, instances' own fields included. */
const aFunction = (_: object, kind: Kind | 'function') => (kind === 'function' ? 'found' : kind === 'leaf' ? 'skip' : 'walk');

/**
 * The first class instance or function found in `value` (walking arrays, Maps, Sets and plain objects), if any:
 * both travel encoded.
 */
export function findInstance(value: unknown): object | undefined {
  return firstWhere(value, encodedHere);
}

/** Whether `value` is or holds a function (in arrays, Maps, Sets, plain objects or instances' own fields). */
export function holdsFunction(value: unknown): boolean {
  return firstWhere(value, aFunction) !== undefined;
}

/**
 * A copy of `value` with every class instance replaced by an EncodedInstance; `classId` names (or refuses, by
 * throwing) the instance's class, or returns undefined to send the instance as a plain object. `functionId`
 * (when given) names a function passed as a value, or refuses it by throwing. Shared and cyclic references stay
 * shared and cyclic.
 */
export function encodeInstances(value: unknown, classId: (instance: object) => string | undefined,
  functionId?: (fn: Function) => string): unknown {
  const memo = new Map<unknown, unknown>();
  const walk = (x: unknown): unknown => {
    if (typeof x === 'function' && functionId) {
      let out = memo.get(x);
      if (out === undefined) memo.set(x, (out = { [FN]: functionId(x) }));
      return out;
    }
    if (x === null || typeof x !== 'object') return x;
    const known = memo.get(x);
    if (known !== undefined) return known;
    switch (kindOf(x)) {
      case 'leaf':
        return x;
      case 'array': {
        const out: unknown[] = [];
        memo.set(x, out);
        for (const item of x as unknown[]) out.push(walk(item));
        return out;
      }
      case 'map': {
        const out = new Map();
        memo.set(x, out);
        for (const [k, v] of x as Map<unknown, unknown>) out.set(walk(k), walk(v));
        return out;
      }
      case 'set': {
        const out = new Set();
        memo.set(x, out);
        for (const v of x as Set<unknown>) out.add(walk(v));
        return out;
      }
      case 'plain': {
        const out: Record<string, unknown> = Object.getPrototypeOf(x) === null ? Object.create(null) : {};
        memo.set(x, out);
        for (const k of Object.keys(x)) out[k] = walk((x as Record<string, unknown>)[k]);
        return out;
      }
      default: {
        const id = classId(x);
        const fields: Record<string, unknown> = {};
        const out = id === undefined ? fields : { [TAG]: id, f: fields };
        memo.set(x, out);
        for (const k of Object.keys(x)) fields[k] = walk((x as Record<string, unknown>)[k]);
        return out;
      }
    }
  };
  return walk(value);
}

function isEncoded(x: object): x is EncodedInstance {
  return Object.prototype.hasOwnProperty.call(x, TAG);
}

/**
 * Rebuilds the instances of an encoded value, in place: each gets its class's prototype and its own fields; a
 * function passed as a value is the one `classById` gives for its id (bundles and references alike).
 */
export function decodeInstances(value: unknown, classById: (id: string) => Function): unknown {
  const memo = new Map<object, unknown>();
  const walk = (x: unknown): unknown => {
    if (x === null || typeof x !== 'object') return x;
    if (memo.has(x)) return memo.get(x);
    if (Object.prototype.hasOwnProperty.call(x, FN)) {
      const fn = classById((x as Record<string, string>)[FN]!);
      memo.set(x, fn);
      return fn;
    }
    if (isEncoded(x)) {
      const cls = classById(x[TAG]);
      const instance = Object.create(cls.prototype as object) as Record<string, unknown>;
      memo.set(x, instance);
      // defineProperty, not assignment: a setter on the prototype must not run for a field that was own data.
      for (const k of Object.keys(x.f)) {
        Object.defineProperty(instance, k, { value: walk(x.f[k]), writable: true, enumerable: true, configurable: true });
      }
      return instance;
    }
    memo.set(x, x);
    switch (kindOf(x)) {
      case 'array': {
        const a = x as unknown[];
        for (let i = 0; i < a.length; i++) {
          const item = a[i];
          if (item !== null && typeof item === 'object') a[i] = walk(item);
        }
        return a;
      }
      case 'map': {
        const m = x as Map<unknown, unknown>;
        const entries = [...m];
        m.clear();
        for (const [k, v] of entries) m.set(walk(k), walk(v));
        return m;
      }
      case 'set': {
        const s = x as Set<unknown>;
        const items = [...s];
        s.clear();
        for (const v of items) s.add(walk(v));
        return s;
      }
      case 'plain':
        for (const k of Object.keys(x)) (x as Record<string, unknown>)[k] = walk((x as Record<string, unknown>)[k]);
        return x;
      default:
        return x;
    }
  };
  return walk(value);
}
