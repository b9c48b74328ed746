/** ThreadPoolExecutor's submit→result overhead, the same two loops as bench.py. */
import { ThreadPoolExecutor } from '../../runtime/futures/thread';
import { tiny } from './tasks';
import { check, medianMs } from './timing';

/** Submit n tasks, then await every result in order (Python: `[f.result() for f in futures]`). */
async function submitAll(executor: ThreadPoolExecutor, n: number): Promise<void> {
  const futures = [];
  for (let i = 0; i < n; i++) futures.push(executor.submit(tiny, i));
  let total = 0;
  for (const f of futures) total += await f.result();
  check(total, (n * (n + 1)) / 2, 'thread pool submit-all');
}

async function submitSequential(executor: ThreadPoolExecutor, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await executor.submit(tiny, i).result();
}

export async function measureThreadPool(n: number, seqN: number, reps: number) {
  const executor = new ThreadPoolExecutor();
  try {
    await submitAll(executor, 1000); // warm-up, as bench.py does
    return {
      submitAll: await medianMs(reps, () => submitAll(executor, n)),
      sequential: await medianMs(reps, () => submitSequential(executor, seqN)),
    };
  } finally {
    await executor.shutdown();
  }
}
