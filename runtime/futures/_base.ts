/**
 * CPython's `concurrent.futures._base` in TypeScript: Future, Executor, wait, as_completed and the error types.
 *
 * Python blocks a thread on a Condition; we cannot block the event loop, so every blocking call returns a Promise and
 * every Condition/Event becomes a set of resolvers that state changes notify (no polling anywhere). Otherwise the
 * algorithms, states and messages follow CPython 3.14 line by line, so behaviour (including its corner cases, e.g. a
 * cancelled future only counts as done for wait() once an executor has "notified" the cancellation) is the same.
 */
import { inspect } from 'node:util';
import { performance } from 'node:perf_hooks';
import { PyException, TypeError, ValueError } from '../python/errors';
import { REPR, addressOf, pyTypeName, repr } from '../python/repr';
import { Fifo } from './fifo';
import { HISTORY, SLOT, type History } from '../timeline/record';
import { zipRows } from '../python/builtins';

export { ValueError };

export const FIRST_COMPLETED = 'FIRST_COMPLETED';
export const FIRST_EXCEPTION = 'FIRST_EXCEPTION';
export const ALL_COMPLETED = 'ALL_COMPLETED';
const AS_COMPLETED = '_AS_COMPLETED';
export type ReturnWhen = typeof FIRST_COMPLETED | typeof FIRST_EXCEPTION | typeof ALL_COMPLETED;

// Future states (internal to the futures package, as in CPython).
export const PENDING = 'PENDING';
export const RUNNING = 'RUNNING';
/** Cancelled by the user... */
export const CANCELLED = 'CANCELLED';
/** ...and the cancellation was passed on to waiters by an executor (set_running_or_notify_cancel). */
export const CANCELLED_AND_NOTIFIED = 'CANCELLED_AND_NOTIFIED';
export const FINISHED = 'FINISHED';
export type FutureState =
  | typeof PENDING | typeof RUNNING | typeof CANCELLED | typeof CANCELLED_AND_NOTIFIED | typeof FINISHED;

/** The word each state shows in a Future's repr. */
export const STATE_TO_DESCRIPTION_MAP: Readonly<Record<FutureState, string>> = {
  PENDING: 'pending',
  RUNNING: 'running',
  CANCELLED: 'cancelled',
  CANCELLED_AND_NOTIFIED: 'cancelled',
  FINISHED: 'finished',
};

// ---------------------------------------------------------------------------------------------------------------
// Errors. Python names via prototype.name (so subclasses keep theirs); reprs come from repr.ts's `args` rule.

function named<C extends { prototype: Error }>(cls: C, name: string): C {
  cls.prototype.name = name;
  return cls;
}

/** Python's builtin RuntimeError (JS has none): raised by submit() after shutdown. */
export class RuntimeError extends PyException {}
named(RuntimeError, 'RuntimeError');

/** Python's builtin TimeoutError, which concurrent.futures re-exports. */
export class TimeoutError extends PyException {}
named(TimeoutError, 'TimeoutError');

/** `concurrent.futures._base.Error`: base of the future-specific errors. */
export class FuturesError extends PyException {}
named(FuturesError, 'Error');

export class CancelledError extends FuturesError {}
named(CancelledError, 'CancelledError');

export class InvalidStateError extends FuturesError {}
named(InvalidStateError, 'InvalidStateError');

/** Raised when an executor has become non-functional after a severe failure. */
export class BrokenExecutor extends RuntimeError {}
named(BrokenExecutor, 'BrokenExecutor');

/** A worker of a ThreadPoolExecutor failed initializing (CPython defines it in thread.py). */
export class BrokenThreadPool extends BrokenExecutor {}
named(BrokenThreadPool, 'BrokenThreadPool');

/** A worker process died or failed initializing (CPython defines it in process.py). */
export class BrokenProcessPool extends BrokenExecutor {}
named(BrokenProcessPool, 'BrokenProcessPool');

// ---------------------------------------------------------------------------------------------------------------
// Logging: CPython logs through logging.getLogger('concurrent.futures'); with no handlers configured that prints
// the message and the traceback on stderr. process.stderr is looked up per call so the kernel's redirection applies.

export function logException(message: string, error?: unknown): void {
  let text = message + '\n';
  if (error !== undefined) {
    text += error instanceof Error && error.stack ? error.stack + '\n' : `${repr(error)}\n`;
  }
  process.stderr.write(text);
}

// ---------------------------------------------------------------------------------------------------------------
// Timers and events: the promise-based stand-ins for threading.Condition.wait(timeout) and threading.Event.

const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's limit; longer waits are chained

/** Calls `fn` after `seconds`; returns a canceller. */
function after(seconds: number, fn: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = (ms: number): void => {
    timer = ms > MAX_TIMER_MS ? setTimeout(() => arm(ms - MAX_TIMER_MS), MAX_TIMER_MS) : setTimeout(fn, ms);
  };
  arm(Math.max(0, seconds * 1000));
  return () => clearTimeout(timer);
}

/**
 * Waits until `notify` is called or `timeout` seconds pass. Resolves true when notified. A timeout of null/undefined
 * waits forever (no timer, so a wait that can never end does not keep the process alive); <= 0 does not wait at all.
 */
function waitFor(register: (notify: () => void) => () => void, timeout: number | null | undefined): Promise<boolean> {
  if (timeout != null && timeout <= 0) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    let cancelTimer: (() => void) | undefined;
    const unregister = register(() => {
      cancelTimer?.();
      resolve(true);
    });
    if (timeout != null) {
      cancelTimer = after(timeout, () => {
        unregister();
        resolve(false);
      });
    }
  });
}

/** threading.Event: set() wakes every current waiter; wait() resolves at once while the flag is set. */
class Event {
  private flag = false;
  private readonly waiters = new Set<() => void>();

  is_set(): boolean {
    return this.flag;
  }

  set(): void {
    this.flag = true;
    const woken = [...this.waiters];
    this.waiters.clear();
    for (const w of woken) w();
  }

  clear(): void {
    this.flag = false;
  }

  wait(timeout?: number | null): Promise<boolean> {
    if (this.flag) return Promise.resolve(true);
    return waitFor((notify) => {
      this.waiters.add(notify);
      return () => this.waiters.delete(notify);
    }, timeout).then((notified) => notified || this.flag);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Waiters: what wait() and as_completed() install on futures; futures call them when they finish.

class Waiter {
  readonly event = new Event();
  finished_futures: Future<any>[] = [];

  add_result(future: Future<any>): void {
    this.finished_futures.push(future);
  }
  add_exception(future: Future<any>): void {
    this.finished_futures.push(future);
  }
  add_cancelled(future: Future<any>): void {
    this.finished_futures.push(future);
  }
}

/** Used by as_completed() and wait(FIRST_COMPLETED): every finished future wakes the waiting side. */
class FirstCompletedWaiter extends Waiter {
  override add_result(future: Future<any>): void {
    super.add_result(future);
    this.event.set();
  }
  override add_exception(future: Future<any>): void {
    super.add_exception(future);
    this.event.set();
  }
  override add_cancelled(future: Future<any>): void {
    super.add_cancelled(future);
    this.event.set();
  }
}

/** Used by wait(FIRST_EXCEPTION) and wait(ALL_COMPLETED). */
class AllCompletedWaiter extends Waiter {
  constructor(
    private num_pending_calls: number,
    private readonly stop_on_exception: boolean,
  ) {
    super();
  }

  private decrementPendingCalls(): void {
    this.num_pending_calls -= 1;
    if (!this.num_pending_calls) this.event.set();
  }

  override add_result(future: Future<any>): void {
    super.add_result(future);
    this.decrementPendingCalls();
  }
  override add_exception(future: Future<any>): void {
    super.add_exception(future);
    if (this.stop_on_exception) this.event.set();
    else this.decrementPendingCalls();
  }
  override add_cancelled(future: Future<any>): void {
    super.add_cancelled(future);
    this.decrementPendingCalls();
  }
}

function isFinished(f: Future<any>): boolean {
  return f._state === CANCELLED_AND_NOTIFIED || f._state === FINISHED;
}

// State tests as plain functions: internal code avoids the bound-method getters defined below.
function isCancelledState(s: FutureState): boolean {
  return s === CANCELLED || s === CANCELLED_AND_NOTIFIED;
}

function isDoneState(s: FutureState): boolean {
  return s === CANCELLED || s === CANCELLED_AND_NOTIFIED || s === FINISHED;
}

function createAndInstallWaiters(fs: Iterable<Future<any>>, return_when: string): Waiter {
  let waiter: Waiter;
  if (return_when === AS_COMPLETED || return_when === FIRST_COMPLETED) {
    waiter = new FirstCompletedWaiter();
  } else {
    let pending = 0;
    for (const f of fs) if (!isFinished(f)) pending++;
    if (return_when === FIRST_EXCEPTION) waiter = new AllCompletedWaiter(pending, true);
    else if (return_when === ALL_COMPLETED) waiter = new AllCompletedWaiter(pending, false);
    else throw new ValueError(`Invalid return condition: ${repr(return_when)}`);
  }
  for (const f of fs) f._waiters.push(waiter);
  return waiter;
}

function removeWaiter(f: Future<any>, waiter: Waiter): void {
  const i = f._waiters.indexOf(waiter);
  if (i >= 0) f._waiters.splice(i, 1);
}

// ---------------------------------------------------------------------------------------------------------------
// Future

/** Method-style (bivariant) so a Future<number> is still usable where a Future<unknown> is expected. */
export type DoneCallback<T> = { callback(future: Future<T>): unknown }['callback'];

export class Future<T = unknown> {
  /** Internal to executors and wait/as_completed (CPython's `_state` etc.). */
  _state: FutureState = PENDING;
  _result: T | undefined = undefined;
  _exception: unknown = undefined;
  /** JS can throw anything, even undefined, so "raised" is a flag rather than a truthy `_exception`. */
  _raised = false;
  _waiters: Waiter[] = [];
  _done_callbacks: DoneCallback<T>[] = [];
  /**
   * Threading.Condition stand-in: resolvers of pending result()/exception() calls, woken on every state change.
   * Created by the first wait: most futures are awaited after they finish, and pools hold thousands of futures.
   */
  private _condition: Set<() => void> | undefined = undefined;
  /** Where timeline/record.ts keeps this future's stamps; declared here so that stamping keeps every future's shape. */
  [HISTORY]: History | undefined = undefined;
  [SLOT] = -1;

  private _notify_all(): void {
    const condition = this._condition;
    if (!condition?.size) return;
    const woken = [...condition];
    condition.clear();
    for (const w of woken) w();
  }

  private _invoke_callbacks(): void {
    // The timeline's end stamp, here rather than as a done-callback: one field check per finished future.
    const history = this[HISTORY];
    if (history !== undefined) history.end(this[SLOT], this);
    for (const callback of this._done_callbacks) {
      try {
        callback(this);
      } catch (e) {
        logException(`exception calling callback for ${repr(this)}`, e);
      }
    }
  }

  [REPR](): string {
    const head = `<${this.constructor.name} at ${addressOf(this)} state=${STATE_TO_DESCRIPTION_MAP[this._state]}`;
    if (this._state === FINISHED) {
      return this._raised
        ? `${head} raised ${pyTypeName(this._exception)}>`
        : `${head} returned ${pyTypeName(this._result)}>`;
    }
    return head + '>';
  }

  [inspect.custom](): string {
    return this[REPR]();
  }

  /** Cancels the future if possible: false when it is running or finished, true when it is (now) cancelled. */
  cancel(): boolean {
    if (this._state === RUNNING || this._state === FINISHED) return false;
    if (this._state === CANCELLED || this._state === CANCELLED_AND_NOTIFIED) return true;
    this._state = CANCELLED;
    this._notify_all();
    this._invoke_callbacks();
    return true;
  }

  cancelled(): boolean {
    return isCancelledState(this._state);
  }

  running(): boolean {
    return this._state === RUNNING;
  }

  done(): boolean {
    return isDoneState(this._state);
  }

  /** Calls `fn(future)` when the future finishes or is cancelled — at once if it already has. Errors are logged. */
  add_done_callback(fn: DoneCallback<T>): void {
    if (!isDoneState(this._state)) {
      this._done_callbacks.push(fn);
      return;
    }
    try {
      fn(this);
    } catch (e) {
      logException(`exception calling callback for ${repr(this)}`, e);
    }
  }

  /** Waits until the state leaves PENDING/RUNNING, or `timeout` seconds pass. */
  private _wait(timeout: number | null | undefined): Promise<boolean> {
    return waitFor((notify) => {
      const condition = (this._condition ??= new Set());
      condition.add(notify);
      return () => condition.delete(notify);
    }, timeout);
  }

  /** The call's return value; rejects with the call's own error, CancelledError or TimeoutError. */
  async result(timeout?: number | null): Promise<T> {
    if (!isDoneState(this._state)) await this._wait(timeout);
    if (isCancelledState(this._state)) throw new CancelledError();
    if (this._state === FINISHED) {
      if (this._raised) throw this._exception;
      return this._result as T;
    }
    throw new TimeoutError();
  }

  /** The error the call raised, or None (null) if it returned; rejects with CancelledError or TimeoutError. */
  async exception(timeout?: number | null): Promise<unknown> {
    if (!isDoneState(this._state)) await this._wait(timeout);
    if (isCancelledState(this._state)) throw new CancelledError();
    if (this._state === FINISHED) return this._raised ? this._exception : null;
    throw new TimeoutError();
  }

  // The following methods should only be used by Executors and in tests.

  /**
   * Executors call this before running the work: false (and waiters told) if the future was cancelled, otherwise
   * the future becomes RUNNING and true is returned.
   */
  set_running_or_notify_cancel(): boolean {
    if (this._state === CANCELLED) {
      this._state = CANCELLED_AND_NOTIFIED;
      for (const waiter of this._waiters) waiter.add_cancelled(this);
      return false;
    }
    if (this._state === PENDING) {
      this._state = RUNNING;
      return true;
    }
    logException(`Future ${BigInt(addressOf(this))} in unexpected state: ${this._state}`);
    throw new RuntimeError('Future in unexpected state');
  }

  set_result(result: T): void {
    this._checkNotDone();
    this._result = result;
    this._state = FINISHED;
    for (const waiter of this._waiters) waiter.add_result(this);
    this._notify_all();
    this._invoke_callbacks();
  }

  set_exception(exception: unknown): void {
    this._checkNotDone();
    this._exception = exception;
    this._raised = true;
    this._state = FINISHED;
    for (const waiter of this._waiters) waiter.add_exception(this);
    this._notify_all();
    this._invoke_callbacks();
  }

  private _checkNotDone(): void {
    if (isDoneState(this._state)) throw new InvalidStateError(`${this._state}: ${repr(this)}`);
  }
}

/**
 * Bound methods. Python prints `f.cancelled` (not called) as `<bound method Future.cancelled of <Future ...>>`.
 * Each public method becomes a prototype getter returning a per-instance, lazily created bound function whose repr
 * is computed when printed (so it shows the future's current state). Subclasses overriding a method get the same.
 */
const BOUND_SELF: unique symbol = Symbol('tsfutures.boundSelf');
const BOUND_NAME: unique symbol = Symbol('tsfutures.boundName');
type BoundMethod = Function & { [BOUND_SELF]: unknown; [BOUND_NAME]: string };

/** Shared by every bound method (one closure per method would cost a future ~400 bytes more: GC-bound pools). */
function describeBound(this: BoundMethod): string {
  return `<bound method ${this[BOUND_NAME]} of ${repr(this[BOUND_SELF])}>`;
}

export function defineBoundMethods(cls: { prototype: object; name: string }, names: readonly string[]): void {
  for (const name of names) {
    const method = (cls.prototype as Record<string, unknown>)[name];
    if (typeof method !== 'function') throw new Error(`${cls.name}.${name} is not a method`);
    // The instance's cached bound method lives under a symbol of its own (no per-instance cache object).
    const slot = Symbol(`tsfutures.bound.${name}`);
    const qualname = `${cls.name}.${name}`;
    Object.defineProperty(cls.prototype, name, {
      configurable: true,
      enumerable: false,
      get(this: Record<symbol, BoundMethod | undefined>) {
        let bound = this[slot];
        if (bound === undefined) {
          bound = method.bind(this) as BoundMethod;
          bound[BOUND_SELF] = this;
          bound[BOUND_NAME] = qualname;
          (bound as unknown as Record<symbol, unknown>)[REPR] = describeBound;
          (bound as unknown as Record<symbol, unknown>)[inspect.custom] = describeBound;
          this[slot] = bound;
        }
        return bound;
      },
      set(this: object, value: unknown) {
        // Assigning over a method on one instance (monkey-patching in tests) shadows it, like Python.
        Object.defineProperty(this, name, { value, writable: true, configurable: true, enumerable: true });
      },
    });
  }
}

defineBoundMethods(Future, [
  'cancel', 'cancelled', 'running', 'done', 'result', 'exception', 'add_done_callback',
  'set_running_or_notify_cancel', 'set_result', 'set_exception',
]);

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
  for (const f of waiter.finished_futures) done.add(f);
  return new DoneAndNotDoneFutures(done, notDone());
}

/** The clock of every deadline here (timeouts of wait, as_completed, map), in seconds. */
export const monotonic = (): number => performance.now() / 1000;

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
  const end_time = timeout === null ? null : timeout + monotonic();
  const total_futures = fs.size;
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
      let wait_timeout: number | null = null;
      if (end_time !== null) {
        wait_timeout = end_time - monotonic();
        if (wait_timeout < 0) throw new TimeoutError(`${pending.size} (of ${total_futures}) futures unfinished`);
      }
      await waiter.event.wait(wait_timeout);
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
    const { iterables, buffersize, end_time } = mapArguments(rest, takeMapOptions(rest));

    const args_iter = zipRows(iterables);
    const fs = new Fifo<Future<Awaited<R>>>(); // taken from the front: an array's shift() is O(n) when large
    while (buffersize === null || fs.length < buffersize) {
      const args = args_iter.next();
      if (args.done) break;
      fs.push(this.submit(fn, ...args.value));
    }
    return this.resultIterator(fn, fs, args_iter, buffersize !== null, end_time);
  }

  // Yields live in a separate generator so that map() submits before the first result is asked for.
  private async *resultIterator<R>(
    fn: (...args: any[]) => R,
    fs: Fifo<Future<Awaited<R>>>,
    args_iter: Generator<unknown[]>,
    buffered: boolean,
    end_time: number | null,
  ): AsyncGenerator<Awaited<R>, void, undefined> {
    try {
      while (fs.length) {
        // Buffered: one new task per result taken. (CPython also stops feeding once the executor was collected.)
        if (buffered) {
          const next = args_iter.next();
          if (!next.done) fs.push(this.submit(fn, ...next.value));
        }
        const fut = fs.shift()!;
        yield await resultOrCancel(fut, end_time === null ? null : end_time - monotonic());
      }
    } finally {
      for (const f of fs.drain()) f.cancel();
      args_iter.return(undefined);
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
): { iterables: Iterable<unknown>[]; buffersize: number | null; end_time: number | null } {
  const iterables = rest as Iterable<unknown>[];
  for (const it of iterables) {
    if (it === null || typeof it !== 'object' || !(Symbol.iterator in it)) {
      throw new TypeError(`'${pyTypeName(it)}' object is not iterable`);
    }
  }
  const { timeout = null, buffersize = null } = options;
  if (buffersize !== null && !Number.isInteger(buffersize)) throw new TypeError('buffersize must be an integer or None');
  if (buffersize !== null && buffersize < 1) throw new ValueError('buffersize must be None or >= 1.');
  return { iterables, buffersize, end_time: timeout === null ? null : timeout + monotonic() };
}

/** Normalises shutdown's arguments: Python's `shutdown(wait=True, *, cancel_futures=False)`. */
export function shutdownOptions(options: ShutdownOptions | boolean | undefined): Required<ShutdownOptions> {
  if (typeof options === 'boolean') return { wait: options, cancel_futures: false };
  return { wait: options?.wait ?? true, cancel_futures: options?.cancel_futures ?? false };
}
