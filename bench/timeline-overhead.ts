/**
 * What timeline recording costs an executor: 100 000 submits of a trivial task to a ThreadPoolExecutor, awaited,
 * with recording on and off. Rounds alternate which mode goes first, and with `--expose-gc` each round starts from a
 * collected heap, so neither mode pays for the other's garbage. Prints the ratio of the fastest rounds (other load
 * only adds time) and the median of the per-round ratios; the budget is < 2 %. Also prints the stamping cost alone
 * per task (all three stamps on bare futures), which bounds the overhead for any executor however fast its own
 * per-task path gets.
 * Run: npm run build && node --expose-gc dist/bench/timeline-overhead.js
 *
 * Figures 2026-11-25 (2 cores, load 3-6 from other work, so 100 000-task ratios swing by +-5-12 % run to run; the
 * "stamping alone" line is the steady one), 3-6 runs each:
 * - before (a TaskTimes object per task, performance.now() stamps): wall overhead 1-32 % fastest rounds (median of
 *   runs ~11 %), 8-25 % median round; stamping alone 118 ns/task.
 * - ring history + performance.now(): 116 ns/task; wall median round 0.6-5.7 %, main-thread CPU 4.7-6.9 %.
 * - ring history + ticker clock (now): wall overhead -4.7..2.9 % fastest rounds (median of runs 1.9 %), -12..0.3 %
 *   median round (median of runs -2.4 %); main-thread CPU -11..7 % / -8..11 %; stamping alone 18.9-20.7 ns/task =
 *   0.8-1.1 % of the ~1.7-2.3 us per task. The ticker's own CPU (another thread, only while stamps come in
 *   thousands a second) is ~25-40 ms a second of one core here; a second's worth of this bench saves more than that on
 *   the main thread.
 */
import { readFileSync } from 'node:fs';
import { Future } from '../runtime/futures/_base';
import { ThreadPoolExecutor } from '../runtime/futures/thread';
import { noteEnd, noteStart, noteSubmit, setRecording } from '../runtime/timeline/record';

const N = 100_000;
const ROUNDS = 15;

const task = (x: number) => x + 1;
const exposedGc = (globalThis as { gc?: () => void }).gc;
const gc = exposedGc ?? (() => {});

/**
 * This thread's CPU time in ms (Linux: /proc/thread-self/schedstat, ns on CPU): unlike wall time it does not grow
 * while other processes hold the core, so the ratio holds on a busy machine; it leaves out the stamp clock's ticker
 * thread, which is reported apart. NaN elsewhere.
 */
function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

const processCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Round {
  wall: number;
  cpu: number;
  /** CPU of the other threads of this process (V8 GC helpers, the stamp clock ticker), in ms. */
  others: number;
}

async function once(record: boolean): Promise<Round> {
  setRecording(record);
  gc();
  const executor = new ThreadPoolExecutor({ max_workers: 4 });
  const c0 = threadCpuMs();
  const p0 = processCpuMs();
  const t0 = performance.now();
  const fs = [];
  for (let i = 0; i < N; i++) fs.push(executor.submit(task, i));
  await executor.shutdown({ wait: true });
  const wall = performance.now() - t0;
  const cpu = threadCpuMs() - c0;
  const others = processCpuMs() - p0 - cpu;
  if ((await fs[N - 1].result()) !== N) throw new Error('wrong result');
  return { wall, cpu, others };
}

/**
 * ns per task for the three stamps (noteSubmit, noteStart, the end stamp) on futures made beforehand: short loops,
 * fastest of many, so the figure holds on a busy machine (wall-time ratios of 100 000-task rounds move by several %
 * there).
 */
function stampCost(): number {
  const M = 1000;
  const executor = {};
  const fs = Array.from({ length: M }, () => new Future<number>());
  const loop = (record: boolean) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < M; i++) {
      const f = fs[i];
      if (record) {
        noteSubmit(executor, f, task);
        noteStart(f, 0);
        noteEnd(f);
      }
    }
    return Number(process.hrtime.bigint() - t0) / M;
  };
  let on = Infinity;
  let off = Infinity;
  for (let r = 0; r < 2000; r++) (on = Math.min(on, loop(true))), (off = Math.min(off, loop(false)));
  return on - off;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main() {
  const on: Round[] = [];
  const off: Round[] = [];
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
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  const line = (what: string, key: 'wall' | 'cpu') => {
    const a = Math.min(...off.map((r) => r[key]));
    const b = Math.min(...on.map((r) => r[key]));
    const med = median(on.map((r, i) => r[key] / off[i][key])) - 1;
    console.log(`${what}: off ${a.toFixed(1)} ms, on ${b.toFixed(1)} ms; overhead ${pct(b / a - 1)} fastest rounds, ${pct(med)} median round (budget < 2 %)`);
    return a;
  };
  console.log(`100 000 submits to a ThreadPoolExecutor, ${ROUNDS} rounds each${exposedGc ? '' : ' (no --expose-gc: rounds share garbage)'}`);
  const a = line('wall time        ', 'wall');
  line('main-thread CPU  ', 'cpu');
  console.log(`other threads' CPU (V8's GC helpers, and the stamp clock's ticker when on): off ${median(off.map((r) => r.others)).toFixed(1)} ms, on ${median(on.map((r) => r.others)).toFixed(1)} ms (medians)`);
  console.log(`stamping alone: ${stamp.toFixed(1)} ns per task = ${pct(stamp / ((a * 1e6) / N))} of this executor's per-task time`);
}

void main();
