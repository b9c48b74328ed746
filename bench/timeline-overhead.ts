/**
 * What timeline recording costs an executor: 100 000 submits of a trivial task to a ThreadPoolExecutor, awaited,
 * with recording on and off (interleaved rounds; the fastest round of each, since other load only adds time).
 * Prints the ratio; the budget is < 2 %. Also prints the stamping cost alone per task (all three stamps on bare
 * futures), which bounds the overhead for any executor however fast its own per-task path gets.
 * Run: npx tsc -p tsconfig.json; node dist/bench/timeline-overhead.js
 */
import { Future } from '../runtime/futures/_base';
import { ThreadPoolExecutor } from '../runtime/futures/thread';
import { noteStart, noteSubmit, setRecording } from '../runtime/timeline/record';

const N = 100_000;
const ROUNDS = 9;

const task = (x: number) => x + 1;

async function once(record: boolean): Promise<number> {
  setRecording(record);
  const executor = new ThreadPoolExecutor({ max_workers: 4 });
  const t0 = performance.now();
  const fs = [];
  for (let i = 0; i < N; i++) fs.push(executor.submit(task, i));
  await executor.shutdown({ wait: true });
  const ms = performance.now() - t0;
  if ((await fs[N - 1].result()) !== N) throw new Error('wrong result');
  return ms;
}

/** ns per task for submit + start + end stamps (with the done-callback firing), net of creating and finishing the futures. */
function stampCost(): number {
  const run = (record: boolean) => {
    const executor = {};
    const fs: Future<number>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const f = new Future<number>();
      if (record) noteSubmit(executor, f, task);
      fs.push(f);
    }
    for (const f of fs) {
      f.set_running_or_notify_cancel();
      if (record) noteStart(f, 0);
      f.set_result(1);
    }
    return performance.now() - t0;
  };
  const on: number[] = [];
  const off: number[] = [];
  for (let r = 0; r < ROUNDS; r++) on.push(run(true)), off.push(run(false));
  return ((Math.min(...on) - Math.min(...off)) * 1e6) / N;
}

async function main() {
  const on: number[] = [];
  const off: number[] = [];
  await once(true); // warm-up: JIT both paths before measuring
  await once(false);
  for (let r = 0; r < ROUNDS; r++) {
    off.push(await once(false));
    on.push(await once(true));
  }
  setRecording(true);
  const stamp = stampCost();
  const a = Math.min(...off);
  const b = Math.min(...on);
  console.log(`100 000 submits, recording off: ${a.toFixed(1)} ms   on: ${b.toFixed(1)} ms`);
  console.log(`overhead: ${((b / a - 1) * 100).toFixed(2)} % (budget < 2 %)`);
  console.log(`stamping alone: ${stamp.toFixed(0)} ns per task = ${((stamp / ((a * 1e6) / N)) * 100).toFixed(2)} % of this executor's per-task time`);
}

void main();
