// map(fn, ...iterables, {chunksize > 1}) on the pools, against what CPython 3.11 does (measured with /usr/bin/python3):
//   list(ex.map(f, range(10), chunksize=3)) with f raising at 5 -> yields 0, 10, 20, then raises (chunk [3,4,5] is lost)
//   list(ex.map(pow, [2, 3, 4], [5, 6], chunksize=2)) -> [32, 729];  list(ex.map(f, [], chunksize=3)) -> []
import { Future, TimeoutError } from '../../../runtime/futures/_base';
import { InterpreterPoolExecutor } from '../../../runtime/futures/interpreter';
import { ProcessPoolExecutor } from '../../../runtime/futures/process';
import { historyOf } from '../../../runtime/timeline/record';
import { later, power, sleepThen, tenTimesUnlessFive } from './chunk-fixture';
import { triangle } from './fixture';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('ProcessPoolExecutor.map with chunksize', () => {
  let executor: ProcessPoolExecutor;
  beforeEach(() => {
    executor = new ProcessPoolExecutor({ max_workers: 2 });
  });
  afterEach(async () => {
    await executor.shutdown({ wait: true, cancel_futures: true });
  });

  test('results in input order, the last chunk short', async () => {
    expect(await collect(executor.map(triangle, range(1000), { chunksize: 7 }))).toEqual(range(1000).map(triangle));
  });

  test("a chunk's error is thrown where the chunk starts, after the earlier chunks' values", async () => {
    const got: number[] = [];
    let error: unknown;
    try {
      for await (const v of executor.map(tenTimesUnlessFive, range(10), { chunksize: 3 })) got.push(v as number);
    } catch (e) {
      error = e;
    }
    expect(got).toEqual([0, 10, 20]);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('five');
  });

  test('several iterables are zipped, the shortest ends it; no input, no results', async () => {
    expect(await collect(executor.map(power, [2, 3, 4], [5, 6], { chunksize: 2 }))).toEqual([32, 729]);
    expect(await collect(executor.map(power, [], [1], { chunksize: 3 }))).toEqual([]);
  });

  test('async functions are awaited in the worker', async () => {
    expect(await collect(executor.map(later, range(7), { chunksize: 3 }))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test('every chunk is submitted at the call; with buffersize, one chunk per chunk taken', async () => {
    let pulled = 0;
    function* counted(n: number) {
      for (let i = 0; i < n; i++) {
        pulled++;
        yield i;
      }
    }
    const all = executor.map(triangle, counted(10), { chunksize: 3 });
    expect(pulled).toBe(10);
    expect(await collect(all)).toEqual(range(10).map(triangle));

    pulled = 0;
    const lazy = executor.map(triangle, counted(10), { chunksize: 3, buffersize: 1 });
    expect(pulled).toBe(3);
    const it = lazy[Symbol.asyncIterator]();
    expect(await it.next()).toEqual({ value: 0, done: false });
    expect(pulled).toBe(6);
    const rest: number[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value);
    expect([0, ...rest]).toEqual(range(10).map(triangle));
  });

  test('leaving the loop early cancels the chunks not yet started', async () => {
    const one = new ProcessPoolExecutor({ max_workers: 1 });
    try {
      for await (const v of one.map(sleepThen, Array(12).fill(50), { chunksize: 2 })) {
        expect(v).toBe(50);
        break;
      }
      const chunks = historyOf(one) as Future[];
      expect(chunks).toHaveLength(6);
      // The first chunk done, two more handed to the worker when its result came (one running, one prefetched, as
      // CPython's call queue holds one more), the rest cancelled.
      expect(chunks.slice(0, 3).some((f) => f.cancelled())).toBe(false);
      expect(chunks.slice(3).every((f) => f.cancelled())).toBe(true);
    } finally {
      await one.shutdown();
    }
  });

  test('timeout counts from the call and cancels what is left', async () => {
    const results = executor.map(sleepThen, Array(8).fill(300), { chunksize: 2, timeout: 0.05 });
    await expect(collect(results)).rejects.toBeInstanceOf(TimeoutError);
  });

  test('concurrent next() calls are answered in order', async () => {
    const it = executor.map(triangle, range(5), { chunksize: 2 })[Symbol.asyncIterator]();
    const all = await Promise.all(range(7).map(() => it.next()));
    expect(all.map((r) => r.value)).toEqual([0, 1, 3, 6, 10, undefined, undefined]);
    expect(all.map((r) => r.done)).toEqual([false, false, false, false, false, true, true]);
  });

  test('bad arguments are refused at the call, naming the argument', () => {
    expect(() => executor.map(triangle, range(3), { chunksize: 0 })).toThrow('chunksize must be >= 1.');
    expect(() => executor.map(triangle, 5 as never, { chunksize: 2 })).toThrow("'int' object is not iterable");
    expect(() => executor.map(triangle, [1, new WeakMap()], { chunksize: 2 })).toThrow(/argument 1 of 'triangle'/);
  });
});

test('InterpreterPoolExecutor.map with chunksize', async () => {
  const executor = new InterpreterPoolExecutor({ max_workers: 2 });
  try {
    expect(await collect(executor.map(power, [2, 3, 4, 5], [2, 2, 2, 2], { chunksize: 3 }))).toEqual([4, 9, 16, 25]);
  } finally {
    await executor.shutdown();
  }
});
