/** Wall-clock helpers: medians of a few repetitions, in milliseconds. */
import { median } from '../kernel/stats';

export async function timeMs(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function medianMs(reps: number, fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(await timeMs(fn));
  return median(times);
}

/** Throws when a workload returned the wrong answer: a fast wrong pool must not look like a win. */
export function check(got: unknown, want: unknown, what: string): void {
  if (got !== want) throw new Error(`${what}: got ${String(got)}, want ${String(want)}`);
}
