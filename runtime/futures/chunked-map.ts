/**
 * The pools' `map(fn, ...iterables, {chunksize > 1})`, CPython's `_process_chunk` + `_chain_from_iterable_of_lists`:
 * each chunk of zip(*iterables) is one task whose result is the list of its values, and the caller sees them flat.
 *
 * Built for tiny tasks, where per-item overhead is all there is: chunks are column-major (one array per iterable,
 * no array per row), and the results come out of a hand-written async iterator that hands out a finished chunk's
 * values from a plain array — one resolved promise per value, where an async generator (or two nested ones, as
 * Executor.map + a flattening generator were) costs several promises and microtask hops per value.
 */
import { ValueError } from '../python/errors';
import { mapArguments, monotonic, type Future, type MapOptions } from './_base';
import { Fifo } from './fifo';

/** Chunks of zip(*iterables), each as columns: [[a0..ak], [b0..bk]]. The shortest iterable ends it, as zip does. */
export function* columnChunks(iterables: Iterable<unknown>[], size: number): Generator<unknown[][], void, undefined> {
  if (iterables.length === 0) return;
  const its = iterables.map((it) => it[Symbol.iterator]());
  try {
    for (;;) {
      const cols: unknown[][] = its.map(() => []);
      let n = 0;
      let ended = false;
      fill: while (n < size) {
        for (let j = 0; j < its.length; j++) {
          const r = its[j]!.next();
          if (r.done) {
            ended = true;
            for (let k = 0; k < j; k++) cols[k]!.pop(); // zip drops the incomplete row
            break fill;
          }
          cols[j]!.push(r.value);
        }
        n++;
      }
      if (n) yield cols;
      if (ended) return;
    }
  } finally {
    for (const it of its) it.return?.();
  }
}

/**
 * An executor's `map(fn, *iterables, timeout, chunksize, buffersize)` when chunksize > 1: `submitChunk` runs one
 * chunk's columns as one task. Undefined when chunksize is 1: the caller's plain Executor.map then applies.
 * As CPython: every chunk is submitted now (unless buffersize); a submit that throws leaves earlier ones running.
 */
export function mapInChunks(
  rest: unknown[],
  options: MapOptions,
  submitChunk: (columns: unknown[][]) => Future<unknown[]>,
): AsyncIterable<unknown> | undefined {
  const chunksize = options.chunksize ?? 1;
  if (chunksize < 1) throw new ValueError('chunksize must be >= 1.');
  if (chunksize === 1) return undefined;
  const { iterables, buffersize, endTime } = mapArguments(rest, options);
  const chunks = columnChunks(iterables, chunksize);
  const futures = new Fifo<Future<unknown[]>>();
  const submitNext = (): boolean => {
    const next = chunks.next();
    if (next.done) return false;
    futures.push(submitChunk(next.value));
    return true;
  };
  while ((buffersize === null || futures.length < buffersize) && submitNext());
  return new ChunkedMapResults(futures, buffersize === null ? null : submitNext, () => chunks.return(undefined), endTime);
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * The flat results of chunk futures, in input order. Python's semantics: a chunk's error is thrown where that chunk
 * starts (its earlier values are lost, as CPython's are); `timeout` counts from the map() call; with `buffersize`
 * one new chunk is submitted per chunk taken; an error, break or return() cancels the chunks not yet taken.
 */
export class ChunkedMapResults implements AsyncIterableIterator<unknown> {
  private values: unknown[] = [];
  private pos = 0;
  private finished = false;
  /** next() calls made while an earlier one still waits for a chunk: they run in order, after it. */
  private waiting = 0;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly futures: Fifo<Future<unknown[]>>,
    /** With buffersize: submits the next chunk, or returns false when there is none. */
    private readonly submitNext: (() => boolean) | null,
    private readonly stopSource: () => void,
    private readonly endTime: number | null,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    // The hot path: a value of a chunk already here, and nobody queued ahead of us.
    if (this.waiting === 0 && this.pos < this.values.length) {
      return Promise.resolve({ value: this.values[this.pos++], done: false });
    }
    this.waiting++;
    const result = this.tail.then(() => this.pull());
    this.tail = result.then(
      () => this.waiting--,
      () => this.waiting--,
    );
    return result;
  }

  private async pull(): Promise<IteratorResult<unknown>> {
    for (;;) {
      if (this.pos < this.values.length) return { value: this.values[this.pos++], done: false };
      if (this.finished) return DONE;
      const future = this.futures.shift();
      if (future === undefined) {
        this.finish();
        return DONE;
      }
      this.submitNext?.();
      this.values = [];
      this.pos = 0;
      let chunk: unknown[];
      try {
        chunk = await future.result(this.endTime === null ? null : this.endTime - monotonic());
      } catch (error) {
        this.finish();
        throw error;
      } finally {
        future.cancel(); // a timed-out chunk is abandoned: it must not run later
      }
      if (this.finished) return DONE; // return() came while we waited
      this.values = chunk;
    }
  }

  /** Like an async generator's return(): no more values, and the chunks not yet taken are cancelled. */
  return(value?: unknown): Promise<IteratorResult<unknown>> {
    this.finish();
    return Promise.resolve({ value, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<unknown>> {
    this.finish();
    return Promise.reject(error);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.values = [];
    this.pos = 0;
    for (const f of this.futures.drain()) f.cancel();
    this.stopSource();
  }
}
