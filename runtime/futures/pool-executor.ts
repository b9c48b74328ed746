/**
 * What ProcessPoolExecutor and InterpreterPoolExecutor share: an Executor whose tasks are shipped functions run by a
 * WorkerPool. The subclasses only choose the transport, the defaults and CPython's names and messages.
 */
import * as v8 from 'node:v8';
import { Executor, Future, RuntimeError, ValueError, mapArguments, takeMapOptions } from './_base';
import { ChunkedMapResults, columnChunks } from './chunked-map';
import { Fifo } from './fifo';
import { WorkerPool, type PoolFuture, type Transport } from './pool';
import type { FunctionDef } from './pool-protocol';
import { serializeArgs, shipFunction } from './shipping';
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
}

function toDef(fn: Function): FunctionDef {
  const shipped = shipFunction(fn);
  return [shipped.id, shipped.code, shipped.values];
}

export abstract class PoolExecutor extends Executor {
  protected readonly pool: WorkerPool;
  private shutdownCalled = false;

  constructor(options: PoolExecutorOptions, flavour: PoolFlavour) {
    super();
    const maxWorkers = options.max_workers ?? flavour.defaultWorkers;
    if (maxWorkers <= 0) throw new ValueError('max_workers must be greater than 0');
    if (options.initializer != null && typeof options.initializer !== 'function') {
      throw new TypeError('initializer must be a callable');
    }
    this.pool = new WorkerPool(flavour.transport, {
      maxWorkers,
      maxTasksPerChild: flavour.maxTasksPerChild,
      initializer: options.initializer ? toDef(options.initializer) : null,
      initargs: options.initializer ? serializeArgs(options.initializer.name, options.initargs ?? []) : null,
      broken: flavour.broken,
      diedMessage: flavour.diedMessage,
      futureDiedMessage: flavour.futureDiedMessage,
      initFailedMessage: flavour.initFailedMessage,
    });
  }

  /** Ships `fn` (by source, with what it uses) and its arguments; anything that cannot travel throws here. */
  override submit<T>(fn: (...args: any[]) => T | Promise<T>, ...args: unknown[]): Future<Awaited<T>> {
    this.checkSubmit(fn);
    return this.enqueue(fn, serializeArgs(fn.name, args), false);
  }

  /** One map() chunk: `fn` runs over the rows of `columns` in a worker, the future's result is the list of values. */
  private submitChunk(fn: Function, columns: unknown[][]): Future<unknown[]> {
    this.checkSubmit(fn);
    return this.enqueue(fn, serializeChunk(fn.name, columns), true);
  }

  private checkSubmit(fn: unknown): void {
    if (this.pool.broken !== null) throw this.brokenError(this.pool.broken);
    if (this.shutdownCalled) throw new RuntimeError('cannot schedule new futures after shutdown');
    if (typeof fn !== 'function') throw new TypeError(`'${typeof fn}' object is not callable`);
  }

  private enqueue<T>(fn: Function, argBytes: Uint8Array, chunk: boolean): Future<T> {
    const def = toDef(fn);
    const future = new Future<T>();
    noteSubmit(this, future, fn); // timeline stamps
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
    const chunksize = options.chunksize ?? 1;
    if (chunksize < 1) throw new ValueError('chunksize must be >= 1.');
    if (chunksize === 1) return super.map(fn, ...rest, options);
    const { iterables, buffersize, end_time: endTime } = mapArguments(rest, options);

    const chunks = columnChunks(iterables, chunksize);
    const futures = new Fifo<Future<unknown[]>>();
    const submitNext = (): boolean => {
      const next = chunks.next();
      if (next.done) return false;
      futures.push(this.submitChunk(fn, next.value));
      return true;
    };
    // As CPython: every chunk is submitted now (unless buffersize); a submit that throws leaves earlier ones running.
    while ((buffersize === null || futures.length < buffersize) && submitNext());
    return new ChunkedMapResults(futures, buffersize === null ? null : submitNext, () => chunks.return(undefined), endTime);
  }

  override async shutdown(options: { wait?: boolean; cancel_futures?: boolean } = {}): Promise<void> {
    this.shutdownCalled = true;
    noteShutdown(this);
    const done = this.pool.shutdown(options.cancel_futures ?? false);
    if (options.wait ?? true) await done;
  }

  /** Pids (process pool) or thread ids (interpreter pool) of the live workers. */
  get _worker_ids(): number[] {
    return this.pool.workerIds;
  }
}

/** A chunk's columns as one buffer; when something cannot be cloned, the error names the row's argument. */
function serializeChunk(fnName: string, columns: unknown[][]): Uint8Array {
  try {
    return v8.serialize(columns);
  } catch (error) {
    for (let i = 0; i < columns[0]!.length; i++) serializeArgs(fnName, columns.map((c) => c[i]));
    throw error;
  }
}
