/**
 * CPython's `concurrent.futures._base` in TypeScript: wait, as_completed and the Executor base, and under `_base`'s
 * names the rest of that module, which lives in its own files here: Future (future.ts), the errors (errors.ts), the
 * states (states.ts), the waiters (waiters.ts) and the timers (event.ts).
 *
 * Python blocks a thread on a Condition; we cannot block the event loop, so every blocking call returns a Promise and
 * every Condition/Event becomes a set of resolvers that state changes notify (no polling anywhere). Otherwise the
 * algorithms, states and messages follow CPython 3.14 line by line, so behaviour (including its corner cases, e.g. a
 * cancelled future only counts as done for wait() once an executor has "notified" the cancellation) is the same.
 */
import { inspect } from 'node:util';
import { TimeoutError, TypeError, ValueError } from '../python/errors';
import { REPR, addressOf, pyTypeName, repr } from '../python/repr';
import { zipRows } from '../python/builtins';
import { Fifo } from './fifo';
import { Future } from './future';
import { monotonic } from './event';
import { ALL_COMPLETED, AS_COMPLETED, FIRST_COMPLETED, FIRST_EXCEPTION, type ReturnWhen } from './states';
import { createAndInstallWaiters, isCancelledState, isFinished, removeWaiter } from './waiters';

export { RuntimeError, TimeoutError, ValueError } from '../python/errors';
export { BrokenExecutor, BrokenProcessPool, BrokenThreadPool, CancelledError, FuturesError, InvalidStateError } from './errors';
export { Future, logException, type DoneCallback } from './future';
export { monotonic } from './event';
export {
  ALL_COMPLETED, CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED, FIRST_COMPLETED, FIRST_EXCEPTION, PENDING, RUNNING,
  STATE_TO_DESCRIPTION_MAP, type FutureState, type ReturnWhen,
} from './states';
export { defineBoundMethods } from '../python/bound-method';

// ---------------------------------------------------------------------------------------------------------------
// wait() and as_completed()

/** wait()'s named 2-tuple: `const {done, not_done} = r` or `const [done, not_done] = r`. */
export class DoneAndNotDoneFutures<T = unknown> implements Iterable<Set<Future<T>>> {
  constructor(
    readonly done: Set<Future<T>>,
    readonly not_done: Set<Future<T>>,
  ) {}

  get 0(): Set<Future<T>> {
    return this.done;
  }
  get 1(): Set<Future<T>> {
    return this.not_done;
  }
  get length(): 2 {
    return 2;
  }

  *[Symbol.iterator](): Iterator<Set<Future<T>>> {
    yield this.done;
    yield this.not_done;
  }

  [REPR](): string {
    return `DoneAndNotDoneFutures(done=${repr(this.done)}, not_done=${repr(this.not_done)})`;
  }

  [inspect.custom](): string {
    return this[REPR]();
  }
}

export interface WaitOptions {
  timeout?: number | null;
  return_when?: ReturnWhen;
}

/**
 * Waits for the futures to complete: resolves to DoneAndNotDoneFutures when `return_when` is met or `timeout`
 * seconds pass (it never rejects on timeout). Duplicates in `fs` are counted once.
 */
export async function wait<T>(
  fs: Iterable<Future<T>>,
  options: WaitOptions | number | null = {},
  positionalReturnWhen?: ReturnWhen,
): Promise<DoneAndNotDoneFutures<T>> {
  // Python's wait(fs, timeout=None, return_when=ALL_COMPLETED) also takes both positionally.
  const { timeout = null, return_when = ALL_COMPLETED } =
    options !== null && typeof options === 'object' ? options : { timeout: options, return_when: positionalReturnWhen };
  const all = new Set(fs);
  const done = new Set<Future<T>>();
  for (const f of all) if (isFinished(f)) done.add(f);
  const notDone = (): Set<Future<T>> => new Set([...all].filter((f) => !done.has(f)));

  if (return_when === FIRST_COMPLETED && done.size) return new DoneAndNotDoneFutures(done, notDone());
  if (return_when === FIRST_EXCEPTION && done.size) {
    for (const f of done) {
      if (!isCancelledState(f._state) && f._raised) return new DoneAndNotDoneFutures(done, notDone());
    }
  }
  if (done.size === all.size) return new DoneAndNotDoneFutures(done, notDone());

  const waiter = createAndInstallWaiters(all, return_when);
  try {
    await waiter.event.wait(timeout);
  } finally {
    for (const f of all) removeWaiter(f, waiter);
  }
  for (const f of waiter.finished_futures as Future<T>[]) done.add(f);
  return new DoneAndNotDoneFutures(done, notDone());
}

/**
 * `for await (const f of as_completed(fs, {timeout}))`: yields each future as it completes (finished or cancelled),
 * the already-finished ones first, each once. Throws TimeoutError('N (of M) futures unfinished') when `timeout`
 * seconds, counted from the start of the iteration (as CPython's generator), pass before all are done.
 */
export function as_completed<T>(
  fs: Iterable<Future<T>>,
  timeout?: number | null | { timeout?: number | null },
): AsyncGenerator<Future<T>, void, undefined> {
  const seconds = typeof timeout === 'object' && timeout !== null ? (timeout.timeout ?? null) : (timeout ?? null);
  const watched = new Set(fs);
  // progress() finds the futures here, for its Cancel button.
  return Object.defineProperty(asCompletedIterator(watched, seconds), WATCHES, { value: watched });
}

/** On what as_completed returns: the futures it watches (a Set). */
export const WATCHES: unique symbol = Symbol.for('tsfutures.futures.watches') as never;

async function* asCompletedIterator<T>(fs: Set<Future<T>>, timeout: number | null): AsyncGenerator<Future<T>, void, undefined> {
  // CPython's as_completed is a generator: its deadline is taken at the first next(), not at the call.
  const endTime = timeout === null ? null : timeout + monotonic();
  const totalFutures = fs.size;
  const finished = [...fs].filter(isFinished);
  const pending = new Set([...fs].filter((f) => !isFinished(f)));
  const waiter = createAndInstallWaiters(fs, AS_COMPLETED);
  // The futures yielded already; the rest still carry our waiter and lose it in `finally`.
  const yielded = new Set<Future<T>>();
  try {
    for (const f of finished) {
      yielded.add(f);
      removeWaiter(f, waiter);
      yield f;
    }
    while (pending.size) {
      let waitTimeout: number | null = null;
      if (endTime !== null) {
        waitTimeout = endTime - monotonic();
        if (waitTimeout < 0) throw new TimeoutError(`${pending.size} (of ${totalFutures}) futures unfinished`);
      }
      await waiter.event.wait(waitTimeout);
      const batch = waiter.finished_futures as Future<T>[];
      waiter.finished_futures = [];
      waiter.event.clear();
      for (const f of batch) {
        if (yielded.has(f)) continue;
        yielded.add(f);
        pending.delete(f);
        removeWaiter(f, waiter);
        yield f;
      }
    }
  } finally {
    for (const f of fs) if (!yielded.has(f)) removeWaiter(f, waiter);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Executor

export interface MapOptions {
  timeout?: number | null;
  chunksize?: number;
  buffersize?: number | null;
}

export interface ShutdownOptions {
  wait?: boolean;
  cancel_futures?: boolean;
}

/** A trailing options object: a plain object that is not iterable (so arrays, Sets, generators stay positional). */
export function isOptionsObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const proto = Object.getPrototypeOf(x);
  return (proto === Object.prototype || proto === null) && !(Symbol.iterator in x) && !(Symbol.asyncIterator in x);
}

/** `fut.result(timeout)`, cancelling the future whatever happens (so an abandoned map() stops its work). */
async function resultOrCancel<T>(fut: Future<T>, timeout: number | null): Promise<T> {
  try {
    return await fut.result(timeout);
  } finally {
    fut.cancel();
  }
}

/** The abstract base of executors: concrete ones implement submit() and shutdown(). */
export abstract class Executor {
  /** Python module shown in the default repr; subclasses set their own. */
  static pyModule = 'concurrent.futures._base';

  /** Schedules `fn(...args)` (sync or async) and returns a Future for its outcome. */
  abstract submit<R>(fn: (...args: any[]) => R, ...args: any[]): Future<Awaited<R>>;

  /**
   * `for await (const r of executor.map(fn, it1, it2, {timeout, chunksize, buffersize}))`: results in input order.
   * Tasks are submitted now (at most `buffersize` ahead of the consumer when given); `timeout` counts from this call;
   * a task's error is thrown at its position and the remaining futures are cancelled on error or early exit.
   */
  map<R>(fn: (...args: any[]) => R, ...rest: unknown[]): AsyncIterable<Awaited<R>> {
    const { iterables, buffersize, endTime } = mapArguments(rest, takeMapOptions(rest));

    const argsIter = zipRows(iterables);
    const fs = new Fifo<Future<Awaited<R>>>(); // taken from the front: an array's shift() is O(n) when large
    while (buffersize === null || fs.length < buffersize) {
      const args = argsIter.next();
      if (args.done) break;
      fs.push(this.submit(fn, ...args.value));
    }
    return this.resultIterator(fn, fs, argsIter, buffersize !== null, endTime);
  }

  // Yields live in a separate generator so that map() submits before the first result is asked for.
  private async *resultIterator<R>(
    fn: (...args: any[]) => R,
    fs: Fifo<Future<Awaited<R>>>,
    argsIter: Generator<unknown[]>,
    buffered: boolean,
    endTime: number | null,
  ): AsyncGenerator<Awaited<R>, void, undefined> {
    try {
      while (fs.length) {
        // Buffered: one new task per result taken. (CPython also stops feeding once the executor was collected.)
        if (buffered) {
          const next = argsIter.next();
          if (!next.done) fs.push(this.submit(fn, ...next.value));
        }
        const fut = fs.shift()!;
        yield await resultOrCancel(fut, endTime === null ? null : endTime - monotonic());
      }
    } finally {
      for (const f of fs.drain()) f.cancel();
      argsIter.return(undefined);
    }
  }

  /** Frees the executor's resources; with `wait` (default) resolves once running and pending work has finished. */
  async shutdown(_options: ShutdownOptions | boolean = {}): Promise<void> {}

  /** `await using executor = new ThreadPoolExecutor()`: Python's `with` block, which waits for the work. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ wait: true });
  }

  [REPR](): string {
    return `<${(this.constructor as typeof Executor).pyModule}.${this.constructor.name} object at ${addressOf(this)}>`;
  }

  [inspect.custom](): string {
    return this[REPR]();
  }
}

/** map()'s keyword arguments: the trailing options object, taken off `rest` when there is one. */
export function takeMapOptions(rest: unknown[]): MapOptions {
  return rest.length && isOptionsObject(rest[rest.length - 1]) ? (rest.pop() as MapOptions) : {};
}

/** map()'s other arguments checked as CPython checks them, and its deadline (monotonic seconds) from `timeout`. */
export function mapArguments(
  rest: unknown[],
  options: MapOptions,
): { iterables: Iterable<unknown>[]; buffersize: number | null; endTime: number | null } {
  const iterables = rest as Iterable<unknown>[];
  for (const it of iterables) {
    if (it === null || typeof it !== 'object' || !(Symbol.iterator in it)) {
      throw new TypeError(`'${pyTypeName(it)}' object is not iterable`);
    }
  }
  const { timeout = null, buffersize = null } = options;
  if (buffersize !== null && !Number.isInteger(buffersize)) throw new TypeError('buffersize must be an integer or None');
  if (buffersize !== null && buffersize < 1) throw new ValueError('buffersize must be None or >= 1.');
  return { iterables, buffersize, endTime: timeout === null ? null : timeout + monotonic() };
}

/** Normalises shutdown's arguments: Python's `shutdown(wait=True, *, cancel_futures=False)`. */
export function shutdownOptions(options: ShutdownOptions | boolean | undefined): Required<ShutdownOptions> {
  if (typeof options === 'boolean') return { wait: options, cancel_futures: false };
  return { wait: options?.wait ?? true, cancel_futures: options?.cancel_futures ?? false };
}
