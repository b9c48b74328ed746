/**
 * ThreadPoolExecutor (CPython's `concurrent.futures.thread`). JS has one thread per isolate, and notebook tasks
 * share the caller's heap, so "threads" here are worker SLOTS on the caller's own event loop: at most `max_workers`
 * tasks are in flight, and a task that awaits keeps its slot until its promise settles. That keeps Python's
 * semantics, deadlocks included: a task awaiting a future that needs its own slot waits forever, as in CPython.
 *
 * Dispatch: when a slot is free, submit() marks the future RUNNING at once (a worker "picked it up") and starts the
 * body on a macrotask, so submit returns immediately; otherwise the work item waits, PENDING, in a FIFO queue. Every
 * task body starts in its own macrotask so I/O and timers interleave between tasks.
 */
import * as os from 'node:os';
import {
  BrokenThreadPool, CANCELLED, Executor, Future, PENDING, RuntimeError, ValueError, logException, shutdownOptions,
  type ShutdownOptions,
} from './_base';
import { TypeError } from '../python/errors';
import { pyTypeName } from '../python/repr';
import { noteShutdown, noteStart, noteSubmit } from '../timeline/record';
import { Fifo } from './fifo';
import { setImmediate } from 'node:timers';

export { BrokenThreadPool };

export interface ThreadPoolExecutorOptions {
  max_workers?: number | null;
  thread_name_prefix?: string;
  initializer?: ((...args: any[]) => unknown) | null;
  initargs?: unknown[];
}

const INITIALIZER_FAILED = 'A thread initializer failed, the thread pool is not usable anymore';

class WorkItem {
  constructor(
    readonly future: Future<any>,
    readonly fn: (...args: any[]) => unknown,
    readonly args: unknown[],
  ) {}
}

/** One worker "thread": a slot that runs one task at a time. */
interface ThreadSlot {
  readonly index: number;
  readonly name: string;
  initialized: boolean;
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as { then?: unknown }).then === 'function';
}

/** Used to number pools whose thread_name_prefix was not given (`ThreadPoolExecutor-0`, ...), as CPython does. */
let poolCounter = 0;

export class ThreadPoolExecutor extends Executor {
  static override pyModule = 'concurrent.futures.thread';

  readonly _max_workers: number;
  readonly _thread_name_prefix: string;
  /** The failure message once an initializer failed (CPython's `_broken`), else false. */
  _broken: string | false = false;
  _shutdown = false;
  private readonly initializer: ((...args: any[]) => unknown) | null;
  private readonly initargs: unknown[];
  private readonly queue = new Fifo<WorkItem>();
  private readonly idle: ThreadSlot[] = [];
  private workerCount = 0;
  /** Workers running (or initializing for) a task; shutdown(wait) resolves when this is 0 and the queue is empty. */
  private active = 0;
  private drainWaiters: (() => void)[] = [];

  /** `new ThreadPoolExecutor({max_workers: 4})`; a bare number is Python's positional max_workers. */
  constructor(options: ThreadPoolExecutorOptions | number | null = {}) {
    super();
    const opts: ThreadPoolExecutorOptions = typeof options === 'number' ? { max_workers: options } : (options ?? {});
    // CPython: cpu_count + 4 suits both CPU tasks that release the GIL and I/O; capped at 32.
    const maxWorkers = opts.max_workers ?? Math.min(32, (os.cpus().length || 1) + 4);
    if (maxWorkers <= 0) throw new ValueError('max_workers must be greater than 0');
    if (opts.initializer != null && typeof opts.initializer !== 'function') {
      throw new TypeError('initializer must be a callable');
    }
    this._max_workers = maxWorkers;
    this._thread_name_prefix = opts.thread_name_prefix || `ThreadPoolExecutor-${poolCounter++}`;
    this.initializer = opts.initializer ?? null;
    this.initargs = opts.initargs ?? [];
  }

  /** Schedules `fn(...args)`; `fn` may be sync or async (an async task holds its slot until it settles). */
  submit<R>(fn: (...args: any[]) => R, ...args: any[]): Future<Awaited<R>> {
    if (this._broken) throw new BrokenThreadPool(this._broken);
    if (this._shutdown) throw new RuntimeError('cannot schedule new futures after shutdown');
    const future = new Future<Awaited<R>>();
    noteSubmit(this, future, fn);
    const item = new WorkItem(future, fn, args);
    const worker = this.freeWorker();
    if (!worker) this.queue.push(item);
    else if (worker.initialized) this.begin(worker, item);
    else setImmediate(() => this.initializeThenBegin(worker, item));
    return future;
  }

  /** An idle worker, else a new one while fewer than max_workers exist (CPython's _adjust_thread_count). */
  private freeWorker(): ThreadSlot | undefined {
    const worker = this.idle.shift();
    if (worker) {
      this.active++;
      return worker;
    }
    if (this.workerCount >= this._max_workers) return undefined;
    const index = this.workerCount++;
    this.active++;
    return { index, name: `${this._thread_name_prefix}_${index}`, initialized: this.initializer === null };
  }

  private initializeThenBegin(worker: ThreadSlot, item: WorkItem): void {
    try {
      this.initializer!(...this.initargs);
    } catch (e) {
      logException('Exception in initializer:', e);
      this.initializerFailed(item);
      this.workerExited();
      return;
    }
    worker.initialized = true;
    if (this._broken) {
      // Another worker's initializer failed meanwhile: in CPython this item would have been drained from the queue.
      this.initializerFailed(item);
      this.workerExited();
      return;
    }
    this.begin(worker, item);
  }

  /** The worker takes `item`: RUNNING now, body on the next macrotask; a cancelled item is skipped (and notified). */
  private begin(worker: ThreadSlot, item: WorkItem): void {
    let go: boolean;
    try {
      go = item.future.set_running_or_notify_cancel();
    } catch (e) {
      // Someone set the outcome of a queued future by hand. CPython's worker logs it (and that thread dies);
      // we log it and move on, as an exception escaping here would kill the whole process.
      logException('Exception in worker', e);
      go = false;
    }
    if (!go) {
      this.takeNext(worker);
      return;
    }
    setImmediate(() => this.run(worker, item));
  }

  private run(worker: ThreadSlot, item: WorkItem): void {
    // The timeline's start is when the body really begins: slots that took their tasks at once still run their
    // synchronous bodies one after another on this event loop, and the picture should show them taking turns.
    noteStart(item.future, worker.index);
    let result: unknown;
    try {
      if (typeof item.fn !== 'function') throw new TypeError(`'${pyTypeName(item.fn)}' object is not callable`);
      result = item.fn(...item.args);
    } catch (e) {
      this.settle(worker, item, false, e);
      return;
    }
    if (!isThenable(result)) {
      this.settle(worker, item, true, result);
      return;
    }
    result.then(
      (value) => this.settle(worker, item, true, value),
      (error) => this.settle(worker, item, false, error),
    );
  }

  private settle(worker: ThreadSlot, item: WorkItem, ok: boolean, value: unknown): void {
    try {
      if (ok) item.future.set_result(value);
      else item.future.set_exception(value);
    } catch (e) {
      // Only when someone else already set the outcome of a running future; CPython's worker logs it too.
      logException('Exception in worker', e);
    }
    this.takeNext(worker);
  }

  /** After a task: the next queued item for this worker, else the worker goes idle. */
  private takeNext(worker: ThreadSlot): void {
    const item = this.queue.shift();
    if (item) {
      this.begin(worker, item);
      return;
    }
    this.idle.push(worker);
    this.workerExited();
  }

  /** A worker stopped working (idle or dead): wake shutdown(wait) once nothing is left. */
  private workerExited(): void {
    this.active--;
    if (this.active === 0 && this.queue.length === 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** The pool is unusable: the item the worker was given and every queued one fail with BrokenThreadPool. */
  private initializerFailed(item: WorkItem): void {
    this._broken = INITIALIZER_FAILED;
    for (const it of [item, ...this.queue.drain()]) {
      const f = it.future;
      if (f._state === CANCELLED) f.set_running_or_notify_cancel(); // tell its waiters instead of failing it
      else if (f._state === PENDING) f.set_exception(new BrokenThreadPool(this._broken));
    }
  }

  /**
   * No new tasks after this. `cancel_futures` cancels the queued ones (as in CPython, without notifying waiters);
   * with `wait` (default) resolves once the running and remaining queued tasks have finished.
   */
  override async shutdown(options?: ShutdownOptions | boolean): Promise<void> {
    const { wait, cancel_futures } = shutdownOptions(options);
    this._shutdown = true;
    noteShutdown(this);
    if (cancel_futures) for (const item of this.queue.drain()) item.future.cancel();
    if (!wait || (this.active === 0 && this.queue.length === 0)) return;
    await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }
}
