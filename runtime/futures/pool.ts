/**
 * The dispatch logic shared by ProcessPoolExecutor and InterpreterPoolExecutor: a queue of shipped tasks fed to
 * workers over a Transport (child processes or worker threads). Workers start lazily, one more whenever no
 * started worker is idle, up to maxWorkers, like CPython's spawn-on-demand process pool.
 *
 * Dispatch policy: while tasks are slow or unknown, at most maxWorkers + 1 tasks are running (CPython's call
 * queue: one task waits for the first free worker), so futures report running/pending as CPython's do, and each
 * worker gets its next task only when idle. Once workers report tasks that take well under a millisecond, tasks
 * go out in batches (many per message) to amortise the IPC cost.
 */
import { Fifo } from './fifo';
import type { ErrorInfo, FromWorker, FunctionDef, TaskResult, ToWorker } from './pool-protocol';
import type { Payload } from './shared-memory';
import { noteStart } from '../timeline/record';
import { runtimeNames } from './references';

/** The Future operations the pool needs (CPython's executor-side Future API). */
export interface PoolFuture {
  set_running_or_notify_cancel(): boolean;
  set_result(value: unknown): void;
  set_exception(error: unknown): void;
  cancel(): boolean;
  done(): boolean;
}

export interface WorkerLink {
  /** Process id (process transport) or thread id (thread transport). */
  readonly id: number;
  send(msg: ToWorker): void;
  /** Whether the worker keeps the parent alive: only while it has work. */
  setRef(ref: boolean): void;
  kill(): void;
}

/** CPython's name (process.py): tasks running beyond one per worker, parked for whichever worker frees first. */
const EXTRA_QUEUED_CALLS = 1;

export interface WorkerEvents {
  message(msg: FromWorker): void;
  /** The worker ended, however (signal, exit code, failure to start); `description` says how: the cause of a broken pool's error. */
  exit(description: string): void;
}

export interface Transport {
  start(events: WorkerEvents): WorkerLink;
  /** A pool was constructed: a transport may start booting a worker for its first submit (spare-worker.ts). */
  prestart?(): void;
}

export interface PoolOptions {
  maxWorkers: number;
  maxTasksPerChild: number | null;
  initializer: FunctionDef | null;
  initargs: Payload | null;
  /** The pool's Broken... error with a message. */
  broken(message: string): Error;
  /** Message of the pool's broken state (later submits raise it) when a worker dies. */
  diedMessage: string;
  /** Message set on futures that were pending or running when a worker died. */
  futureDiedMessage: string;
  /** Message when an initializer failed. */
  initFailedMessage: string;
  /** Rebuilds what workers send back: results (with class instances) and errors (as their classes). */
  receive: {
    /** `lifted`: the value's large buffers wait in a file (big-payloads.ts). */
    result(value: unknown, encoded: boolean, lifted: boolean): unknown;
    error(info: ErrorInfo): unknown;
  };
}

interface Item {
  id: number;
  future: PoolFuture;
  def: FunctionDef;
  args: Payload;
  chunk: boolean;
}

/** The pool's side of one worker: its link, the tasks sent to it and the functions it has compiled. */
interface WorkerHandle {
  link: WorkerLink;
  inflight: Map<number, Item>;
  defs: Set<string>;
  assigned: number;
  stopping: boolean;
}

/** What a worker may install as globals (worker-globals.ts): none unless this process registered the runtime. */
function runtimeExportNames(): string[] {
  return Object.keys(runtimeNames()).filter((name) => name !== '__esModule');
}

const FAST_TASK_MS = 1;
const BATCH = 128;
const FAST_CAP_PER_WORKER = 512;

export class WorkerPool {
  private readonly queue = new Fifo<Item>();
  /** Running but not yet sent: the one task CPython's call queue would hold for the next free worker (pumpOneEach). */
  private parked: Item | undefined = undefined;
  private readonly workers = new Set<WorkerHandle>();
  private nextId = 0;
  private inflight = 0;
  /** Moving average of the worker-side duration of a task, in ms; undefined until the first result. */
  private avgMs: number | undefined;
  private pumpScheduled = false;
  private brokenMessage: string | null = null;
  private shuttingDown = false;
  private readonly exited: (() => void)[] = [];

  constructor(private readonly transport: Transport, private readonly options: PoolOptions) {
    transport.prestart?.();
  }

  get broken(): string | null {
    return this.brokenMessage;
  }

  /** Pids (or thread ids) of the live workers. */
  get workerIds(): number[] {
    return [...this.workers].map((w) => w.link.id);
  }

  enqueue(future: PoolFuture, def: FunctionDef, args: Payload, chunk = false): void {
    if (this.brokenMessage !== null) throw this.options.broken(this.brokenMessage);
    this.queue.push({ id: this.nextId++, future, def, args, chunk });
    // map() submits many tasks in one tick: dispatch once, after them all, so they can share messages.
    if (!this.pumpScheduled) {
      this.pumpScheduled = true;
      queueMicrotask(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    }
  }

  private pump(): void {
    if (this.brokenMessage !== null) return;
    const fast = this.avgMs !== undefined && this.avgMs < FAST_TASK_MS;
    if (fast) this.pumpBatches();
    else this.pumpOneEach();
    if (this.shuttingDown && !this.queue.length && !this.parked) {
      for (const w of this.workers) if (!w.inflight.size) this.stopWorker(w);
    }
  }

  /**
   * Slow or not yet timed tasks: a worker gets one task at a time, when it is idle, and one more task waits here,
   * already running (CPython's call queue holds max_workers + 1), for whichever worker finishes first. Handing that
   * task to a busy worker in advance left the other idle (4 CPU-bound tasks on 2 workers went 3 + 1: docs/performance.md,
   * "Process pool: one task per idle worker").
   */
  private pumpOneEach(): void {
    const { maxWorkers } = this.options;
    for (;;) {
      let item = this.parked;
      this.parked = undefined;
      if (!item) {
        if (this.inflight >= maxWorkers + EXTRA_QUEUED_CALLS) break;
        item = this.queue.shift();
        if (!item) break;
        if (!item.future.set_running_or_notify_cancel()) continue; // cancelled while pending
      }
      const worker = this.idleWorker();
      if (!worker) {
        this.parked = item;
        break;
      }
      this.dispatch(worker, [item]);
    }
  }

  /** Fast tasks: many per message, up to FAST_CAP_PER_WORKER in flight per worker, to amortise the IPC cost. */
  private pumpBatches(): void {
    const { maxWorkers, maxTasksPerChild } = this.options;
    const limit = maxWorkers * FAST_CAP_PER_WORKER;
    while ((this.queue.length || this.parked) && this.inflight < limit) {
      let best: WorkerHandle | undefined;
      for (const w of this.workers) {
        if (w.stopping || w.inflight.size >= FAST_CAP_PER_WORKER) continue;
        if (!best || w.inflight.size < best.inflight.size) best = w;
      }
      if ((!best || best.inflight.size > 0) && this.liveWorkers() < maxWorkers) best = this.spawn();
      if (!best) break;
      let room = Math.min(FAST_CAP_PER_WORKER - best.inflight.size, limit - this.inflight, Math.max(1, Math.min(BATCH, Math.ceil(this.queue.length / maxWorkers))));
      if (maxTasksPerChild !== null) room = Math.min(room, maxTasksPerChild - best.assigned);
      const items: Item[] = [];
      if (this.parked && room > 0) {
        items.push(this.parked);
        this.parked = undefined;
      }
      while (items.length < room) {
        const item = this.queue.shift();
        if (!item) break;
        if (item.future.set_running_or_notify_cancel()) items.push(item); // else cancelled while pending
      }
      if (!items.length) continue;
      this.dispatch(best, items);
    }
  }

  /** An idle worker, starting one when none is idle and there is room; undefined when all are busy. */
  private idleWorker(): WorkerHandle | undefined {
    for (const w of this.workers) if (!w.stopping && !w.inflight.size) return w;
    return this.liveWorkers() < this.options.maxWorkers ? this.spawn() : undefined;
  }

  /** Sends running items to a worker in one message, with the function definitions it has not seen yet. */
  private dispatch(worker: WorkerHandle, items: Item[]): void {
    const defs: FunctionDef[] = [];
    const tasks: [number, string, Payload, boolean][] = [];
    for (const item of items) {
      noteStart(item.future, worker.link.id); // timeline: lane = the worker's pid (thread id for interpreters)
      if (!worker.defs.has(item.def[0])) {
        worker.defs.add(item.def[0]);
        defs.push(item.def);
      }
      tasks.push([item.id, item.def[0], item.args, item.chunk]);
      worker.inflight.set(item.id, item);
    }
    this.inflight += tasks.length;
    worker.assigned += tasks.length;
    worker.link.setRef(true);
    worker.link.send({ kind: 'run', defs, tasks });
    const { maxTasksPerChild } = this.options;
    if (maxTasksPerChild !== null && worker.assigned >= maxTasksPerChild) this.stopWorker(worker);
  }

  private liveWorkers(): number {
    let n = 0;
    for (const w of this.workers) if (!w.stopping) n++;
    return n;
  }

  private spawn(): WorkerHandle {
    const worker: WorkerHandle = {
      link: undefined as never,
      inflight: new Map(),
      defs: new Set(),
      assigned: 0,
      stopping: false,
    };
    worker.link = this.transport.start({
      message: (msg) => this.onMessage(worker, msg),
      exit: (description) => this.onExit(worker, description),
    });
    this.workers.add(worker);
    worker.link.send({ kind: 'init', initializer: this.options.initializer, initargs: this.options.initargs, runtime: runtimeExportNames() });
    return worker;
  }

  /** The worker finishes what it has, then exits (max_tasks_per_child, shutdown). */
  private stopWorker(w: WorkerHandle): void {
    if (w.stopping) return;
    w.stopping = true;
    w.link.send({ kind: 'stop' });
  }

  private onMessage(w: WorkerHandle, msg: FromWorker): void {
    if (msg.kind === 'results') {
      this.onResults(w, msg.results);
    } else if (msg.kind === 'initfail') {
      process.stderr.write(`Exception in initializer:\n${msg.error.stack ?? `${msg.error.name}: ${msg.error.message}`}\n`);
      this.breakPool(this.options.initFailedMessage, this.options.futureDiedMessage);
    }
  }

  private onResults(w: WorkerHandle, results: TaskResult[]): void {
    for (const [id, ok, payload, ms, encoded, lifted] of results) {
      const item = w.inflight.get(id);
      if (!item) continue;
      w.inflight.delete(id);
      this.inflight--;
      this.avgMs = this.avgMs === undefined ? ms : this.avgMs * 0.8 + ms * 0.2;
      if (item.future.done()) continue;
      let outcome: unknown;
      try {
        outcome = ok ? this.options.receive.result(payload, encoded === true, lifted === true) : this.options.receive.error(payload as ErrorInfo);
      } catch (error) {
        item.future.set_exception(error); // a class the parent no longer has: the task's failure, not the pool's
        continue;
      }
      if (ok) item.future.set_result(outcome);
      else item.future.set_exception(outcome);
    }
    if (!w.inflight.size && !this.queue.length && !this.parked && !this.shuttingDown) w.link.setRef(false);
    this.pump();
  }

  private onExit(w: WorkerHandle, description: string): void {
    const expected = w.stopping && !w.inflight.size;
    if (!expected && this.brokenMessage === null) {
      this.breakPool(this.options.diedMessage, this.options.futureDiedMessage, description);
    }
    this.workers.delete(w);
    if (!this.workers.size) {
      for (const resolve of this.exited.splice(0)) resolve();
    } else {
      this.pump();
    }
  }

  /** A dead worker poisons the pool, as in CPython: every unfinished future fails and later submits raise. */
  private breakPool(poolMessage: string, futureMessage: string, description?: string): void {
    if (this.brokenMessage !== null) return;
    this.brokenMessage = poolMessage;
    const failed: PoolFuture[] = [];
    for (const w of this.workers) {
      for (const item of w.inflight.values()) failed.push(item.future);
      w.inflight.clear();
    }
    this.inflight = 0;
    if (this.parked) failed.push(this.parked.future);
    this.parked = undefined;
    for (let item = this.queue.shift(); item; item = this.queue.shift()) failed.push(item.future);
    for (const w of this.workers) w.link.kill();
    for (const f of failed) {
      if (f.done()) continue;
      const error = this.options.broken(futureMessage);
      if (description) (error as Error & { cause?: unknown }).cause = new Error(description);
      f.set_exception(error);
    }
  }

  /**
   * Stops taking work; workers exit once the queue drains (or at once for the cancelled queue).
   * Resolves when every worker has exited.
   */
  shutdown(cancelFutures: boolean): Promise<void> {
    this.shuttingDown = true;
    if (cancelFutures) {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) item.future.cancel();
    }
    // Keep the parent alive until the workers are gone: whoever awaits this promise expects it to settle.
    for (const w of this.workers) w.link.setRef(true);
    this.pump();
    if (!this.workers.size) return Promise.resolve();
    return new Promise((resolve) => this.exited.push(resolve));
  }

  /** Last resort at parent exit. */
  killAll(): void {
    for (const w of this.workers) w.link.kill();
  }
}
