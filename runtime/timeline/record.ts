/**
 * Per-task timestamps for timelines. Executors call `noteSubmit` when a task is submitted and `noteStart` when a worker
 * takes it; our Future stamps its own end when it finishes. Everything else — lanes, outcomes, labels, drawing — is
 * worked out later, only when someone asks for a timeline (`timesOf` builds a TaskTimes view on demand).
 *
 * Why it is laid out this way (cost per task matters: the fastest ThreadPool path is ~2 us a task):
 * - No object per task. Each executor has a History: a ring of its last HISTORY_LIMIT tasks whose stamps live in one
 *   plain number array (V8 keeps it as unboxed doubles), and references (future, function, worker) in another. A
 *   Future only gets two fields: its History and its slot there (declared in the Future class, so every Future has the
 *   same shape; a double field on the Future itself would box a heap number per stamp).
 * - The function is kept, not its name: `fn.name` is read only when drawing.
 * - The History of the last executor is cached, so a run of submits does not look up the WeakMap.
 * - Stamps come from clock.ts's stampNow(): a memory load refreshed by a ticker thread (~1 ms precision), not a
 *   performance.now() call (~35 ns; three a task were ~5 % of the fastest ThreadPool path on their own).
 * What each of these saves per task: docs/performance.md, "Timelines".
 * Stamps are performance.now() milliseconds; NaN means "not yet". Once an executor has run HISTORY_LIMIT more tasks, a
 * future's slot is reused and the future has no stamps any more (its executor's timeline no longer shows it either).
 *
 * A task that returned an object is held weakly once it ends (Finished): the history must not keep a result the caller
 * has dropped (a 128 MB array) alive for the executor's next HISTORY_LIMIT tasks.
 * Futures of other classes (anything with the Future API) take a slow path: the same slot fields are added to them and
 * a done-callback stamps their end. A future may also carry a ready-made TaskTimes under TIMES (tests draw known
 * schedules that way).
 */
import { pyTypeName } from '../python/repr';
import { stampNow } from './clock';

export interface TaskTimes {
  submit: number;
  start: number;
  end: number;
  /** Worker slot index (threads) or process id (processes); undefined until a worker picks the task up. */
  worker: number | string | undefined;
  /** What was submitted (the function's name), for tooltips. */
  label: string | undefined;
}

/** A ready-made TaskTimes on a future that no executor stamped (symbol: never collides with the Future API). */
export const TIMES: unique symbol = Symbol.for('tsfutures.timeline.times') as never;
/** The History a future was recorded in, and its slot there. */
export const HISTORY: unique symbol = Symbol.for('tsfutures.timeline.history') as never;
export const SLOT: unique symbol = Symbol.for('tsfutures.timeline.slot') as never;

type Stamped = { [HISTORY]?: History; [SLOT]?: number; [TIMES]?: TaskTimes };

/** How many tasks an executor remembers for its timeline: a long-lived pool must not keep every future alive. */
export const HISTORY_LIMIT = 10_000;

const SUBMIT = 0;
const START = 1;
const END = 2;

/**
 * What the history keeps of a finished future whose result is an object: the future itself only weakly, and what a
 * timeline or dashboard reads of it (its outcome and the result's Python type name). It stands in for the future in
 * `historyOf` once the future is gone, and `timesOf` answers for it as for the future.
 */
class Finished {
  readonly _raised = false;
  readonly [HISTORY]: History;
  readonly [SLOT]: number;

  constructor(readonly future: WeakRef<object>, readonly _resultTypeName: string, history: History, slot: number) {
    this[HISTORY] = history;
    this[SLOT] = slot;
  }

  cancelled(): boolean {
    return false;
  }

  done(): boolean {
    return true;
  }

  running(): boolean {
    return false;
  }
}

/** An ended task's result, when it is an object the history should not keep alive. */
function objectResult(future: object): object | undefined {
  const f = future as { _result?: unknown; _raised?: boolean; cancelled?(): boolean };
  const r = f._result;
  if (r === null || (typeof r !== 'object' && typeof r !== 'function') || f._raised !== false || f.cancelled?.()) return undefined;
  return r;
}

/** One executor's last HISTORY_LIMIT tasks; grows up to the limit, then wraps around. */
export class History {
  /** submit, start, end per slot. */
  private readonly times: number[] = [];
  /** The future per slot, or its Finished stand-in once it ended with an object result. */
  private readonly futures: object[] = [];
  private readonly fns: (Function | undefined)[] = [];
  private readonly workers: (number | string | undefined)[] = [];
  /** The slot the next task overwrites once the history is full. */
  private next = 0;

  add(future: object, fn: Function | undefined, now: number): number {
    let slot = this.futures.length;
    if (slot < HISTORY_LIMIT) {
      this.futures.push(future);
      this.fns.push(fn);
      this.workers.push(undefined);
      this.times.push(now, NaN, NaN);
    } else {
      slot = this.next;
      this.next = slot + 1 === HISTORY_LIMIT ? 0 : slot + 1;
      this.futures[slot] = future;
      this.fns[slot] = fn;
      this.workers[slot] = undefined;
      const i = slot * 3;
      this.times[i + SUBMIT] = now;
      this.times[i + START] = NaN;
      this.times[i + END] = NaN;
    }
    return slot;
  }

  /** Whether `slot` still belongs to `future` (or to its Finished stand-in): not reused by a later task. */
  private holds(slot: number, future: object): boolean {
    const x = this.futures[slot];
    return x === future || (x instanceof Finished && x.future.deref() === future);
  }

  start(slot: number, future: object, worker: number | string, now: number): void {
    if (!this.holds(slot, future)) return; // slot reused by a later task
    this.times[slot * 3 + START] = now;
    this.workers[slot] = worker;
  }

  /** The first end counts (a cancelled future is told twice). */
  end(slot: number, future: object): void {
    const i = slot * 3 + END;
    if (this.futures[slot] !== future || this.times[i] === this.times[i]) return;
    this.times[i] = stampNow();
    const result = objectResult(future);
    if (result !== undefined) this.futures[slot] = new Finished(new WeakRef(future), pyTypeName(result), this, slot);
  }

  timesAt(slot: number, future: object): TaskTimes | undefined {
    if (!this.holds(slot, future)) return undefined;
    const i = slot * 3;
    const fn = this.fns[slot];
    const label = typeof fn === 'function' ? fn.name || undefined : undefined;
    // The stamp clock can lag a real read by a tick, so keep each stamp no earlier than the one before it.
    const submit = this.times[i + SUBMIT];
    const start = Math.max(this.times[i + START], submit); // NaN stays NaN
    const end = Math.max(this.times[i + END], start === start ? start : submit);
    return { submit, start, end, worker: this.workers[slot], label };
  }

  /** Oldest first; a finished future that is gone is there as its Finished stand-in. */
  futuresInOrder(): object[] {
    const all = this.futures.length < HISTORY_LIMIT ? this.futures.slice() : [...this.futures.slice(this.next), ...this.futures.slice(0, this.next)];
    return all.map((x) => (x instanceof Finished ? x.future.deref() ?? x : x));
  }
}

const histories = new WeakMap<object, History>();

let recording = true;
/** Turns stamping off (the overhead benchmark compares both); timelines then show only what was recorded before. */
export function setRecording(on: boolean): void {
  recording = on;
}

/** The executor whose history the last submit went to: a pool's submits come in runs, so the WeakMap is rarely read. */
let lastExecutor: object | undefined;
let lastHistory: History | undefined;

function historyFor(executor: object): History {
  if (executor === lastExecutor) return lastHistory!;
  let h = histories.get(executor);
  if (h === undefined) histories.set(executor, (h = new History()));
  lastExecutor = executor;
  lastHistory = h;
  return h;
}

export function noteSubmit(executor: object, future: object, fn?: Function): void {
  if (!recording) return;
  const h = historyFor(executor);
  const f = future as Stamped;
  // Our Future declares the slot fields and stamps its own end (_invoke_callbacks); any other future gets a
  // done-callback for it.
  if (!(SLOT in f)) (future as { add_done_callback?(fn: (f: object) => void): void }).add_done_callback?.(noteEnd);
  f[SLOT] = h.add(future, fn, stampNow());
  f[HISTORY] = h;
}

export function noteStart(future: object, worker: number | string): void {
  const h = (future as Stamped)[HISTORY];
  if (h !== undefined) h.start((future as Stamped)[SLOT]!, future, worker, stampNow());
}

export function noteEnd(future: object): void {
  const h = (future as Stamped)[HISTORY];
  if (h !== undefined) h.end((future as Stamped)[SLOT]!, future);
}

export function timesOf(future: object): TaskTimes | undefined {
  const f = future as Stamped;
  const h = f[HISTORY];
  return h !== undefined ? h.timesAt(f[SLOT]!, future) : f[TIMES];
}

/** The futures submitted to `executor` (at most the last HISTORY_LIMIT), in submission order. */
export function historyOf(executor: object): readonly object[] {
  return histories.get(executor)?.futuresInOrder() ?? [];
}

export function hasHistory(x: object): boolean {
  return histories.has(x);
}

const shutDown = new WeakSet<object>();
const shutdownListeners = new WeakMap<object, Array<() => void>>();

/** Executors call this from shutdown(): a live view (show_executor) stops once the executor's tasks are done. */
export function noteShutdown(executor: object): void {
  shutDown.add(executor);
  const listeners = shutdownListeners.get(executor);
  shutdownListeners.delete(executor);
  for (const listener of listeners ?? []) listener();
}

export function isShutDown(executor: object): boolean {
  return shutDown.has(executor);
}

/** `listener()` when `executor` is shut down (at once if it is already). */
export function onShutdown(executor: object, listener: () => void): void {
  if (shutDown.has(executor)) return listener();
  const listeners = shutdownListeners.get(executor);
  if (listeners) listeners.push(listener);
  else shutdownListeners.set(executor, [listener]);
}
