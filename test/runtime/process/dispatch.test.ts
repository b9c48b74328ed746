/**
 * How slow tasks are handed to workers: one at a time to an idle worker, plus one running task waiting for the first
 * free one (CPython's call queue of max_workers + 1), so equal CPU-bound tasks split evenly over the workers.
 */
import { ProcessPoolExecutor } from '../../../runtime/futures/process';
import { spin } from './fixture';

test('4 equal slow tasks on 2 workers: 2 each, and 3 running + 1 pending right after submit', async () => {
  const executor = new ProcessPoolExecutor({ max_workers: 2 });
  try {
    // Both workers up and the task timed as a slow one before the part under test: a second worker that was still
    // starting (slow on a loaded machine) let the first one take 3 of the 4 tasks.
    await Promise.all([executor.submit(spin, 150), executor.submit(spin, 150)].map((f) => f.result()));
    const fs = [1, 2, 3, 4].map(() => executor.submit(spin, 150));
    await new Promise((resolve) => setImmediate(resolve));
    expect(fs.map((f) => (f.running() ? 'running' : 'pending'))).toEqual(['running', 'running', 'running', 'pending']);
    const pids = await Promise.all(fs.map((f) => f.result()));
    const perWorker = new Map<number, number>();
    for (const p of pids) perWorker.set(p, (perWorker.get(p) ?? 0) + 1);
    expect([...perWorker.values()]).toEqual([2, 2]);
  } finally {
    await executor.shutdown();
  }
});
