/**
 * CPU-bound figures: the ProcessPool speed-up on every core, and the lecture's big sum with our builtins.
 */
import { ProcessPoolExecutor } from '../../runtime/futures/process';
import { range } from '../../runtime/python/range';
import { sum } from '../../runtime/python/sum';
import { sumLoop } from './tasks';
import { check, medianMs } from './timing';

/** `jobs` × sumLoop(n): one after another in this process, then spread over a warm pool of one worker per core. */
export async function measureSpeedup(jobs: number, n: number, reps: number) {
  const want = (n * (n + 1)) / 2;
  const sequential = await medianMs(reps, () => {
    for (let j = 0; j < jobs; j++) check(sumLoop(n), want, 'sequential sumLoop');
  });
  const executor = new ProcessPoolExecutor();
  try {
    const runAll = async (size: number) => {
      const results = await Promise.all(Array.from({ length: jobs }, () => executor.submit(sumLoop, size).result()));
      for (const r of results) check(r, (size * (size + 1)) / 2, 'pool sumLoop');
    };
    await runAll(n); // warm-up: every worker started, the function compiled, the pool has seen slow tasks
    return { sequential, pool: await medianMs(reps, () => runAll(n)), workers: executor._worker_ids.length };
  } finally {
    await executor.shutdown();
  }
}

/** Our `sum(range(1, 1e8 + 1))`, the lecture's sum_generator(10**8). */
export function measureBigSum(reps: number): Promise<number> {
  return medianMs(reps, () => check(sum(range(1, 1e8 + 1)), 5000000050000000, 'sum(range)'));
}
