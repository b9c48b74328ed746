/**
 * What ProcessPoolExecutor and InterpreterPoolExecutor share: an Executor whose tasks are shipped functions run by a
 * WorkerPool. The subclasses only choose the transport, the defaults and CPython's names and messages.
 */
import * as v8 from 'node:v8';
import { Executor, Future, RuntimeError, ValueError, shutdownOptions, takeMapOptions, type ShutdownOptions } from './_base';
import { isLifted, landBig, releaseLifted, type LiftedBytes } from './big-payloads';
import { mapInChunks } from './chunked-map';
import { WorkerPool, type PoolFuture, type Transport } from './pool';
import type { FunctionDef } from './pool-protocol';
import { encodeArgs } from './encode-args';
import { lookupName, parentReceiver, shipFunction } from './shipping';
import type { Payload } from './shared-memory';
import * as pythonErrors from '../python/errors';
import { TypeError } from '../python/errors';
import { pyTypeName } from '../python/repr';
import { noteShutdown, noteSubmit } from '../timeline/record';

export interface PoolExecutorOptions {
  max_workers?: number | null;
  initializer?: ((...args: any[]) => unknown) | null;
  initargs?: unknown[];
}

export interface PoolFlavour {
  transport: Transport;
  defaultWorkers: number;
  maxTasksPerChild: number | null;
  broken(message: string): Error;
  diedMessage: string;
  futureDiedMessage: string;
  initFailedMessage: string;
  /** Whether workers share this process's memory (threads): SharedArrayBuffers are then shared, not refused. */
  sharesMemory: boolean;
}

function toDef(fn: Function): FunctionDef {
  const shipped = shipFunction(fn);
  return [shipped.id, shipped.code, shipped.values];
}

export abstract class PoolExecutor extends Executor {
  protected readonly pool: WorkerPool;
  private readonly share: { shareMemory: boolean; liftBig: boolean };
  private shutdownCalled = false;

  constructor(options: PoolExecutorOptions, flavour: PoolFlavour) {
    super();
    const maxWorkers = options.max_workers ?? flavour.defaultWorkers;
    if (maxWorkers <= 0) throw new ValueError('max_workers must be greater than 0');
    if (options.initializer != null && typeof options.initializer !== 'function') {
      throw new TypeError('initializer must be a callable');
    }
    // Initializer arguments are read by every worker: they stay in the message, not in a file one task releases.
    const share = { shareMemory: flavour.sharesMemory };
    this.share = { ...share, liftBig: !flavour.sharesMemory };
    this.pool = new WorkerPool(flavour.transport, {
      maxWorkers,
      maxTasksPerChild: flavour.maxTasksPerChild,
      initializer: options.initializer ? toDef(options.initializer) : null,
      initargs: options.initializer ? encodeArgs(options.initializer.name, options.initargs ?? [], share) : null,
      broken: flavour.broken,
      diedMessage: flavour.diedMessage,
      futureDiedMessage: flavour.futureDiedMessage,
      initFailedMessage: flavour.initFailedMessage,
      receive: {
        result: (value, encoded, lifted) => {
          const landed = lifted ? landBig(value as LiftedBytes) : value;
          return encoded ? parentReceiver.decodeEncoded(landed) : landed;
        },
        error: (info) => parentReceiver.error(info, errorClass),
      },
    });
  }

  /** Ships `fn` (by source, with what it uses) and its arguments; anything that cannot travel throws here. */
  override submit<T>(fn: (...args: any[]) => T | Promise<T>, ...args: unknown[]): Future<Awaited<T>> {
    this.checkSubmit(fn);
    if (typeof fn !== 'function') return notCallable(fn);
    return this.enqueue(fn, encodeArgs(fn.name, args, this.share), false);
  }

  /** One map() chunk: `fn` runs over the rows of `columns` in a worker, the future's result is the list of values. */
  private submitChunk(fn: Function, columns: unknown[][]): Future<unknown[]> {
    this.checkSubmit(fn);
    if (typeof fn !== 'function') return notCallable(fn);
    return this.enqueue(fn, serializeChunk(fn.name, columns, this.share), true);
  }

  private checkSubmit(fn: unknown): void {
    if (this.pool.broken !== null) throw this.brokenError(this.pool.broken);
    if (this.shutdownCalled) throw new RuntimeError('cannot schedule new futures after shutdown');
  }

  private enqueue<T>(fn: Function, argBytes: Payload, chunk: boolean): Future<T> {
    const def = toDef(fn);
    const future = new Future<T>();
    noteSubmit(this, future, fn); // timeline stamps
    if (isLifted(argBytes)) future.add_done_callback(() => releaseLifted(argBytes));
    this.pool.enqueue(future as unknown as PoolFuture, def, argBytes, chunk);
    return future;
  }

  protected abstract brokenError(message: string): Error;

  /**
   * Python's `map(fn, *iterables, timeout, chunksize, buffersize)`. With chunksize > 1 each chunk travels as one
   * task (buffersize then counts chunks, as in CPython) and the results come back flat, in input order.
   */
  override map(fn: (...args: any[]) => unknown, ...rest: unknown[]): AsyncIterable<any> {
    const options = takeMapOptions(rest);
    return mapInChunks(rest, options, (columns) => this.submitChunk(fn, columns)) ?? super.map(fn, ...rest, options);
  }

  /** Python's `shutdown(wait=True, *, cancel_futures=False)`: `shutdown(false)` or `shutdown({ wait, cancel_futures })`. */
  override async shutdown(options?: ShutdownOptions | boolean): Promise<void> {
    const { wait, cancel_futures } = shutdownOptions(options);
    this.shutdownCalled = true;
    noteShutdown(this);
    const done = this.pool.shutdown(cancel_futures);
    if (wait) await done;
  }

  /** Pids (process pool) or thread ids (interpreter pool) of the live workers. */
  get _worker_ids(): number[] {
    return this.pool.workerIds;
  }
}

/** The error class a worker's error name stands for: a notebook or module name, the runtime's, or a JS global. The
 *  runtime's Python errors are known without its package entry loaded (a plain-Node user of one executor). */
export function errorClass(name: string): Function | undefined {
  const candidates = [lookupName(name), { found: true, value: (pythonErrors as Record<string, unknown>)[name] },
    { found: true, value: (globalThis as Record<string, unknown>)[name] }];
  for (const r of candidates) {
    if (r.found && typeof r.value === 'function' && (r.value === Error || r.value.prototype instanceof Error)) return r.value;
  }
  return undefined;
}

/**
 * CPython reports a non-callable through the future (the worker fails to call it), not at submit: the same here,
 * without a trip to a worker.
 */
function notCallable<T>(fn: unknown): Future<T> {
  const future = new Future<T>();
  future.set_running_or_notify_cancel();
  future.set_exception(new TypeError(`'${pyTypeName(fn)}' object is not callable`));
  return future;
}

/** A chunk's columns as one payload; when something cannot travel, the error names the row's argument. */
export function serializeChunk(fnName: string, columns: unknown[][], share: { shareMemory: boolean }): Payload {
  try {
    return encodeArgs(fnName, columns, share);
  } catch (error) {
    const check = { shareMemory: share.shareMemory };
    for (let i = 0; i < columns[0]!.length; i++) encodeArgs(fnName, columns.map((c) => c[i]), check);
    throw error;
  }
}
