/**
 * Per-task timestamps for timelines. Executors call `noteSubmit` when a task is submitted and `noteStart` when a worker
 * takes it (the Future stamps its own end when it finishes); each is a clock read and a few field writes. Everything else — lanes, outcomes, drawing — is worked out later, only when someone asks for a timeline.
 * Stamps are performance.now() milliseconds; NaN means "not yet".
 */

export interface TaskTimes {
  submit: number;
  start: number;
  end: number;
  /** Worker slot index (threads) or process id (processes); undefined until a worker picks the task up. */
  worker: number | string | undefined;
  /** What was submitted (the function's name), for tooltips. */
  label: string | undefined;
}

/** Where the record lives on a future: a symbol, so it never collides with the Future API or shows in its repr. */
export const TIMES: unique symbol = Symbol.for('tsfutures.timeline.times') as never;

type Stamped = { [TIMES]?: TaskTimes };

/** How many tasks an executor remembers for its timeline: a long-lived pool must not keep every future alive. */
export const HISTORY_LIMIT = 10_000;

/** Submitted futures per executor, oldest first, trimmed in chunks so trimming stays O(1) amortised. */
const histories = new WeakMap<object, object[]>();

let recording = true;
/** Turns stamping off (the overhead benchmark compares both); timelines then show only what was recorded before. */
export function setRecording(on: boolean): void {
  recording = on;
}

/** The executor whose history the last submit went to: a pool's submits come in runs, so the WeakMap is rarely read. */
let lastExecutor: object | undefined;
let lastHistory: object[] = [];

export function noteSubmit(executor: object, future: object, fn?: Function): void {
  if (!recording) return;
  // Our Future declares the field and stamps its own end when it finishes (_invoke_callbacks); any other future
  // gets a done-callback for it.
  const stampsItsEnd = TIMES in future;
  (future as Stamped)[TIMES] = {
    submit: performance.now(),
    start: NaN,
    end: NaN,
    worker: undefined,
    label: fn?.name || undefined,
  };
  if (!stampsItsEnd) (future as { add_done_callback?(fn: (f: object) => void): void }).add_done_callback?.(noteEnd);
  let h = lastHistory;
  if (executor !== lastExecutor) {
    h = histories.get(executor) ?? [];
    if (!histories.has(executor)) histories.set(executor, h);
    lastExecutor = executor;
    lastHistory = h;
  }
  h.push(future);
  if (h.length > HISTORY_LIMIT * 1.25) h.splice(0, h.length - HISTORY_LIMIT);
}

export function noteStart(future: object, worker: number | string): void {
  const t = (future as Stamped)[TIMES];
  if (t) {
    t.start = performance.now();
    t.worker = worker;
  }
}

export function noteEnd(future: object): void {
  const t = (future as Stamped)[TIMES];
  if (t && t.end !== t.end) t.end = performance.now();
}

export function timesOf(future: object): TaskTimes | undefined {
  return (future as Stamped)[TIMES];
}

/** The futures submitted to `executor` (at most the last HISTORY_LIMIT), in submission order. */
export function historyOf(executor: object): readonly object[] {
  const h = histories.get(executor) ?? [];
  return h.length > HISTORY_LIMIT ? h.slice(h.length - HISTORY_LIMIT) : h;
}

export function hasHistory(x: object): boolean {
  return histories.has(x);
}
