/** Python's range: a lazy, indexable arithmetic progression of ints. */
import { IndexError, TypeError, ValueError } from './errors';
import { isPyInt, pyTypeName, REPR } from './repr';

function toInt(x: unknown): number {
  if (typeof x === 'number' && isPyInt(x)) return x;
  if (typeof x === 'boolean') return +x;
  if (typeof x === 'bigint' && x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(x);
  throw new TypeError(`'${pyTypeName(x)}' object cannot be interpreted as an integer`);
}

/** A class-based iterator: cheaper than a generator in hot loops. */
class RangeIterator implements IterableIterator<number> {
  private value: number;
  private left: number;
  constructor(start: number, private readonly step: number, count: number) {
    this.value = start;
    this.left = count;
  }
  next(): IteratorResult<number> {
    if (this.left <= 0) return { done: true, value: undefined };
    const value = this.value;
    this.value += this.step;
    this.left--;
    return { done: false, value };
  }
  [Symbol.iterator](): IterableIterator<number> {
    return this;
  }
}

export class Range implements Iterable<number> {
  readonly start: number;
  readonly stop: number;
  readonly step: number;
  /** len(range) */
  readonly length: number;

  constructor(start: number, stop: number, step = 1) {
    this.start = toInt(start);
    this.stop = toInt(stop);
    this.step = toInt(step);
    if (this.step === 0) throw new ValueError('range() arg 3 must not be zero');
    const span = this.step > 0 ? this.stop - this.start : this.start - this.stop;
    this.length = span > 0 ? Math.floor((span - 1) / Math.abs(this.step)) + 1 : 0;
  }

  /** range[i], negative i counting from the end. */
  at(i: number): number {
    const k = toInt(i) < 0 ? i + this.length : i;
    if (k < 0 || k >= this.length) throw new IndexError('range object index out of range');
    return this.start + k * this.step;
  }

  /** `x in range` */
  includes(x: unknown): boolean {
    if (typeof x !== 'number' || !Number.isInteger(x)) return typeof x === 'boolean' && this.includes(+x);
    const offset = x - this.start;
    if (offset % this.step !== 0) return false;
    const k = offset / this.step;
    return k >= 0 && k < this.length;
  }

  index(x: number): number {
    if (!this.includes(x)) throw new ValueError(`${x} is not in range`);
    return (x - this.start) / this.step;
  }

  count(x: number): number {
    return this.includes(x) ? 1 : 0;
  }

  [Symbol.iterator](): IterableIterator<number> {
    return new RangeIterator(this.start, this.step, this.length);
  }

  [REPR](): string {
    return this.step === 1 ? `range(${this.start}, ${this.stop})` : `range(${this.start}, ${this.stop}, ${this.step})`;
  }
}

/** range(stop) / range(start, stop[, step]) like Python's. */
export function range(stop: number): Range;
export function range(start: number, stop: number, step?: number): Range;
export function range(a: number, b?: number, step?: number): Range {
  return b === undefined ? new Range(0, a) : new Range(a, b, step);
}
