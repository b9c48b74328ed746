/** Ported from CPython's test_thread_pool.py and the executor/map tests (test_base), for our slot-based pool. */
import * as os from 'node:os';
import {
  BrokenThreadPool, CancelledError, Future, TimeoutError, ValueError,
} from '../../../runtime/futures/_base';
import { ThreadPoolExecutor } from '../../../runtime/futures/thread';
import { repr } from '../../../runtime/python/repr';
import { timesOf } from '../../../runtime/timeline/record';
import { captureStderr, masked, sleep, tick } from './helpers';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('construction', () => {
  test('default max_workers is min(32, cpu_count + 4)', () => {
    expect(new ThreadPoolExecutor()._max_workers).toBe(Math.min(32, os.cpus().length + 4));
    expect(new ThreadPoolExecutor(3)._max_workers).toBe(3);
  });

  test('max_workers <= 0 is a ValueError', () => {
    for (const n of [0, -1]) {
      let error: unknown;
      try {
        new ThreadPoolExecutor({ max_workers: n });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValueError);
      expect(repr(error)).toBe("ValueError('max_workers must be greater than 0')");
    }
  });

  test('a non-callable initializer is a TypeError', () => {
    expect(() => new ThreadPoolExecutor({ initializer: 5 as never })).toThrow('initializer must be a callable');
  });

  test('repr is Python\'s default object repr', () => {
    expect(masked(repr(new ThreadPoolExecutor()))).toBe('<concurrent.futures.thread.ThreadPoolExecutor object at 0xADDR>');
  });

  test('thread_name_prefix, or a numbered default', () => {
    expect(new ThreadPoolExecutor({ thread_name_prefix: 'io' })._thread_name_prefix).toBe('io');
    expect(new ThreadPoolExecutor()._thread_name_prefix).toMatch(/^ThreadPoolExecutor-\d+$/);
  });
});

describe('submit', () => {
  test('sync and async functions, positional arguments', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    await expect(executor.submit(Math.pow, 2, 8).result()).resolves.toBe(256);
    await expect(executor.submit(async (a: string, b: string) => a + b, 'x', 'y').result()).resolves.toBe('xy');
    await executor.shutdown();
  });

  test('a throwing task fails its future with the same error object', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    const error = new RangeError('nope');
    const f = executor.submit(() => {
      throw error;
    });
    await expect(f.result()).rejects.toBe(error);
    expect(masked(repr(f))).toBe('<Future at 0xADDR state=finished raised RangeError>');
    const g = executor.submit(async () => Promise.reject(error));
    await expect(g.exception()).resolves.toBe(error);
    await executor.shutdown();
  });

  test('a non-callable fails its future with TypeError, as calling it would in Python', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    const e = await executor.submit(5 as never).exception();
    expect(repr(e)).toBe(`TypeError("'int' object is not callable")`);
    await executor.shutdown();
  });

  test('a free slot marks the future running at once; the body starts on a later macrotask', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    let started = false;
    const f = executor.submit(() => {
      started = true;
      return 1;
    });
    const g = executor.submit(() => 2);
    expect(started).toBe(false);
    expect(masked(repr(f))).toBe('<Future at 0xADDR state=running>');
    expect(masked(repr(g))).toBe('<Future at 0xADDR state=pending>');
    expect(f.cancel()).toBe(false);
    await tick();
    expect(started).toBe(true);
    expect(masked(repr(f))).toBe('<Future at 0xADDR state=finished returned int>');
    await executor.shutdown();
    expect(masked(repr(g))).toBe('<Future at 0xADDR state=finished returned int>');
  });

  test('at most max_workers tasks in flight; an awaiting task keeps its slot', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 3 });
    let inFlight = 0;
    let peak = 0;
    const fs = Array.from({ length: 10 }, (_, i) =>
      executor.submit(async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await sleep(0.005);
        inFlight--;
        return i;
      }),
    );
    expect(fs.filter((f) => f.running())).toHaveLength(3);
    expect(fs.filter((f) => !f.running())).toHaveLength(7);
    await executor.shutdown();
    expect(peak).toBe(3);
    expect(await Promise.all(fs.map((f) => f.result()))).toEqual([...Array(10).keys()]);
  });

  test('each sync task runs in its own macrotask, so timers interleave', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    const events: string[] = [];
    executor.submit(() => events.push('task1'));
    executor.submit(() => events.push('task2'));
    setImmediate(() => events.push('io'));
    await executor.shutdown();
    await tick();
    expect(events).toEqual(['task1', 'io', 'task2']);
  });

  test('a queued future finished by hand is skipped and logged, not run', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    let ran = false;
    executor.submit(async () => sleep(0.01));
    const queued = executor.submit(() => (ran = true));
    queued.set_result(true);
    const err = await captureStderr(() => executor.shutdown());
    expect(ran).toBe(false);
    expect(err).toContain('Exception in worker\n');
    expect(err).toContain('Future in unexpected state');
  });

  test('a cancelled queued future is skipped, its body never runs', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    let ran = false;
    const first = executor.submit(async () => sleep(0.01));
    const second = executor.submit(() => (ran = true));
    expect(second.cancel()).toBe(true);
    await executor.shutdown();
    expect(ran).toBe(false);
    expect(second._state).toBe('CANCELLED_AND_NOTIFIED');
    expect(first.done()).toBe(true);
  });
});

describe('initializer', () => {
  test('runs once per worker before its first task, with initargs', async () => {
    const calls: unknown[][] = [];
    const executor = new ThreadPoolExecutor({ max_workers: 2, initializer: (...a: unknown[]) => calls.push(a), initargs: ['x', 1] });
    const fs = Array.from({ length: 6 }, () => executor.submit(async () => sleep(0.002)));
    await executor.shutdown();
    expect(calls).toEqual([['x', 1], ['x', 1]]);
    expect(fs.every((f) => f.done())).toBe(true);
  });

  test('a failing initializer breaks the pool: BrokenThreadPool with CPython\'s message, logged', async () => {
    const executor = new ThreadPoolExecutor({
      max_workers: 1,
      initializer: () => {
        throw new Error('init failed');
      },
    });
    let fs: Future<number>[] = [];
    const err = await captureStderr(async () => {
      fs = [executor.submit(() => 1), executor.submit(() => 2)];
      expect(fs[0]._state).toBe('PENDING'); // not running until its worker is initialized
      await expect(fs[0].result()).rejects.toBeInstanceOf(BrokenThreadPool);
    });
    expect(err).toMatch(/^Exception in initializer:\nError: init failed\n/);
    for (const f of fs) {
      const e = await f.exception();
      expect(repr(e)).toBe("BrokenThreadPool('A thread initializer failed, the thread pool is not usable anymore')");
      expect(masked(repr(f))).toBe('<Future at 0xADDR state=finished raised BrokenThreadPool>');
    }
    expect(() => executor.submit(() => 3)).toThrow(BrokenThreadPool);
    expect(() => executor.submit(() => 3)).toThrow('A thread initializer failed, the thread pool is not usable anymore');
    await executor.shutdown();
  });
});

describe('map', () => {
  test('results in input order, over several iterables (zip semantics), sync and async', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 3 });
    const slowFirst = async (x: number) => (await sleep(x === 1 ? 0.02 : 0), x * 10);
    expect(await collect(executor.map(slowFirst, [1, 2, 3]))).toEqual([10, 20, 30]);
    expect(await collect(executor.map(Math.pow, [2, 3, 4], new Set([2, 3])))).toEqual([4, 27]);
    expect(await collect(executor.map((a: number) => a, (function* () { yield 7; yield 8; })()))).toEqual([7, 8]);
    expect(await collect(executor.map(Math.pow, []))).toEqual([]);
    await executor.shutdown();
  });

  test('submits every task at the call, before anything is iterated', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 2 });
    const it = executor.map((x: number) => x, [1, 2, 3, 4]);
    await executor.shutdown(); // all four already submitted, so they run; no RuntimeError
    expect(await collect(it)).toEqual([1, 2, 3, 4]);
  });

  test('a task\'s error is thrown at its position; the remaining futures are cancelled', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    const ran: number[] = [];
    const error = new RangeError('division by zero');
    const it = executor.map(async (x: number) => {
      ran.push(x);
      if (x === 0) throw error;
      await sleep(0.005);
      return 1 / x;
    }, [1, 0, 2, 4, 5]);
    const got: number[] = [];
    const e = await (async () => {
      for await (const r of it) got.push(r);
    })().catch((x: unknown) => x);
    expect(got).toEqual([1]);
    expect(e).toBe(error);
    await executor.shutdown();
    expect(ran).toEqual([1, 0, 2]); // 2 was already running when 0 failed; 4 and 5 were cancelled
  });

  test('breaking out early cancels what has not started', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    const ran: number[] = [];
    for await (const r of executor.map(async (x: number) => (ran.push(x), await sleep(0.002), x), [1, 2, 3, 4])) {
      expect(r).toBe(1);
      break;
    }
    await executor.shutdown();
    expect(ran).toEqual([1, 2]);
  });

  test('timeout counts from the map() call: TimeoutError, and the rest cancelled', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    const it = executor.map(async (d: number) => (await sleep(d), d), [0, 0.5, 0.5], { timeout: 0.05 });
    const got: number[] = [];
    const e = await (async () => {
      for await (const r of it) got.push(r);
    })().catch((x: unknown) => x);
    expect(got).toEqual([0]);
    expect(e).toBeInstanceOf(TimeoutError);
    await executor.shutdown({ cancel_futures: true });
  });

  test('buffersize bounds how many tasks are submitted ahead of the consumer', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 4 });
    let started = 0;
    const it = executor.map((x: number) => (started++, x), [1, 2, 3, 4, 5, 6], { buffersize: 2 })[Symbol.asyncIterator]();
    await sleep(0.01);
    expect(started).toBe(2);
    expect((await it.next()).value).toBe(1);
    await sleep(0.01);
    expect(started).toBe(3);
    const rest: number[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) rest.push(r.value);
    expect(rest).toEqual([2, 3, 4, 5, 6]);
    await executor.shutdown();
  });

  test('bad buffersize values', () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    expect(() => executor.map(Math.abs, [1], { buffersize: 0 })).toThrow(ValueError);
    expect(() => executor.map(Math.abs, [1], { buffersize: 0 })).toThrow('buffersize must be None or >= 1.');
    expect(() => executor.map(Math.abs, [1], { buffersize: 1.5 })).toThrow('buffersize must be an integer or None');
  });

  test('a non-iterable argument is a TypeError', () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    expect(() => executor.map(Math.abs, 5 as never)).toThrow("'int' object is not iterable");
  });

  test('cancelled map futures reject with CancelledError', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    const blocker = executor.submit(async () => sleep(0.01));
    const it = executor.map((x: number) => x, [1]);
    await executor.shutdown({ cancel_futures: true });
    const e = await collect(it).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CancelledError);
    expect(blocker.done()).toBe(true);
  });
});

describe('timeline stamps', () => {
  test('each task records submit, start and end times and its worker slot', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 2 });
    const fs = [0.01, 0.01, 0].map((d) => executor.submit(async function work() { await sleep(d); }));
    await executor.shutdown();
    const times = fs.map((f) => timesOf(f)!);
    expect(times.map((t) => t.worker)).toEqual([0, 1, expect.any(Number)]);
    for (const t of times) {
      expect(t.label).toBe('work');
      expect(t.submit).toBeLessThanOrEqual(t.start);
      expect(t.start).toBeLessThanOrEqual(t.end);
    }
  });
});
