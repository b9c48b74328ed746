import {
  Range, abs, enumerate, len, list, max, min, os, pow, range, repr, sorted, sum, time, zip, ValueError, ZeroDivisionError,
} from '../../../runtime/python';

describe('range', () => {
  test('iterates, indexes and measures like Python', () => {
    expect([...range(5)]).toEqual([0, 1, 2, 3, 4]);
    expect([...range(10, 0, -3)]).toEqual([10, 7, 4, 1]);
    expect([...range(3, 3)]).toEqual([]);
    const r: Range = range(1, 10, 2);
    expect(r.length).toBe(5);
    expect(len(r)).toBe(5);
    expect(r.at(0)).toBe(1);
    expect(r.at(-1)).toBe(9);
    expect(r.includes(7)).toBe(true);
    expect(r.includes(8)).toBe(false);
    expect(r.includes(11)).toBe(false);
    expect(r.index(7)).toBe(3);
    expect(() => r.at(5)).toThrow('range object index out of range');
    expect(() => range(1, 2, 0)).toThrow(new ValueError('range() arg 3 must not be zero'));
    expect(() => range(1.5)).toThrow("'float' object cannot be interpreted as an integer");
  });

  test('iterators are independent', () => {
    const r = range(3);
    const a = r[Symbol.iterator]();
    a.next();
    expect([...r]).toEqual([0, 1, 2]);
    expect([...a]).toEqual([1, 2]);
  });
});

describe('sum', () => {
  test('ints stay exact: number while safe, bigint beyond', () => {
    expect(sum(range(1, 100_000_001))).toBe(5000000050000000);
    expect(sum(range(1, 200_000_001))).toBe(20000000100000000n);
    expect(sum(range(-5, 6))).toBe(0);
    expect(sum(range(10, 0, -1), 5)).toBe(60);
    expect(sum([Number.MAX_SAFE_INTEGER, 1, 1])).toBe(9007199254740993n);
    expect(sum([Number.MAX_SAFE_INTEGER, 1, -2])).toBe(Number.MAX_SAFE_INTEGER - 1);
    expect(sum([2n ** 64n, 1, true])).toBe(2n ** 64n + 2n);
    expect(sum(new Set([1, 2, 3]))).toBe(6);
    expect(sum([], 7)).toBe(7);
  });

  test('huge range elements go through bigint', () => {
    const big = Number.MAX_SAFE_INTEGER - 10;
    expect(sum(range(big, big + 3))).toBe(3n * BigInt(big) + 3n);
  });

  test('floats use compensated summation (CPython 3.12+)', () => {
    expect(sum(Array(10).fill(0.1))).toBe(1);
    expect(sum([1e100, 1, -1e100])).toBe(1);
    expect(sum([1, 2], 0.5)).toBe(3.5);
    expect(sum([Infinity, 1])).toBe(Infinity);
  });

  test('lists concatenate with a list start; strings are refused', () => {
    expect(sum([[1], [2, 3]], [] as number[])).toEqual([1, 2, 3]);
    expect(() => sum(['a'] as never)).toThrow("unsupported operand type(s) for +: 'int' and 'str'");
    expect(() => sum([1] as never, 'x' as never)).toThrow("sum() can't sum strings [use ''.join(seq) instead]");
    expect(() => sum(5 as never)).toThrow("'int' object is not iterable");
  });
});

describe('pow and abs', () => {
  test('exact ints, float for negative exponents, modular', () => {
    expect(pow(2, 8)).toBe(256);
    expect(pow(2, 64)).toBe(18446744073709551616n);
    expect(pow(2, -2)).toBe(0.25);
    expect(pow(2, 10, 1000)).toBe(24);
    expect(pow(3, -1, 7)).toBe(5);
    expect(pow(-2, 3, -5)).toBe(-3);
    expect(() => pow(0, -1)).toThrow(new ZeroDivisionError('0.0 cannot be raised to a negative power'));
    expect(() => pow(2, 3, 0)).toThrow('pow() 3rd argument cannot be 0');
    expect(() => pow(2, -1, 4)).toThrow('base is not invertible for the given modulus');
    expect(() => pow(1.5, 2, 3)).toThrow('pow() 3rd argument not allowed unless all arguments are integers');
  });

  test('abs', () => {
    expect([abs(-3), abs(2.5), abs(-0), abs(true)]).toEqual([3, 2.5, 0, 1]);
    expect(abs(-(2n ** 70n))).toBe(2n ** 70n);
  });
});

describe('min, max, sorted', () => {
  test('iterable or varargs, key and default', () => {
    expect(min([3, 1, 2])).toBe(1);
    expect(max(3, 1, 2)).toBe(3);
    expect(min(['bb', 'a', 'ccc'], { key: len })).toBe('a');
    expect(max('bb', 'a', 'cc', { key: len })).toBe('bb'); // first of the equal maxima
    expect(min([] as number[], { default: null })).toBeNull();
    expect(max(new Set([1n, 5, 3]))).toBe(5);
    expect(min({ b: 1, a: 2 } as never)).toBe('a'); // a dict iterates its keys
    expect(() => min([])).toThrow('min() arg is an empty sequence');
    expect(() => (min as (...a: unknown[]) => unknown)()).toThrow('min expected at least 1 argument, got 0');
    expect(() => min([1, 'a'] as unknown[])).toThrow("'<' not supported between instances of 'str' and 'int'");
  });

  test('sorted is stable, code-point ordered, with key and reverse', () => {
    expect(sorted([3, 1, 2])).toEqual([1, 2, 3]);
    expect(sorted([10, 9, 100])).toEqual([9, 10, 100]); // numeric, not JS's default string order
    expect(sorted(['\uff21', '\u{1F600}', 'b', 'B'])).toEqual(['B', 'b', '\uff21', '\u{1F600}']);
    const people = [['ann', 3], ['bob', 1], ['cid', 3], ['dan', 1]] as [string, number][];
    expect(sorted(people, { key: (p) => p[1] }).map((p) => p[0])).toEqual(['bob', 'dan', 'ann', 'cid']);
    expect(sorted(people, { key: (p) => p[1], reverse: true }).map((p) => p[0])).toEqual(['ann', 'cid', 'bob', 'dan']);
    expect(sorted([[1, 'b'], [1, 'a'], [0, 'z']])).toEqual([[0, 'z'], [1, 'a'], [1, 'b']]);
  });
});

describe('len, list, enumerate, zip', () => {
  test('len', () => {
    expect([len('한😀'), len([1]), len(new Map([[1, 2]])), len({ a: 1 }), len({ __len__: () => 7 }), len(new (class { size = 4 })()), len({ size: 4 })]).toEqual(
      [2, 1, 1, 1, 7, 4, 1],
    );
    expect(() => len(5)).toThrow("object of type 'int' has no len()");
  });

  test('list of sync and async iterables', async () => {
    expect(list(range(3))).toEqual([0, 1, 2]);
    expect(list('hé')).toEqual(['h', 'é']);
    expect(list()).toEqual([]);
    async function* gen() {
      yield 1;
      yield 2;
    }
    const pending: Promise<number[]> = list(gen());
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toEqual([1, 2]);
  });

  test('enumerate and zip yield tuples', () => {
    expect(repr(list(enumerate(['a', 'b'], 1)))).toBe("[(1, 'a'), (2, 'b')]");
    const pairs: (readonly [string, number])[] = list(zip('ab', [1, 2, 3]));
    expect(repr(pairs)).toBe("[('a', 1), ('b', 2)]");
    expect(list(zip())).toEqual([]);
  });
});

describe('time and os', () => {
  test('time.time is epoch seconds; perf_counter and monotonic do not go back', () => {
    expect(Math.abs(time.time() - Date.now() / 1000)).toBeLessThan(5);
    const a = time.perf_counter();
    const b = time.perf_counter();
    expect(b).toBeGreaterThanOrEqual(a);
    expect(time.monotonic()).toBeGreaterThanOrEqual(0);
    expect(typeof time.time_ns()).toBe('bigint');
  });

  test('sleep resolves; a negative length is a ValueError', async () => {
    await expect(time.sleep(0.001)).resolves.toBeUndefined();
    expect(() => time.sleep(-1)).toThrow(new ValueError('sleep length must be non-negative'));
  });

  test('os', () => {
    expect(os.cpu_count()).toBeGreaterThanOrEqual(1);
    expect(os.getpid()).toBe(process.pid);
  });
});
