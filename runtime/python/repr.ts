/**
 * Python's repr()/str() for JavaScript values. (Minimal first version: the python-builtins work fills it in.)
 * Objects take part by implementing [REPR]() (and optionally [STR]()); everything that prints
 * (print, str.format, the kernel's execute_result) goes through repr/str here.
 */
export const REPR: unique symbol = Symbol.for('tsfutures.repr') as never;
export const STR: unique symbol = Symbol.for('tsfutures.str') as never;

export interface PyReprable {
  [REPR](): string;
}

const addresses = new WeakMap<object, string>();
let nextAddress = 0x7f3a5c000000 + Math.floor(Math.random() * 0x100000) * 0x10;

/** A stable fake address per object, `0x` + 12 hex digits, like CPython's id() on 64-bit Linux. */
export function addressOf(obj: object): string {
  let a = addresses.get(obj);
  if (!a) {
    nextAddress += 0x30 + 0x10 * Math.floor(Math.random() * 8);
    a = '0x' + nextAddress.toString(16).padStart(12, '0');
    addresses.set(obj, a);
  }
  return a;
}

/** Python's type name for a JS value: int, float, str, bool, NoneType, list, set, dict, or the class name. */
export function pyTypeName(x: unknown): string {
  if (x === null || x === undefined) return 'NoneType';
  switch (typeof x) {
    case 'number': return Number.isInteger(x) ? 'int' : 'float';
    case 'bigint': return 'int';
    case 'string': return 'str';
    case 'boolean': return 'bool';
    case 'function': return 'function';
  }
  if (Array.isArray(x)) return 'list';
  if (x instanceof Set) return 'set';
  if (x instanceof Map) return 'dict';
  const proto = Object.getPrototypeOf(x);
  if (proto === Object.prototype || proto === null) return 'dict';
  return (x as object).constructor?.name ?? 'object';
}

export function repr(x: unknown): string {
  if (x !== null && (typeof x === 'object' || typeof x === 'function') && REPR in x) return (x as PyReprable)[REPR]();
  if (x === null || x === undefined) return 'None';
  if (typeof x === 'boolean') return x ? 'True' : 'False';
  if (typeof x === 'string') return `'${x}'`;
  if (typeof x === 'number' || typeof x === 'bigint') return String(x);
  if (Array.isArray(x)) return `[${x.map(repr).join(', ')}]`;
  if (x instanceof Set) return x.size ? `{${[...x].map(repr).join(', ')}}` : 'set()';
  return String(x);
}

export function str(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x !== null && typeof x === 'object' && STR in x) return (x as { [STR](): string })[STR]();
  return repr(x);
}
