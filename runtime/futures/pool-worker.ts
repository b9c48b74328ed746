/**
 * Entry of a pool worker: a child process of ProcessPoolExecutor (IPC channel) or a worker thread of
 * InterpreterPoolExecutor (parentPort). Runs compiled JS only: it never loads TypeScript.
 * The runtime's exports are globals, loaded on first use (worker-globals.ts), so shipped notebook code can call
 * print, range, sum...
 */
import type { MessagePort } from 'node:worker_threads';
import { liftBig, setWorkerSide, type LiftedBytes } from './big-payloads';
import { describeValue } from './describe-value';
import { toErrorInfo } from './pool-protocol';
import { endWithParent } from './parent-watch';
import type { FromWorker, FunctionDef, TaskResult, TaskSpec, ToWorker } from './pool-protocol';
import { Receiver, pythonErrors } from './rebuild';
import type { Payload } from './shared-memory';
import { installRuntimeGlobals, loadRuntime } from './worker-globals';
import { setImmediate } from 'node:timers';

type Send = (msg: FromWorker) => void;

/**
 * Milliseconds on a monotonic clock, for task durations. Not `performance.now()`: node loads its perf_hooks modules
 * on a process's first read of the `performance` global, ~1.4 ms of CPU in the boot a pool's first result waits for.
 */
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/**
 * A child process of a process pool has its IPC channel from boot, a thread of an interpreter pool never has one.
 * Only threads load node:worker_threads (for their parentPort): a child process would spend a few ms of the boot
 * that its pool's first result waits for.
 */
const threads = process.send ? undefined : (require('node:worker_threads') as typeof import('node:worker_threads'));
const isMainThread = threads?.isMainThread ?? true;
const parentPort: MessagePort | null = threads?.parentPort ?? null;

/** Messages handed to the IPC channel but not yet written: exiting before they are would lose results. */
let unsent = 0;
let exiting = false;

const channel: { send: Send; onMessage: (h: (m: ToWorker) => void) => void } = isMainThread
  ? {
    send: (msg) => {
      unsent++;
      try {
        process.send!(msg, undefined, undefined, () => {
          if (--unsent === 0 && exiting) process.exit(0);
        });
      } catch (e) {
        unsent--; // not cloneable: nothing was queued
        throw e;
      }
    },
    onMessage: (h) => process.on('message', h as (m: unknown) => void),
  }
  : {
    send: (msg) => parentPort!.postMessage(msg),
    onMessage: (h) => parentPort!.on('message', h),
  };

if (isMainThread) {
  if (!process.send) {
    process.stderr.write('pool-worker: started without an IPC channel\n');
    process.exit(2);
  }
  // No orphans: when the parent goes away (exit, crash, SIGKILL) the channel closes and so do we; while a task
  // blocks this thread, a thread of our own notices instead (parent-watch.ts, started with the first task).
  process.on('disconnect', () => process.exit(0));
  setWorkerSide(Number(process.argv[2]) || process.ppid);
}

const receiver = new Receiver();

/**
 * Shipped functions by bundle hash, compiled once however many tasks use them. A bundle that cannot be rebuilt
 * here (a module this worker cannot load) keeps its error: each of its tasks fails with it.
 */
const functions = new Map<string, Function | { failed: unknown }>();

function define(def: FunctionDef): void {
  if (functions.has(def[0])) return;
  try {
    functions.set(def[0], receiver.rebuildFunction(def));
  } catch (error) {
    functions.set(def[0], { failed: error });
  }
}

function defined(id: string): Function {
  const fn = functions.get(id);
  if (!fn) throw new Error(`pool-worker: unknown function ${id}`);
  if (typeof fn !== 'function') throw fn.failed;
  return fn;
}

function errorInfo(e: unknown) {
  return receiver.errorInfo(e, toErrorInfo(e));
}

const queue: TaskSpec[] = [];
/** Tasks may arrive while an async initializer still runs: they wait for it. */
let initialized = false;
let draining = false;
let stopping = false;
let pending: TaskResult[] = [];
let lastFlush = nowMs();

/** A result that cannot be cloned becomes a TypeError for its task rather than killing the whole batch. */
function flush(): void {
  if (!pending.length) return;
  const results = pending;
  pending = [];
  lastFlush = nowMs();
  try {
    channel.send({ kind: 'results', results });
  } catch {
    for (const r of results) {
      try {
        channel.send({ kind: 'results', results: [r] });
      } catch {
        const error = new (pythonErrors().TypeError)(`cannot send the result back from the worker: ${describeValue(r[2])} cannot be cloned`);
        channel.send({ kind: 'results', results: [[r[0], false, errorInfo(error), r[3]]] });
      }
    }
  }
}

/** A result's large buffers go beside the message; one that cannot be cloned takes the plain path and its error. */
function liftResult(value: unknown): LiftedBytes | undefined {
  try {
    return liftBig(value);
  } catch {
    return undefined;
  }
}

function isThenable(x: unknown): x is PromiseLike<unknown> {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && typeof (x as { then?: unknown }).then === 'function';
}

/** A map() chunk: `fn` over the rows of column-major arguments (one array per iterable). */
async function runChunk(fn: Function, columns: unknown[][]): Promise<unknown[]> {
  const out: unknown[] = [];
  const [first, ...others] = columns as [unknown[], ...unknown[][]];
  for (let i = 0; i < first.length; i++) {
    let r = others.length ? fn(first[i], ...others.map((c) => c[i])) : fn(first[i]);
    if (isThenable(r)) r = await r;
    out.push(r);
  }
  return out;
}

async function runOne([task, fnId, argsBytes, chunk]: TaskSpec): Promise<void> {
  const started = nowMs();
  try {
    const fn = defined(fnId);
    const args = receiver.decodeArgs(argsBytes);
    let value: unknown;
    if (chunk) {
      value = await runChunk(fn, args as unknown[][]);
    } else {
      value = fn(...args);
      if (isThenable(value)) value = await value;
    }
    const out = receiver.encode(value, fn);
    const lifted = isMainThread ? liftResult(out.value) : undefined;
    if (lifted) pending.push([task, true, lifted, nowMs() - started, out.encoded, true]);
    else pending.push(out.encoded ? [task, true, out.value, nowMs() - started, true] : [task, true, value, nowMs() - started]);
  } catch (e) {
    pending.push([task, false, errorInfo(e), nowMs() - started]);
  }
}

async function drain(): Promise<void> {
  if (draining || !initialized) return;
  draining = true;
  try {
    while (queue.length) {
      const spec = queue.shift()!;
      await runOne(spec);
      // Batch results of quick tasks, but never sit on a result while the next task computes for long.
      if (!queue.length || nowMs() - lastFlush > 2) flush();
    }
  } finally {
    draining = false;
  }
  flush();
  if (stopping) exit();
}

function exit(): void {
  exiting = true;
  if (!isMainThread) parentPort!.close();
  else if (unsent === 0) process.exit(0);
}

channel.onMessage((msg) => {
  switch (msg.kind) {
    case 'init':
      installRuntimeGlobals(msg.runtime);
      void initialize(msg.initializer, msg.initargs);
      return;
    case 'run':
      if (isMainThread) endWithParent();
      for (const def of msg.defs) define(def);
      for (const spec of msg.tasks) queue.push(spec);
      void drain();
      return;
    case 'stop':
      stopping = true;
      if (!draining && !queue.length) exit();
      return;
    case 'preload':
      loadRuntime();
  }
});

async function initialize(initializer: FunctionDef | null, initargs: Payload | null): Promise<void> {
  if (initializer) {
    try {
      define(initializer);
      const r = defined(initializer[0])(...(initargs ? receiver.decodeArgs(initargs) : []));
      if (isThenable(r)) await r;
    } catch (e) {
      channel.send({ kind: 'initfail', error: errorInfo(e) });
      // Like CPython: a worker whose initializer failed stops, and the parent marks the pool broken.
      setImmediate(exit);
      return;
    }
  }
  initialized = true;
  void drain();
}
