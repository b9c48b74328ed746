// Ported in spirit from CPython's Lib/test/test_concurrent_futures/test_process_pool.py and executor tests.
import { BrokenProcessPool } from '../../../runtime/futures/_base';
import { ProcessPoolExecutor } from '../../../runtime/futures/process';
import { InterpreterPoolExecutor } from '../../../runtime/futures/interpreter';
import { failWith, pid, pointNorm, scaledTriangle, slowDouble, spin, triangle, weakMapInArray } from './fixture';
import { isAlive } from '../../../kernel/process/children';
// As in a notebook, the runtime package is loaded: it registers the exports workers preload (sum, range, pow...).
import '../../../runtime';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}


const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ProcessPoolExecutor', () => {
  let executor: ProcessPoolExecutor;
  beforeEach(() => {
    executor = new ProcessPoolExecutor({ max_workers: 2 });
  });
  afterEach(async () => {
    await executor.shutdown({ wait: true, cancel_futures: true });
  });

  test('submit ships a top-level function with its helper and constant', async () => {
    expect(await executor.submit(scaledTriangle, 4).result()).toBe(30);
  });

  test('tasks run in other processes', async () => {
    const p = await executor.submit(pid).result();
    expect(p).not.toBe(process.pid);
  });

  test('map keeps input order, with and without chunksize', async () => {
    const inputs = [5, 1, 4, 2, 3, 10, 7];
    const expected = inputs.map(triangle);
    expect(await collect(executor.map(triangle, inputs))).toEqual(expected);
    expect(await collect(executor.map(triangle, inputs, { chunksize: 3 }))).toEqual(expected);
  });

  test('10 000 tiny tasks all complete in order', async () => {
    const n = 10_000;
    const xs = Array.from({ length: n }, (_, i) => i % 50);
    const results = await collect(executor.map(triangle, xs));
    expect(results).toEqual(xs.map(triangle));
  });

  test('classes and async functions ship', async () => {
    expect(await executor.submit(pointNorm, 3, -4).result()).toBe(7);
    expect(await executor.submit(slowDouble, 21).result()).toBe(42);
  });

  test("a task's error comes back with the same name and message, the child's stack as cause", async () => {
    const f = executor.submit(failWith, 'boom');
    const err = (await f.exception()) as Error & { cause: Error };
    expect(err).toBeInstanceOf(RangeError);
    expect(err.name).toBe('RangeError');
    expect(err.message).toBe('boom');
    expect(err.cause).toBeInstanceOf(Error);
    expect(err.cause.stack).toContain('failWith');
    await expect(f.result()).rejects.toBe(err);
  });

  test('a closure over a local variable fails at submit, naming it', () => {
    let counter = 0;
    const bump = () => ++counter;
    expect(() => executor.submit(bump)).toThrow(
      "cannot ship function 'bump' to a worker process: it uses 'counter', a local variable of an enclosing function");
  });

  test('an uncloneable argument fails at submit', () => {
    expect(() => executor.submit(triangle, Symbol('x'))).toThrow(
      "cannot send argument 1 of 'triangle' to a worker process: a symbol cannot be cloned");
  });

  test('a result that cannot be cloned fails its future, naming its type', async () => {
    await expect(executor.submit(weakMapInArray).result()).rejects.toThrow(
      'cannot send the result back from the worker: an Array cannot be cloned');
  });

  test('max_workers must be positive', () => {
    expect(() => new ProcessPoolExecutor({ max_workers: 0 })).toThrow('max_workers must be greater than 0');
    expect(() => new ProcessPoolExecutor({ max_tasks_per_child: 0 })).toThrow('max_tasks_per_child must be >= 1');
  });

  test('submit after shutdown raises RuntimeError', async () => {
    await executor.shutdown();
    expect(() => executor.submit(triangle, 1)).toThrow('cannot schedule new futures after shutdown');
  });

  test('shutdown leaves no child processes', async () => {
    await collect(executor.map(triangle, [1, 2, 3, 4]));
    const pids = executor._worker_ids;
    expect(pids.length).toBeGreaterThan(0);
    for (const p of pids) expect(isAlive(p)).toBe(true);
    await executor.shutdown({ wait: true });
    for (const p of pids) expect(isAlive(p)).toBe(false);
  });
});

describe('a child killed mid-task', () => {
  test('breaks the pool with BrokenProcessPool; a new pool works', async () => {
    const executor = new ProcessPoolExecutor({ max_workers: 1 });
    const running = executor.submit(spin, 30_000);
    const pending = executor.submit(triangle, 3);
    const queued = executor.submit(triangle, 4);
    while (!executor._worker_ids.length || !running.running()) await tick();
    process.kill(executor._worker_ids[0]!, 'SIGKILL');
    for (const f of [running, pending, queued]) {
      const err = await f.exception();
      expect(err).toBeInstanceOf(BrokenProcessPool);
      expect((err as Error).message).toBe(
        'A process in the process pool was terminated abruptly while the future was running or pending.');
    }
    expect(() => executor.submit(triangle, 1)).toThrow(BrokenProcessPool);
    expect(() => executor.submit(triangle, 1)).toThrow(
      'A child process terminated abruptly, the process pool is not usable anymore');
    await executor.shutdown();

    const fresh = new ProcessPoolExecutor({ max_workers: 1 });
    expect(await fresh.submit(triangle, 3).result()).toBe(6);
    await fresh.shutdown();
  });
});

test('max_tasks_per_child replaces a worker after N tasks', async () => {
  const executor = new ProcessPoolExecutor({ max_workers: 1, max_tasks_per_child: 2 });
  const pids: number[] = [];
  for (let i = 0; i < 4; i++) pids.push(await executor.submit(pid).result());
  expect(pids[0]).toBe(pids[1]);
  expect(pids[2]).toBe(pids[3]);
  expect(pids[2]).not.toBe(pids[0]);
  await executor.shutdown();
});

test('initializer runs in each worker before its tasks', async () => {
  const executor = new ProcessPoolExecutor({
    max_workers: 1,
    initializer: new Function('return function init(v) { globalThis.INIT_VALUE = v; }')(),
    initargs: [41],
  });
  const read = new Function('return function readInit() { return globalThis.INIT_VALUE + 1; }')();
  expect(await executor.submit(read).result()).toBe(42);
  await executor.shutdown();
});

test("the lecture's sum_generate runs in a process pool with the runtime's sum and range", async () => {
  // Notebook code sees sum/range as globals; (0, eval) gives a function whose source uses them that way.
  const sum_generate = (0, eval)('(function sum_generate(n) { return sum(range(1, n + 1)); })');
  const WORK_LIST = [100000, 1000000, 10000000, 10000000];
  const executor = new ProcessPoolExecutor();
  try {
    expect(await collect(executor.map(sum_generate, WORK_LIST))).toEqual(
      [5000050000, 500000500000, 50000005000000, 50000005000000]);
  } finally {
    await executor.shutdown();
  }
});

describe('InterpreterPoolExecutor', () => {
  test('runs shipped functions on worker threads of this process', async () => {
    const executor = new InterpreterPoolExecutor({ max_workers: 2 });
    try {
      expect(await executor.submit(scaledTriangle, 4).result()).toBe(30);
      expect(await executor.submit(pid).result()).toBe(process.pid);
      expect(await collect(executor.map(triangle, [1, 2, 3]))).toEqual([1, 3, 6]);
      const err = await executor.submit(failWith, 'x').exception();
      expect((err as Error).name).toBe('RangeError');
    } finally {
      await executor.shutdown();
    }
  });
});
