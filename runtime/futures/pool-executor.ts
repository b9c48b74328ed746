/**
 * What ProcessPoolExecutor and InterpreterPoolExecutor share: an Executor whose tasks are shipped functions run by a
 * WorkerPool. The subclasses only choose the transport, the defaults and CPython's names and messages.
 */
import { Executor, Future, RuntimeError, ValueError } from './_base';
import { WorkerPool, type PoolFuture, type Transport } from './pool';
import type { FunctionDef } from './pool-protocol';
import { serializeArgs, shipFunction } from './shipping';
import { noteSubmit } from '../timeline/record';
import { zipRows } from '../python/builtins';

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

/** map()'s chunksize: a marked stand-in function whose submit ships `fn` and runs it over a list of arg lists. */
const CHUNK_OF = Symbol('tsfutures.chunkOf');
type ChunkRunner = ((...args: unknown[]) => unknown) & { [CHUNK_OF]: Function };

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
    if (this.pool.broken !== null) throw this.brokenError(this.pool.broken);
    if (this.shutdownCalled) throw new RuntimeError('cannot schedule new futures after shutdown');
    if (typeof fn !== 'function') throw new TypeError(`'${typeof fn}' object is not callable`);
    const chunkOf = (fn as Partial<ChunkRunner>)[CHUNK_OF];
    const target = chunkOf ?? fn;
    const def = toDef(target);
    const argBytes = chunkOf ? serializeArgs(target.name, args[0] as unknown[]) : serializeArgs(target.name, args);
    const future = new Future<Awaited<T>>();
    noteSubmit(this, future, target); // timeline stamps
    this.pool.enqueue(future as unknown as PoolFuture, def, argBytes, chunkOf !== undefined);
    return future;
  }

  protected abstract brokenError(message: string): Error;

  /** Python's `map(fn, *iterables, timeout, chunksize)`: chunks travel as one task each, results come back flat. */
  override map(fn: (...args: any[]) => unknown, ...rest: unknown[]): AsyncIterable<any> {
    const last = rest[rest.length - 1];
    const isOptions = last !== null && typeof last === 'object' && !(Symbol.iterator in last) && !(Symbol.asyncIterator in last);
    const options = (isOptions ? last : {}) as { chunksize?: number; timeout?: number | null; buffersize?: number | null };
    const iterables = (isOptions ? rest.slice(0, -1) : rest) as Iterable<unknown>[];
    const chunksize = options.chunksize ?? 1;
    if (chunksize < 1) throw new ValueError('chunksize must be >= 1.');
    if (chunksize === 1) return super.map(fn, ...iterables, options);
    const runner = Object.assign((..._: unknown[]) => undefined, { [CHUNK_OF]: fn }) as ChunkRunner;
    const chunks = super.map(runner, batched(zipRows(iterables), chunksize), options) as AsyncIterable<unknown[]>;
    return (async function* flatten() {
      // A plain loop: yield* over an array goes through an async-from-sync iterator, ~1.5x the cost per item.
      for await (const chunk of chunks) for (const value of chunk) yield value;
    })();
  }

  override async shutdown(options: { wait?: boolean; cancel_futures?: boolean } = {}): Promise<void> {
    this.shutdownCalled = true;
    const done = this.pool.shutdown(options.cancel_futures ?? false);
    if (options.wait ?? true) await done;
  }

  /** Pids (process pool) or thread ids (interpreter pool) of the live workers. */
  get _worker_ids(): number[] {
    return this.pool.workerIds;
  }
}

function* batched<T>(items: Iterable<T>, n: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === n) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
