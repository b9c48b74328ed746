/**
 * Python's repr()/str() for JavaScript values. Everything that prints (print, str.format, the kernel's
 * execute_result, Future reprs) goes through here, so the rules live in one place:
 * - null/undefined → None, booleans → True/False, bigint → digits.
 * - numbers: a safe integer (other than -0) is a Python int; any other number is a float, printed as
 *   CPython's float repr (`0.1`, `1e+16`, `-0.0`, `inf`, `nan`). JS cannot tell `1.0` from `1`.
 * - objects and functions take part by implementing [REPR]() (and optionally [STR]()).
 */
import { floatRepr } from './float';

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

/** True when a JS number stands for a Python int (see the module comment). */
export function isPyInt(x: number): boolean {
  return Number.isSafeInteger(x) && !Object.is(x, -0);
}

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function isClass(f: Function): boolean {
  return Function.prototype.toString.call(f).startsWith('class');
}

/** Python's type name for a JS value: int, float, str, bool, NoneType, list, set, dict, or the class name. */
export function pyTypeName(x: unknown): string {
  if (x === null || x === undefined) return 'NoneType';
  switch (typeof x) {
    case 'number': return isPyInt(x) ? 'int' : 'float';
    case 'bigint': return 'int';
    case 'string': return 'str';
    case 'boolean': return 'bool';
    case 'function': return isClass(x) ? 'type' : 'function';
  }
  if (Array.isArray(x)) return 'list';
  if (x instanceof Set) return 'set';
  if (x instanceof Map || isPlainObject(x)) return 'dict';
  return (x as object).constructor?.name ?? 'object';
}

const SIMPLE_ASCII = /^[\x20-\x26\x28-\x5b\x5d-\x7e]*$/; // printable ASCII minus ' and \
const NON_PRINTABLE = /^[\p{C}\p{Z}]$/u; // CPython's str.isprintable(): not Other, not Separator (bar ' ')

function escapeCodePoint(cp: number): string {
  if (cp <= 0xff) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp <= 0xffff) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

/** repr() of a str (asciiOnly: ascii()). Single quotes unless the text has ' and no ". */
export function strRepr(s: string, asciiOnly = false): string {
  if (SIMPLE_ASCII.test(s)) return `'${s}'`;
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += escapeCodePoint(cp);
    else if (cp < 0x7f) out += ch;
    else if (asciiOnly || (ch !== ' ' && NON_PRINTABLE.test(ch))) out += escapeCodePoint(cp);
    else out += ch;
  }
  return out + quote;
}

export function numberRepr(x: number): string {
  return isPyInt(x) ? String(x) : floatRepr(x);
}

function errorName(e: Error): string {
  if (e.name && e.name !== 'Error') return e.name;
  return e.constructor?.name || 'Error';
}

function errorRepr(e: Error): string {
  const args = (e as { args?: unknown }).args;
  if (Array.isArray(args)) return `${errorName(e)}(${args.map(repr).join(', ')})`;
  return e.message ? `${errorName(e)}(${strRepr(e.message)})` : `${errorName(e)}()`;
}

// Containers being printed right now: meeting one again means a cycle, printed `[...]`/`{...}` like CPython.
const inProgress = new Set<object>();

function containerRepr(x: object, open: string, close: string, items: () => string[]): string {
  if (inProgress.has(x)) return `${open}...${close}`;
  inProgress.add(x);
  try {
    return open + items().join(', ') + close;
  } finally {
    inProgress.delete(x);
  }
}

export function repr(x: unknown): string {
  switch (typeof x) {
    case 'undefined': return 'None';
    case 'boolean': return x ? 'True' : 'False';
    case 'number': return numberRepr(x);
    case 'bigint': return x.toString();
    case 'string': return strRepr(x);
    case 'symbol': return x.toString();
    case 'function':
      if (REPR in x) return (x as unknown as PyReprable)[REPR]();
      if (isClass(x)) return `<class '${x.name}'>`;
      return `<function ${x.name || '<lambda>'} at ${addressOf(x)}>`;
  }
  if (x === null) return 'None';
  const obj = x as object;
  if (REPR in obj) return (obj as PyReprable)[REPR]();
  if (Array.isArray(obj)) return containerRepr(obj, '[', ']', () => obj.map(repr));
  if (obj instanceof Set) return obj.size ? containerRepr(obj, '{', '}', () => [...obj].map(repr)) : 'set()';
  if (obj instanceof Map) return containerRepr(obj, '{', '}', () => [...obj].map(([k, v]) => `${repr(k)}: ${repr(v)}`));
  if (isPlainObject(obj)) return containerRepr(obj, '{', '}', () => Object.entries(obj).map(([k, v]) => `${strRepr(k)}: ${repr(v)}`));
  if (obj instanceof Error) return errorRepr(obj);
  return `<${obj.constructor?.name ?? 'object'} object at ${addressOf(obj)}>`;
}

/** Python's str() of one value: a string is itself, [STR]() wins, an exception is its message, else repr(). */
export function pyStr(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x !== null && (typeof x === 'object' || typeof x === 'function')) {
    if (STR in x) return (x as { [STR](): string })[STR]();
    if (x instanceof Error && !(REPR in x)) return x.message; // str(ValueError('x')) == 'x'
  }
  return repr(x);
}
