/**
 * `node dist/bench/kernel/cpu.js`: where a kernel's CPU goes per cell, by thread, for bench:kernel's workload
 * (cells declaring a new variable, then `1+1`), ours next to ipykernel. Round trips are wall time and move with the
 * machine's load; CPU per cell, summed over hundreds of cells, moves much less, so changes are compared with it.
 * Threads: the main one (the engine and the messaging), libzmq's I/O thread, and the rest (in our kernel V8's
 * platform workers, i.e. concurrent/parallel GC and compilation, plus the io worker; in ipykernel its own threads).
 * Thread CPU is read from /proc/PID/task/TID/schedstat, which the kernel accounts at ticks and context switches: use
 * means over hundreds of cells, not single cells.
 * CELLS=n declaring cells (default 400; `1+1`: half as many), WARM=n declaring cells before measuring (default 20),
 * KERNELS=tsfutures,python3 (default both). NODE_FLAGS='--cpu-prof --cpu-prof-dir=DIR' (or --trace-gc, --trace-opt,
 * whose output is then lost: the client ignores the kernel's stdout) starts our kernel with those node flags added,
 * without the start-up snapshot, which loads only under the flags it was built with.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { KernelManager } from '../../nbval/client/manager';
import { builtinTsfuturesSpec, type KernelSpec } from '../../nbval/client/kernelspecs';
import { installedSpec, ipykernelSpec } from './spec';
import { median } from './stats';

type Executed = Promise<{ reply: Record<string, any> }>;

/** CPU time of each thread of a process so far, ms, keyed 'main', 'zmq' or 'other:TID'. */
function threadCpuMs(pid: number): Map<string, number> {
  const times = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const ns = Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const key = Number(tid) === pid ? 'main' : comm.startsWith('ZMQbg') ? `zmq:${tid}` : `other:${tid}`;
      times.set(key, ns / 1e6);
    } catch {
      // the thread ended while we looked
    }
  }
  return times;
}

interface Phase {
  wallMedianMs: number;
  /** Mean CPU per cell, ms: main thread, libzmq's threads, all others. */
  main: number;
  zmq: number;
  other: number;
}

async function measurePhase(pid: number, count: number, run: (i: number) => Executed): Promise<Phase> {
  const before = threadCpuMs(pid);
  const walls: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const { reply } = await run(i);
    if (reply.status !== 'ok') throw new Error(`cell ${i} failed: ${reply.ename}: ${reply.evalue}`);
    walls.push(performance.now() - t);
  }
  const sums = { main: 0, zmq: 0, other: 0 };
  for (const [key, ms] of threadCpuMs(pid)) sums[key.split(':')[0] as keyof typeof sums] += ms - (before.get(key) ?? 0);
  return { wallMedianMs: median(walls), main: sums.main / count, zmq: sums.zmq / count, other: sums.other / count };
}

async function measure(spec: KernelSpec, declare: (i: number) => string, cells: number, warm: number): Promise<[Phase, Phase]> {
  const manager = new KernelManager(spec, { startTimeout: 120 });
  const client = await manager.start();
  try {
    await client.execute('1+1');
    for (let i = 0; i < warm; i++) await client.execute(declare(cells + i));
    const pid = manager.pid!;
    const declaring = await measurePhase(pid, cells, (i) => client.execute(declare(i)));
    const expression = await measurePhase(pid, Math.max(1, cells >> 1), () => client.execute('1+1'));
    return [declaring, expression];
  } finally {
    await manager.shutdown();
  }
}

/** Our kernel as installed, or with extra node flags and without the snapshot (see the top of the file). */
function oursWith(flags: string | undefined): KernelSpec {
  if (!flags?.trim()) return installedSpec();
  const spec = builtinTsfuturesSpec();
  const script = spec.argv.findIndex((arg) => path.basename(arg) === 'tsfutures.js');
  return { ...spec, argv: [...spec.argv.slice(0, script), ...flags.trim().split(/\s+/), ...spec.argv.slice(script)] };
}

function countFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number >= 0, got ${JSON.stringify(raw)}`);
  return n;
}

async function main(): Promise<void> {
  const cells = Math.max(1, countFromEnv('CELLS', 400));
  const warm = countFromEnv('WARM', 20);
  const only = process.env.KERNELS?.split(',');
  const python = ipykernelSpec();
  const kernels: Array<[KernelSpec, (i: number) => string]> = [[oursWith(process.env.NODE_FLAGS), (i) => `const x${i} = ${i};`]];
  if (python) kernels.push([python, (i) => `x${i} = ${i}`]);
  const fmt = (x: number) => x.toFixed(2);
  console.log(`CPU per cell, ms (means over ${cells} declaring cells and ${cells >> 1} x "1+1", after ${warm}); load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
  console.log('kernel     cell     wall median  main   zmq    other  total');
  for (const [spec, declare] of kernels.filter(([s]) => !only || only.includes(s.name))) {
    const phases = await measure(spec, declare, cells, warm);
    phases.forEach((p, i) =>
      console.log([spec.name.padEnd(10), (i ? '1+1' : 'declare').padEnd(8), fmt(p.wallMedianMs).padEnd(12), fmt(p.main).padEnd(6), fmt(p.zmq).padEnd(6), fmt(p.other).padEnd(6), fmt(p.main + p.zmq + p.other)].join(' ')),
    );
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
