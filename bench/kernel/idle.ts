/**
 * `npm run bench:idle`: what an idle kernel costs the machine. Each kernel is started (as `tsfutures install` and
 * Debian's ipykernel kernelspec start them), runs one cell, is left alone for SETTLE_S, then watched for WINDOW_S:
 * context switches of every thread of its process tree (each one a wake-up) and CPU time. Ratios against ipykernel,
 * measured in the same run. KERNELS=a,b picks kernels (tsfutures, python3, tslab from node_modules).
 */
import { readdirSync } from 'node:fs';
import type { KernelSpec } from '../../nbval/client/kernelspecs';
import { KernelManager } from '../../nbval/client/manager';
import { installedSpec, ipykernelSpec, tslabSpec } from './spec';
import { readOrEmpty, treePids } from './rss';

const SETTLE_S = Number(process.env.IDLE_SETTLE_S ?? 10);
const WINDOW_S = Number(process.env.IDLE_WINDOW_S ?? 10);
/** /proc/PID/stat times are in clock ticks: 100 a second on Linux. */
const TICKS_PER_S = 100;

function kernels(): KernelSpec[] {
  const list = [installedSpec(), ipykernelSpec(), tslabSpec()].filter((k) => k !== undefined);
  const only = (process.env.KERNELS ?? 'tsfutures,python3').split(',');
  return list.filter((k) => only.includes(k.name));
}

/** Context switches of all threads, and CPU ticks (user + system), summed over a process tree. */
function sample(rootPid: number): { switches: number; ticks: number } {
  let switches = 0;
  let ticks = 0;
  for (const pid of treePids(rootPid)) {
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // ended while we looked
    }
    for (const tid of tasks) {
      for (const m of readOrEmpty(`/proc/${pid}/task/${tid}/status`).matchAll(/ctxt_switches:\s+(\d+)/g)) switches += Number(m[1]);
    }
    const stat = readOrEmpty(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0); // utime, stime (fields 14 and 15)
  }
  return { switches, ticks };
}

const sleep = (s: number) => new Promise((resolve) => setTimeout(resolve, s * 1000));

async function idleCost(spec: KernelSpec): Promise<{ wakeups: number; cpuMs: number }> {
  const manager = new KernelManager(spec, { startTimeout: 120 });
  try {
    const client = await manager.start();
    const { reply } = await client.execute('1+1');
    if (reply.status !== 'ok') throw new Error(`${spec.name}: 1+1 failed`);
    await sleep(SETTLE_S);
    const before = sample(manager.pid!);
    await sleep(WINDOW_S);
    const after = sample(manager.pid!);
    return { wakeups: (after.switches - before.switches) / WINDOW_S, cpuMs: ((after.ticks - before.ticks) * 1000) / TICKS_PER_S / WINDOW_S };
  } finally {
    await manager.shutdown();
  }
}

async function main(): Promise<void> {
  const figures = new Map<string, { wakeups: number; cpuMs: number }>();
  for (const spec of kernels()) figures.set(spec.name, await idleCost(spec));
  const base = figures.get('python3');
  const ratio = (x: number, b: number | undefined) => (b ? ` (${(x / b).toFixed(2)}x)` : '');
  console.log(`Idle kernel, ${WINDOW_S} s after ${SETTLE_S} s of rest: wake-ups (context switches, all threads) and CPU per second; ratios vs ipykernel`);
  for (const [name, f] of figures) {
    console.log(`${name.padEnd(10)} ${f.wakeups.toFixed(1).padStart(7)} wake-ups/s${ratio(f.wakeups, base?.wakeups).padEnd(9)}  ${f.cpuMs.toFixed(1).padStart(6)} ms CPU/s${ratio(f.cpuMs, base?.cpuMs)}`);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
