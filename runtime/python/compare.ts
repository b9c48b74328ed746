/** Python's ordering for JS values: numbers/bools/bigints numerically, str by code point, lists lexicographically. */
import { TypeError } from './errors';
import { pyTypeName } from './repr';

// UTF-16 code units order surrogates (U+D800..DFFF) below U+E000..FFFF; code-point order puts them above.
function unitKey(c: number): number {
  return c >= 0xd800 ? (c <= 0xdfff ? c + 0x2000 : c - 0x800) : c;
}

function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) return unitKey(ca) - unitKey(cb);
  }
  return a.length - b.length;
}

type Num = number | bigint | boolean;
const isNum = (x: unknown): x is Num => typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean';

/** <0, 0, >0 like a three-way `a < b`; `op` names the operator in the TypeError for unorderable types. */
export function pyCompare(a: unknown, b: unknown, op = '<'): number {
  if (isNum(a) && isNum(b)) {
    const x = typeof a === 'boolean' ? +a : a;
    const y = typeof b === 'boolean' ? +b : b;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a === b ? 0 : compareStrings(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const c = pyCompare(a[i], b[i], op);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  throw new TypeError(`'${op}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}
