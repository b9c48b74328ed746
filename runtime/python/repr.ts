/**
 * Python's repr()/str() for JavaScript values. Everything that prints (print, str.format, the kernel's
 * execute_result, Future reprs) goes through here, so the rules live in one place:
 * - null/undefined → None, booleans → True/False, bigint → digits.
 * - numbers: a safe integer (other than -0) is a Python int; any other number is a float, printed as
 *   CPython's float repr (`0.1`, `1e+16`, `-0.0`, `inf`, `nan`). JS cannot tell `1.0` from `1`.
 * - objects and functions take part by implementing [REPR]() (and optionally [STR]()).
 */
import { inspect, types, type InspectOptions } from 'node:util';
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
  return contentRepr(obj);
}

// Bounds for values Python has no type for, as Node's util.inspect defaults: the notation stays short on big data.
const MAX_ITEMS = 100;
const MAX_BYTES = 50;
const MAX_DEPTH = 2;
const INSPECT_OPTIONS: InspectOptions = { depth: MAX_DEPTH, breakLength: Infinity, maxArrayLength: MAX_ITEMS, maxStringLength: 10_000 };
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;
// Instances being shown right now, for the depth bound: deeper ones show as `Name {...}`.
let instanceDepth = 0;

function hexBytes(bytes: Uint8Array): string {
  const shown = Array.from(bytes.subarray(0, MAX_BYTES), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > MAX_BYTES ? `${shown} ... ${bytes.length - MAX_BYTES} more bytes` : shown;
}

function moreItems(shown: string[], total: number): string[] {
  return total > shown.length ? [...shown, `... ${total - shown.length} more item${total - shown.length === 1 ? '' : 's'}`] : shown;
}

/** Whether obj (or its class) defines Node's own display hook, util.inspect.custom (packages use it as __repr__). */
function hasCustomInspect(obj: object): boolean {
  return typeof (obj as Record<symbol, unknown>)[inspect.custom] === 'function';
}

/**
 * A value Python has no type for shows its content, in the notation of Node's util.inspect (what tslab prints)
 * but on one line with Python reprs inside: `Vector2D { x: 100, y: 100 }`, `Uint8Array(3) [1, 2, 3]`,
 * `<Buffer 68 69>`, a Date's ISO time, `URL { href: '…' }`. Built-ins with hidden state (Promise, WeakMap...) and
 * objects with their own util.inspect.custom are shown by util.inspect itself.
 */
function contentRepr(obj: object): string {
  // util.types rather than instanceof: values made in another realm (a vm context, a worker's transfer) count too.
  if (types.isDate(obj)) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
  if (types.isRegExp(obj)) return String(obj);
  if (obj instanceof URL) return `URL { href: ${strRepr(obj.href)} }`;
  if (Buffer.isBuffer(obj)) return `<Buffer${obj.length ? ' ' + hexBytes(obj) : ''}>`;
  if (types.isAnyArrayBuffer(obj)) {
    const name = types.isArrayBuffer(obj) ? 'ArrayBuffer' : 'SharedArrayBuffer';
    return `${name} { [Uint8Contents]: <${hexBytes(new Uint8Array(obj))}>, byteLength: ${obj.byteLength} }`;
  }
  if (types.isTypedArray(obj)) {
    const items = obj as unknown as ArrayLike<number | bigint>;
    const shown = Array.from({ length: Math.min(items.length, MAX_ITEMS) }, (_, i) => repr(items[i]));
    return `${obj.constructor?.name ?? 'TypedArray'}(${items.length}) [${moreItems(shown, items.length).join(', ')}]`;
  }
  if (types.isPromise(obj)) return promiseRepr(obj);
  // Weak collections, DataView, iterators: state JS keeps out of reach, which only util.inspect reads.
  const hiddenState = types.isWeakMap(obj) || types.isWeakSet(obj) || obj instanceof WeakRef || types.isDataView(obj);
  const builtinWithoutFields = Object.keys(obj).length === 0 && Object.prototype.toString.call(obj) !== '[object Object]';
  if (hiddenState || builtinWithoutFields || hasCustomInspect(obj)) return inspect(obj, INSPECT_OPTIONS);
  return instanceRepr(obj);
}

// Properties async_hooks puts on promises while an AsyncLocalStorage is in use (the kernel routes output with one).
const ASYNC_HOOK_FIELDS = /,\s+\[Symbol\((?:async_id_symbol|trigger_async_id_symbol|kResourceStore)\)\]: /;

/** `Promise { <pending> }`, `Promise { 5 }`, `Promise { <rejected> Error: x ... }`: only util.inspect can read the state. */
function promiseRepr(p: Promise<unknown>): string {
  const text = inspect(p, INSPECT_OPTIONS);
  const hook = text.search(ASYNC_HOOK_FIELDS);
  return hook < 0 ? text : `${text.slice(0, hook).replace(/^Promise \{\s+/, 'Promise { ')} }`;
}

/** A field's value; accessors are not called (they may throw or have effects), named as util.inspect does. */
function fieldRepr(obj: object, key: string): string {
  const d = Object.getOwnPropertyDescriptor(obj, key);
  if (d && !('value' in d)) return d.get && d.set ? '[Getter/Setter]' : d.get ? '[Getter]' : '[Setter]';
  return repr(d?.value);
}

/** A class instance: its name and own enumerable fields, `Vector2D { x: 100, y: 100 }` (`{ x: 1 }` when anonymous). */
function instanceRepr(obj: object): string {
  const ctorName = (obj as { constructor?: { name?: unknown } }).constructor?.name;
  const name = typeof ctorName === 'string' && ctorName !== 'Object' ? ctorName : '';
  const prefix = name ? `${name} ` : '';
  const keys = Object.keys(obj);
  if (keys.length === 0) return `${prefix}{}`;
  if (instanceDepth > MAX_DEPTH || inProgress.has(obj)) return `${prefix}{...}`;
  instanceDepth++;
  inProgress.add(obj);
  try {
    const fields = keys.slice(0, MAX_ITEMS).map((k) => `${IDENTIFIER.test(k) ? k : strRepr(k)}: ${fieldRepr(obj, k)}`);
    return `${prefix}{ ${moreItems(fields, keys.length).join(', ')} }`;
  } finally {
    instanceDepth--;
    inProgress.delete(obj);
  }
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
