/**
 * What timeline recording costs an executor: 100 000 submits of a trivial task to a ThreadPoolExecutor, awaited,
 * with recording on and off. Rounds alternate which mode goes first, and with `--expose-gc` each round starts from a
 * collected heap, so neither mode pays for the other's garbage. Prints the ratio of the fastest rounds (other load
 * only adds time) and the median of the per-round ratios; the budget is < 2 %. Also prints the stamping cost alone
 * per task (all three stamps on bare futures), which bounds the overhead for any executor however fast its own
 * per-task path gets.
 * Run: npm run build && node --expose-gc dist/bench/timeline-overhead.js
 */
import { Future } from '../runtime/futures/_base';
import { ThreadPoolExecutor } from '../runtime/futures/thread';
import { noteStart, noteSubmit, setRecording } from '../runtime/timeline/record';

const N = 100_000;
const ROUNDS = 15;

const task = (x: number) => x + 1;
const exposedGc = (globalThis as { gc?: () => void }).gc;
const gc = exposedGc ?? (() => {});

async function once(record: boolean): Promise<number> {
  setRecording(record);
  gc();
  const executor = new ThreadPoolExecutor({ max_workers: 4 });
  const t0 = performance.now();
  const fs = [];
  for (let i = 0; i < N; i++) fs.push(executor.submit(task, i));
  await executor.shutdown({ wait: true });
  const ms = performance.now() - t0;
  if ((await fs[N - 1].result()) !== N) throw new Error('wrong result');
  return ms;
}

/** ns per task for submit + start + end stamps, net of creating and finishing the futures. */
function stampCost(): number {
  const run = (record: boolean) => {
    gc();
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main() {
  const on: number[] = [];
  const off: number[] = [];
  await once(true); // warm-up: JIT both paths before measuring
  await once(false);
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2) {
      off.push(await once(false));
      on.push(await once(true));
    } else {
      on.push(await once(true));
      off.push(await once(false));
    }
  }
  setRecording(true);
  const stamp = stampCost();
  const a = Math.min(...off);
  const b = Math.min(...on);
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  console.log(`100 000 submits, recording off: ${a.toFixed(1)} ms   on: ${b.toFixed(1)} ms${exposedGc ? '' : '   (no --expose-gc: rounds share garbage)'}`);
  console.log(`overhead: ${pct(b / a - 1)} fastest rounds, ${pct(median(on.map((x, i) => x / off[i])) - 1)} median round (budget < 2 %)`);
  console.log(`stamping alone: ${stamp.toFixed(0)} ns per task = ${pct(stamp / ((a * 1e6) / N))} of this executor's per-task time`);
}

void main();
