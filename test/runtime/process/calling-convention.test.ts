/**
 * One calling convention for every executor: Python's `shutdown(wait=True, *, cancel_futures=False)` as
 * `shutdown(false)` or `shutdown({ wait, cancel_futures })`, and the runtime's Python errors (not JS's own).
 */
import { ThreadPoolExecutor } from '../../../runtime/futures/thread';
import { ProcessPoolExecutor } from '../../../runtime/futures/process';
import { InterpreterPoolExecutor } from '../../../runtime/futures/interpreter';
import * as errorClasses from '../../../runtime/python/errors';
import { PyTypeError } from '../../../runtime/python/errors';
import { repr } from '../../../runtime/python/repr';
import { spin } from './fixture';

const executors = {
  ThreadPoolExecutor: () => new ThreadPoolExecutor({ max_workers: 1 }),
  ProcessPoolExecutor: () => new ProcessPoolExecutor({ max_workers: 1 }),
  InterpreterPoolExecutor: () => new InterpreterPoolExecutor({ max_workers: 1 }),
};

describe.each(Object.entries(executors))('%s', (_name, make) => {
  test('shutdown(false) returns without waiting; the running task still finishes', async () => {
    const ex = make();
    const running = ex.submit(spin, 1500);
    const started = performance.now();
    await ex.shutdown(false);
    expect(performance.now() - started).toBeLessThan(700);
    expect(typeof (await running.result())).toBe('number');
  }, 20_000);

  test('shutdown({ wait: false, cancel_futures: true }) cancels what is pending', async () => {
    const ex = make();
    const first = ex.submit(spin, 200);
    const pending = [ex.submit(spin, 1), ex.submit(spin, 1), ex.submit(spin, 1)];
    while (!first.running()) await new Promise((resolve) => setTimeout(resolve, 5));
    await ex.shutdown({ wait: false, cancel_futures: true });
    expect(await first.exception()).toBeNull();
    expect(pending.some((f) => f.cancelled())).toBe(true);
    await ex.shutdown(true);
  }, 20_000);

  test('a non-function initializer is the runtime\'s TypeError', async () => {
    const ex = make();
    const Executor = ex.constructor as new (options: unknown) => unknown;
    await ex.shutdown();
    expect(() => new Executor({ initializer: 5 })).toThrow(PyTypeError);
  });
});

test('what cannot be shipped is the runtime\'s TypeError, naming it', async () => {
  const ex = new ProcessPoolExecutor({ max_workers: 1 });
  let local = 1;
  const e = (() => {
    try {
      ex.submit(() => local++);
    } catch (x) {
      return x;
    }
  })();
  expect(e).toBeInstanceOf(PyTypeError);
  expect(repr(e)).toBe(`TypeError("cannot ship function '<anonymous>' to a worker process: it uses 'local', a local variable of an enclosing function")`);
  expect(() => new ProcessPoolExecutor({ max_tasks_per_child: 1.5 })).toThrow(PyTypeError);
  await ex.shutdown();
});

test.each(Object.entries(executors))('%s raises the runtime\'s Python errors, with CPython\'s reprs', async (_name, make) => {
  const ex = make();
  const Executor = ex.constructor as new (options: unknown) => unknown;
  const raised = (f: () => unknown): unknown => {
    try {
      f();
    } catch (e) {
      return e;
    }
    return 'no error';
  };
  const notCallable = ex.submit(5 as unknown as () => number);
  expect(repr(await notCallable.exception())).toBe(`TypeError("'int' object is not callable")`);
  await ex.shutdown();
  const errors = [
    raised(() => new Executor({ max_workers: 0 })),
    raised(() => new Executor({ initializer: 5 })),
    raised(() => ex.submit(spin, 1)),
  ];
  expect(errors.map((e) => [e instanceof Error && e.constructor === (errorClasses as Record<string, unknown>)[e.name], repr(e)])).toEqual([
    [true, "ValueError('max_workers must be greater than 0')"],
    [true, "TypeError('initializer must be a callable')"],
    [true, "RuntimeError('cannot schedule new futures after shutdown')"],
  ]);
});
