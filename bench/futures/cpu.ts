/**
 * CPU-bound figures: the ProcessPool speed-up on every core, and the lecture's big sum with our builtins.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
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

/**
 * What the machine gives right now: the same jobs split over `procs` bare node processes (no pool), timed from
 * the first job's start to the last one's end in each child's own clock (process start-up excluded). On a shared
 * machine this bounds the pool's speed-up: if bare processes cannot run side by side, no pool can.
 */
export async function measureBareParallel(jobs: number, n: number, procs: number): Promise<number> {
  const tasks = path.join(__dirname, 'tasks.js');
  const perProc = Math.ceil(jobs / procs);
  const code = `const { sumLoop } = require(${JSON.stringify(tasks)}); const t0 = performance.timeOrigin + performance.now();
    for (let j = 0; j < ${perProc}; j++) sumLoop(${n});
    console.log(JSON.stringify([t0, performance.timeOrigin + performance.now()]));`;
  const spans = await Promise.all(Array.from({ length: procs }, () => new Promise<[number, number]>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve(JSON.parse(out)) : reject(new Error(`bare child exited ${status}`))));
  })));
  return Math.max(...spans.map((s) => s[1])) - Math.min(...spans.map((s) => s[0]));
}

/** Our `sum(range(1, 1e8 + 1))`, the lecture's sum_generator(10**8). */
export function measureBigSum(reps: number): Promise<number> {
  return medianMs(reps, () => check(sum(range(1, 1e8 + 1)), 5000000050000000, 'sum(range)'));
}
