/**
 * What progress() costs a loop: 100 000 items, plain vs wrapped, sync (for...of over an array) and async (for await
 * over an async generator, like as_completed/executor.map). Prints the slowdown ratios and the number of display calls.
 * Run: npx tsc -p tsconfig.json; node dist/bench/progress-overhead.js
 */
import { setDisplayHook } from '../runtime/display-hook';
import { progress } from '../runtime/timeline/progress';

const N = 100_000;
const ROUNDS = 31;
const items = Array.from({ length: N }, (_, i) => i);

/** A small loop body (a few hundred ns), so the ratio says something about real loops rather than an empty one. */
function work(i: number): number {
  let x = i;
  for (let k = 0; k < 40; k++) x = (x * 1103515245 + 12345) % 2147483648;
  return x;
}

async function* source(): AsyncGenerator<number> {
  for (const i of items) yield i;
}

async function timeIt(f: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

async function main() {
  let updates = 0;
  setDisplayHook({ display: () => void updates++ });
  let sink = 0;
  const cases: Record<string, () => Promise<unknown> | unknown> = {
    'sync plain': () => { for (const i of items) sink += work(i); },
    'sync progress': () => { for (const i of progress(items)) sink += work(i); },
    'async plain': async () => { for await (const i of source()) sink += work(i); },
    'async progress': async () => { for await (const i of progress(source(), { total: N })) sink += work(i); },
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  // Interleaved rounds, so drift (GC, CPU frequency) hits every case alike.
  for (let r = 0; r < ROUNDS; r++) for (const [k, f] of Object.entries(cases)) times[k].push(await timeIt(f));
  // The fastest round: other processes on the machine only ever add time, so the minimum is the least disturbed.
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.min(...v.slice(3))]));
  for (const [k, v] of Object.entries(m)) console.log(`${k.padEnd(15)} ${v.toFixed(2)} ms`);
  console.log(`sync  slowdown: ${((m['sync progress'] / m['sync plain'] - 1) * 100).toFixed(2)} %`);
  console.log(`async slowdown: ${((m['async progress'] / m['async plain'] - 1) * 100).toFixed(2)} %`);
  console.log(`display calls per 100 000-item loop: ${(updates / (ROUNDS * 2)).toFixed(1)} (sink ${sink % 10})`);
}

void main();
