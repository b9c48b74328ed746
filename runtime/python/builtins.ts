/** Python builtins over JS values: pow, min, max, len, list, abs, sorted, enumerate, zip, tuple. */
import { pyCompare } from './compare';
import { OverflowError, TypeError, ValueError, ZeroDivisionError } from './errors';
import { isPlainObject, isPyInt, pyTypeName, REPR, repr } from './repr';

type Int = number | bigint;

function isInt(x: unknown): x is Int | boolean {
  return (typeof x === 'number' && isPyInt(x)) || typeof x === 'bigint' || typeof x === 'boolean';
}

function big(x: Int | boolean): bigint {
  return typeof x === 'bigint' ? x : BigInt(+x);
}

function narrow(x: bigint): Int {
  return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
}

/** Python's floor modulo on bigints: the result takes the sign of m. */
function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r !== 0n && r < 0n !== m < 0n ? r + m : r;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m < 0n ? -m : m), m < 0n ? -m : m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new ValueError('base is not invertible for the given modulus');
  return s0;
}

/**
 * pow(base, exp[, mod]). Int ** non-negative int is exact (bigint beyond 2^53, number otherwise);
 * a negative exponent gives a float, as in Python.
 */
export function pow(base: number, exp: number, modulus?: number): number;
export function pow(base: Int, exp: Int, modulus?: Int): Int;
export function pow(base: Int, exp: Int, modulus?: Int): Int {
  if (modulus !== undefined && modulus !== null) {
    if (!isInt(base) || !isInt(exp) || !isInt(modulus)) {
      throw new TypeError('pow() 3rd argument not allowed unless all arguments are integers');
    }
    let m = big(modulus);
    if (m === 0n) throw new ValueError('pow() 3rd argument cannot be 0');
    let b = big(base);
    let e = big(exp);
    if (e < 0n) {
      b = modInverse(b, m);
      e = -e;
    }
    const neg = m < 0n;
    if (neg) m = -m;
    let result = 1n % m;
    b = mod(b, m);
    for (; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) result = (result * b) % m;
    return narrow(neg && result !== 0n ? result - m : result);
  }
  if (isInt(base) && isInt(exp) && big(exp) >= 0n) return narrow(big(base) ** big(exp));
  const b = Number(base);
  const e = Number(exp);
  if (b === 0 && e < 0) throw new ZeroDivisionError('0.0 cannot be raised to a negative power');
  if (b < 0 && !Number.isInteger(e)) throw new ValueError('pow() of a negative number to a fractional power is complex (not supported)');
  const r = b ** e;
  if (!Number.isFinite(r) && Number.isFinite(b) && Number.isFinite(e)) throw new OverflowError("(34, 'Numerical result out of range')");
  return r;
}

/** abs(x) for int, float, bigint and bool. */
export function abs(x: number | boolean): number;
export function abs(x: bigint): bigint;
export function abs(x: number | bigint | boolean): number | bigint {
  if (typeof x === 'number' || typeof x === 'boolean') return Math.abs(+x);
  if (typeof x === 'bigint') return x < 0n ? -x : x;
  throw new TypeError(`bad operand type for abs(): '${pyTypeName(x)}'`);
}

function iterableOf(x: unknown): Iterable<unknown> {
  if (isPlainObject(x)) return Object.keys(x); // iterating a dict yields its keys
  if (x instanceof Map) return x.keys();
  if (x !== null && x !== undefined && typeof (x as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return x as Iterable<unknown>;
  }
  throw new TypeError(`'${pyTypeName(x)}' object is not iterable`);
}

/** len(x): str (code points), list, set, dict, range, and objects with __len__(), length or size. */
export function len(x: unknown): number {
  if (typeof x === 'string') {
    let n = 0;
    for (const _ of x) n++;
    return n;
  }
  if (Array.isArray(x)) return x.length;
  if (x instanceof Set || x instanceof Map) return x.size;
  const lenMethod = (x as { __len__?: unknown } | null)?.__len__;
  if (typeof lenMethod === 'function') return lenMethod.call(x);
  if (isPlainObject(x)) return Object.keys(x).length; // a dict
  if (x !== null && (typeof x === 'object' || typeof x === 'function')) {
    const o = x as { length?: unknown; size?: unknown };
    if (typeof o.length === 'number' && typeof x === 'object') return o.length;
    if (typeof o.size === 'number') return o.size;
  }
  throw new TypeError(`object of type '${pyTypeName(x)}' has no len()`);
}

/** A Python tuple: a frozen array that prints as `(1, 'a')` / `(1,)`. */
export function tuple<T extends unknown[]>(...items: T): Readonly<T> {
  Object.defineProperty(items, REPR, {
    value: () => (items.length === 1 ? `(${repr(items[0])},)` : `(${items.map(repr).join(', ')})`),
  });
  return Object.freeze(items);
}

/**
 * list(iterable) → array; list(asyncIterable) → Promise of an array (e.g. the result of
 * executor.map: `await list(executor.map(fn, xs))`). A dict gives its keys, a str its characters.
 */
export function list(): unknown[];
export function list<T>(iterable: AsyncIterable<T>): Promise<T[]>;
export function list(iterable: string): string[];
export function list<T>(iterable: Iterable<T>): T[];
export function list<K extends string, V>(dict: Record<K, V>): K[];
export function list(iterable?: unknown): unknown[] | Promise<unknown[]> {
  if (arguments.length === 0) return [];
  if (iterable !== null && typeof iterable === 'object' && Symbol.asyncIterator in iterable) {
    return (async () => {
      const out: unknown[] = [];
      for await (const x of iterable as AsyncIterable<unknown>) out.push(x);
      return out;
    })();
  }
  return Array.from(iterableOf(iterable));
}

export interface KeyOptions<T> {
  key?: ((x: T) => unknown) | null;
}
export interface MinMaxOptions<T, D> extends KeyOptions<T> {
  default?: D;
}
export interface SortOptions<T> extends KeyOptions<T> {
  reverse?: boolean;
}

/** A trailing options object: a plain object whose keys are all among `allowed` (at least one). */
function takeOptions(args: unknown[], allowed: string[]): Record<string, unknown> | undefined {
  const last = args[args.length - 1];
  if (args.length < 2 || !isPlainObject(last)) return undefined;
  const keys = Object.keys(last);
  if (keys.length === 0 || !keys.every((k) => allowed.includes(k))) return undefined;
  args.pop();
  return last;
}

function minMax(name: 'min' | 'max', args: unknown[]): unknown {
  const opts = takeOptions(args, ['key', 'default']) ?? {};
  if (args.length === 0) throw new TypeError(`${name} expected at least 1 argument, got 0`);
  const hasDefault = 'default' in opts;
  if (args.length > 1 && hasDefault) {
    throw new TypeError(`Cannot specify a default for ${name}() with multiple positional arguments`);
  }
  const items = args.length === 1 ? iterableOf(args[0]) : args;
  const key = (opts.key ?? null) as ((x: unknown) => unknown) | null;
  const op = name === 'min' ? '<' : '>';
  const sign = name === 'min' ? -1 : 1;
  let best: unknown;
  let bestKey: unknown;
  let found = false;
  for (const item of items) {
    const k = key ? key(item) : item;
    // Python keeps the first of equal items: replace only when strictly better.
    if (!found || sign * pyCompare(k, bestKey, op) > 0) {
      best = item;
      bestKey = k;
      found = true;
    }
  }
  if (found) return best;
  if (hasDefault) return opts.default;
  throw new ValueError(`${name}() arg is an empty sequence`);
}

/**
 * min(iterable, {key, default}) or min(a, b, ...rest, {key}). The last argument is options only
 * if it is a plain object whose keys are all among key/default, and not the only argument.
 */
export function min<T, D = never>(iterable: Iterable<T>, options?: MinMaxOptions<T, D>): T | D;
export function min<T>(a: T, b: T, ...rest: (T | KeyOptions<T>)[]): T;
export function min(...args: unknown[]): unknown {
  return minMax('min', args);
}

/** max(): same calling rules as min(). */
export function max<T, D = never>(iterable: Iterable<T>, options?: MinMaxOptions<T, D>): T | D;
export function max<T>(a: T, b: T, ...rest: (T | KeyOptions<T>)[]): T;
export function max(...args: unknown[]): unknown {
  return minMax('max', args);
}

/** sorted(iterable, {key, reverse}): a new array, stable, in Python's ordering. */
export function sorted<T>(iterable: Iterable<T>, options: SortOptions<T> = {}): T[] {
  const items = Array.from(iterableOf(iterable)) as T[];
  const { key, reverse } = options;
  const dir = reverse ? -1 : 1;
  if (!key) return items.sort((a, b) => dir * pyCompare(a, b));
  const keyed = items.map((item) => ({ item, k: key(item) }));
  keyed.sort((a, b) => dir * pyCompare(a.k, b.k));
  return keyed.map((e) => e.item);
}

/** enumerate(iterable, start=0): lazy (index, item) tuples. */
export function* enumerate<T>(iterable: Iterable<T>, start = 0): Generator<readonly [number, T], void, undefined> {
  let i = start;
  for (const x of iterableOf(iterable) as Iterable<T>) yield tuple(i++, x);
}

type Zipped<T extends unknown[]> = { readonly [K in keyof T]: T[K] extends Iterable<infer U> ? U : never };

/** zip(...iterables): lazy tuples, stopping at the shortest. */
export function* zip<T extends Iterable<unknown>[]>(...iterables: T): Generator<Zipped<T>, void, undefined> {
  for (const row of zipRows(iterables.map(iterableOf))) yield tuple(...row) as unknown as Zipped<T>;
}

/**
 * The rows of zip(*iterables) as plain arrays, closing the other iterators when one ends or the consumer stops.
 * Executor.map uses it for argument rows (no tuple wrapper per task).
 */
export function* zipRows(iterables: Iterable<unknown>[]): Generator<unknown[], void, undefined> {
  if (iterables.length === 0) return;
  const its = iterables.map((it) => it[Symbol.iterator]());
  try {
    for (;;) {
      const row: unknown[] = [];
      for (const it of its) {
        const r = it.next();
        if (r.done) return;
        row.push(r.value);
      }
      yield row;
    }
  } finally {
    for (const it of its) it.return?.();
  }
}
