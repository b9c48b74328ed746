/**
 * Messages between a pool and its workers (child processes or worker threads). Kept tiny and array-shaped
 * because thousands of tasks cross per second: several tasks per message, several results per message.
 */
import type { Payload } from './shared-memory';

/** [id, code, serialized constants or null]: a shipped function, sent once per worker. */
export type FunctionDef = [id: string, code: string, values: Uint8Array | null];

/** [task id, function id, v8-serialized argument list, is this a chunk (map's chunksize: args are columns, one per iterable)] */
export type TaskSpec = [task: number, fn: string, args: Payload, chunk: boolean];

export type ToWorker =
  /** `runtime`: the names of the runtime's exports the parent has, which shipped code may use as globals. */
  | { kind: 'init'; initializer: FunctionDef | null; initargs: Payload | null; runtime: string[] }
  | { kind: 'run'; defs: FunctionDef[]; tasks: TaskSpec[] }
  /** Finish: the worker exits once its queue is empty. */
  | { kind: 'stop' }
  /** A spare worker (spare-worker.ts) loads what a first task would, while it waits for a pool. */
  | { kind: 'preload' };

/** How an exception crosses back: enough to rebuild an Error of the same name and message with the child's stack. */
export interface ErrorInfo {
  name: string;
  message: string;
  stack: string | undefined;
  /** A thrown non-Error value, when it could be cloned. */
  thrown?: unknown;
  isError: boolean;
  /** The error's class id, when its class was shipped (a user Error subclass): it comes back as that class. */
  classId?: string;
  /** The error's own enumerable fields (`e.need`), class instances encoded. */
  fields?: unknown;
}

/**
 * [task id, ok, value or ErrorInfo, worker-side milliseconds, whether the value holds encoded class instances,
 * whether the value is v8 bytes with its large buffers in a file (big-payloads.ts)]
 */
export type TaskResult = [task: number, ok: boolean, payload: unknown, ms: number, encoded?: boolean, lifted?: boolean];

export type FromWorker =
  | { kind: 'results'; results: TaskResult[] }
  /** The initializer failed: the worker is about to exit and the pool is broken. */
  | { kind: 'initfail'; error: ErrorInfo };

export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof Error || (e !== null && typeof e === 'object' && 'message' in e && 'stack' in e)) {
    const err = e as Error;
    return { name: String(err.name ?? 'Error'), message: String(err.message ?? ''), stack: err.stack, isError: true };
  }
  return { name: 'Error', message: String(e), stack: undefined, thrown: e, isError: false };
}
