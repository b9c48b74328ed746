/**
 * Per-task overhead of the worker pools on tiny tasks: ProcessPoolExecutor (vs CPython's, numbers from bench.py)
 * and InterpreterPoolExecutor vs piscina. Start-up (a fresh pool's first result) is measured apart (startup.ts); the
 * per-task loops run on a warm pool whose workers have all started.
 */
import * as path from 'node:path';
import { Piscina } from 'piscina';
import type { Future } from '../../runtime/futures/_base';
import { InterpreterPoolExecutor } from '../../runtime/futures/interpreter';
import type { PoolExecutor } from '../../runtime/futures/pool-executor';
import { ProcessPoolExecutor } from '../../runtime/futures/process';
import { tiny } from './tasks';
import { check, medianMs } from './timing';

const triangle = (n: number) => (n * (n + 1)) / 2;

/** Anything that turns `tiny(i)` into a promise of its result: our executors and piscina alike. */
type RunTiny = (i: number) => Promise<number>;

/** Submit n tasks, then await the results in order. */
async function submitAll(run: RunTiny, n: number, what: string): Promise<void> {
  const pending: Promise<number>[] = [];
  for (let i = 0; i < n; i++) pending.push(run(i));
  let total = 0;
  for (const p of pending) total += await p;
  check(total, triangle(n), what);
}

const viaExecutor = (executor: PoolExecutor): RunTiny => (i) => (executor.submit(tiny, i) as Future<number>).result();

async function mapChunked(executor: PoolExecutor, n: number, chunksize: number): Promise<void> {
  let total = 0;
  for await (const v of executor.map(tiny, Array.from({ length: n }, (_, i) => i), { chunksize })) total += v as number;
  check(total, triangle(n), 'map chunked');
}

export interface PoolFigures {
  submitAll: number;
  mapChunked?: number;
}

async function measureExecutor(
  make: () => PoolExecutor, n: number, chunksize: number | undefined, reps: number, mapReps = reps,
): Promise<PoolFigures> {
  const executor = make();
  try {
    await submitAll(viaExecutor(executor), n, 'warm-up'); // every worker started, shipped function compiled
    return {
      submitAll: await medianMs(reps, () => submitAll(viaExecutor(executor), n, 'pool submit-all')),
      mapChunked: chunksize === undefined ? undefined : await medianMs(mapReps, () => mapChunked(executor, n, chunksize)),
    };
  } finally {
    await executor.shutdown();
  }
}

export function measureProcessPool(n: number, chunksize: number, reps: number, mapReps: number): Promise<PoolFigures> {
  return measureExecutor(() => new ProcessPoolExecutor(), n, chunksize, reps, mapReps);
}

export function measureInterpreterPool(workers: number, n: number, reps: number): Promise<PoolFigures> {
  return measureExecutor(() => new InterpreterPoolExecutor({ max_workers: workers }), n, undefined, reps);
}

/** piscina with the same number of threads, all started up front (its minThreads), running the same tiny(). */
export async function measurePiscina(workers: number, n: number, reps: number): Promise<PoolFigures> {
  const filename = path.join(__dirname, 'piscina-worker.js');
  const make = () => new Piscina<number, number>({ filename, minThreads: workers, maxThreads: workers });
  const pool = make();
  try {
    const run: RunTiny = (i) => pool.run(i);
    await submitAll(run, n, 'warm-up');
    return {
      submitAll: await medianMs(reps, () => submitAll(run, n, 'piscina submit-all')),
    };
  } finally {
    await pool.destroy();
  }
}
