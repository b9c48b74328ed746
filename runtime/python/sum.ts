/**
 * Python's sum(). Ints are exact: a running sum stays a JS number while it is a safe integer and moves
 * to bigint past Number.MAX_SAFE_INTEGER (the result is a number again if it fits). Floats are summed
 * with CPython 3.12+'s compensated (Neumaier) algorithm, so sum([0.1]*10) is 1.0 as in CPython 3.14.
 */
import { TypeError } from './errors';
import { isPyInt, pyTypeName } from './repr';
import { Range } from './range';

const MAX = Number.MAX_SAFE_INTEGER;
// Range chunks: small enough that a chunk's bound check is cheap relative to its loop.
const CHUNK = 1 << 20;

function normalize(big: bigint): number | bigint {
  return big >= -BigInt(MAX) && big <= BigInt(MAX) ? Number(big) : big;
}

/** Neumaier's compensated float sum, as CPython's cs_add. */
class FloatSum {
  hi: number;
  lo = 0;
  constructor(x: number) {
    this.hi = x;
  }
  add(x: number): void {
    const t = this.hi + x;
    if (Math.abs(this.hi) >= Math.abs(x)) this.lo += this.hi - t + x;
    else this.lo += x - t + this.hi;
    this.hi = t;
  }
  value(): number {
    // like CPython: don't let the compensation lose -0.0's sign or turn inf into nan
    return this.lo && Number.isFinite(this.lo) ? this.hi + this.lo : this.hi;
  }
}

function addError(a: unknown, b: unknown): Error {
  if (typeof a === 'string') return new TypeError("sum() can't sum strings [use ''.join(seq) instead]");
  return new TypeError(`unsupported operand type(s) for +: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

/**
 * Sum of len terms v, v+step, ... by plain loops. Four independent accumulators let the CPU overlap
 * the additions (one accumulator is bound by add latency); every partial sum is within the caller's
 * safe bound, so each addition is exact. The len % 4 leftover terms go to a separate loop function:
 * a tail loop inside the 4-way function is never reached while it is optimized (chunks are multiples
 * of 4), so V8 deoptimizes it on every call for lack of type feedback, which made it 4x slower.
 */
function sumChunk(v: number, step: number, len: number): number {
  const main = len - (len % 4);
  return sumBy4(v, step, main) + sumBy1(v + main * step, step, len - main);
}

/** len must be a multiple of 4. */
function sumBy4(v: number, step: number, len: number): number {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  const step4 = 4 * step;
  for (let k = 0; k < len; k += 4) {
    a += v;
    b += v + step;
    c += v + 2 * step;
    d += v + 3 * step;
    v += step4;
  }
  return a + b + c + d;
}

function sumBy1(v: number, step: number, len: number): number {
  let a = 0;
  for (let k = 0; k < len; k++) {
    a += v;
    v += step;
  }
  return a;
}

/**
 * Sums a range with plain numeric loops (no iterator protocol). A chunk runs unchecked when
 * |total| + len·max|element| is safe; otherwise the chunk's own sum is moved into a bigint.
 */
function sumRange(r: Range, start: number): number | bigint {
  let total = start;
  let big = 0n;
  let v = r.start;
  const step = r.step;
  for (let left = r.length; left > 0; ) {
    const len = Math.min(CHUNK, left);
    const bound = len * Math.max(Math.abs(v), Math.abs(v + (len - 1) * step));
    if (Math.abs(total) + bound <= MAX) {
      total += sumChunk(v, step, len);
      v += len * step;
    } else if (bound <= MAX) {
      let chunk = 0;
      for (let k = 0; k < len; k++) {
        chunk += v;
        v += step;
      }
      big += BigInt(total) + BigInt(chunk);
      total = 0;
    } else {
      for (let k = 0; k < len; k++) {
        big += BigInt(v);
        v += step;
      }
    }
    left -= len;
  }
  return big === 0n ? total : normalize(big + BigInt(total));
}

/** Accumulates items through int → bigint → float modes, like CPython's int and float loops. */
class Summer {
  private total = 0;
  private big: bigint | undefined;
  private floats: FloatSum | undefined;
  private list: unknown[] | undefined; // list concatenation: sum([[1], [2]], [])

  constructor(start: unknown) {
    if (typeof start === 'bigint') this.big = start;
    else if (typeof start === 'number') {
      if (isPyInt(start)) this.total = start;
      else this.floats = new FloatSum(start);
    } else if (typeof start === 'boolean') this.total = +start;
    else if (Array.isArray(start)) this.list = start;
    else if (typeof start === 'string') throw addError(start, start);
    else throw addError(start, 0);
  }

  add(item: unknown): void {
    const x = typeof item === 'boolean' ? +item : item;
    if (typeof x === 'number' && this.floats === undefined && this.list === undefined && isPyInt(x)) {
      const t = this.total + x;
      // exact whenever the true sum is safe; a rounded result lands outside the safe range
      if (t <= MAX && t >= -MAX) this.total = t;
      else {
        this.big = (this.big ?? 0n) + BigInt(this.total) + BigInt(x);
        this.total = 0;
      }
      return;
    }
    if (this.list !== undefined) {
      if (!Array.isArray(x)) throw addError(this.list, x);
      this.list = this.list.concat(x);
    } else if (this.floats !== undefined) {
      if (typeof x === 'number') this.floats.add(x);
      else if (typeof x === 'bigint') this.floats.add(Number(x));
      else throw addError(this.floats.value(), x);
    } else if (typeof x === 'number') {
      this.floats = new FloatSum(Number(this.intValue()) + x);
    } else if (typeof x === 'bigint') {
      this.big = (this.big ?? 0n) + x;
    } else throw addError(this.intValue(), x);
  }

  private intValue(): number | bigint {
    return this.big !== undefined ? normalize(this.big + BigInt(this.total)) : this.total;
  }

  result(): unknown {
    if (this.list !== undefined) return this.list;
    if (this.floats !== undefined) return this.floats.value();
    return this.intValue();
  }
}

/**
 * sum(iterable, start=0). An int sum beyond Number.MAX_SAFE_INTEGER is returned as a bigint
 * (it prints the same digits as Python); the `number` overload keeps everyday code simple.
 */
export function sum(iterable: Iterable<number>, start?: number): number;
export function sum(iterable: Iterable<number | bigint | boolean>, start?: number | bigint): number | bigint;
export function sum<T>(iterable: Iterable<T[]>, start: T[]): T[];
export function sum(iterable: Iterable<unknown>, start: unknown = 0): unknown {
  if (iterable instanceof Range && typeof start === 'number' && isPyInt(start)) return sumRange(iterable, start);
  const acc = new Summer(start);
  if (Array.isArray(iterable)) {
    for (let i = 0; i < iterable.length; i++) acc.add(iterable[i]);
    return acc.result();
  }
  if (iterable === null || iterable === undefined || typeof (iterable as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`'${pyTypeName(iterable)}' object is not iterable`);
  }
  for (const x of iterable as Iterable<unknown>) acc.add(x);
  return acc.result();
}
