/**
 * `node dist/bench/kernel/startup.js [N]`: start-up only, N times per kernel, alternating kernels so both see the
 * same machine load; launch -> first `1+1` execute_reply, the same span as bench:kernel's start-up column.
 * tsfutures starts from the argv `tsfutures install` writes (kernelspec.ts), so the snapshot path is what is timed.
 * KERNELS=a,b picks kernels (tsfutures, tsfutures-plain = the built-in spec without the snapshot, python3).
 * Prints each kernel's median and quartiles, and its ratio to ipykernel's median. With --trace, also the median
 * time from launch of each start-up step our kernel logs (kernel/process/startup-trace.ts).
 */
import { builtinTsfuturesSpec, type KernelSpec } from '../../nbval/client/kernelspecs';
import { KernelManager } from '../../nbval/client/manager';
import { installedSpec, ipykernelSpec } from './spec';
import { median, percentile } from './stats';

function kernels(): KernelSpec[] {
  const list = [installedSpec(), { ...builtinTsfuturesSpec(), name: 'tsfutures-plain' }, ipykernelSpec()].filter((k) => k !== undefined);
  const only = (process.env.KERNELS ?? 'tsfutures,python3').split(',');
  return list.filter((k) => only.includes(k.name));
}

const TRACE = process.argv.includes('--trace');
const now = () => performance.timeOrigin + performance.now();

/** ms from launch to the first `1+1` reply, and to each traced step (with --trace). */
async function startOnce(spec: KernelSpec): Promise<{ total: number; steps: Map<string, number> }> {
  const env = TRACE ? { ...process.env, TSFUTURES_TRACE_STARTUP: '1' } : undefined;
  const manager = new KernelManager(spec, { startTimeout: 120, env });
  const t0 = now();
  const steps = new Map<string, number>();
  try {
    const client = await manager.start();
    steps.set('kernel_info reply (client)', now() - t0);
    const { reply } = await client.execute('1+1');
    if (reply.status !== 'ok') throw new Error(`1+1 failed: ${reply.status === 'error' ? reply.ename : reply.status}`);
    const total = now() - t0;
    for (const m of manager.stderr.matchAll(/startup (.+) (\d+\.\d)$/gm)) steps.set(m[1], Number(m[2]) - t0);
    return { total, steps };
  } finally {
    await manager.shutdown();
  }
}

/**
 * n starts of each kernel, alternating kernels so both see the same machine load: ms per start by kernel name, and
 * (with --trace) ms of each traced step of our kernel.
 */
export async function startupSamples(specs: KernelSpec[], n: number): Promise<{ times: Map<string, number[]>; steps: Map<string, number[]> }> {
  const times = new Map<string, number[]>(specs.map((s) => [s.name, []]));
  const steps = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    for (const spec of specs) {
      const one = await startOnce(spec);
      times.get(spec.name)!.push(one.total);
      if (spec.name === 'python3') continue;
      for (const [step, ms] of one.steps) steps.set(`${spec.name}: ${step}`, [...(steps.get(`${spec.name}: ${step}`) ?? []), ms]);
    }
  }
  return { times, steps };
}

async function main(): Promise<void> {
  const { times, steps } = await startupSamples(kernels(), Number(process.argv[2]) || 10);
  for (const [step, xs] of [...steps].sort((a, b) => median(a[1]) - median(b[1]))) console.log(`  ${median(xs).toFixed(0).padStart(5)} ms  ${step}`);
  const base = times.get('python3');
  for (const [name, xs] of times) {
    const ratio = base ? ` (${(median(xs) / median(base)).toFixed(2)}x)` : '';
    console.log(`${name.padEnd(16)} median ${median(xs).toFixed(0)} ms${ratio}  q1 ${percentile(xs, 0.25).toFixed(0)}  q3 ${percentile(xs, 0.75).toFixed(0)}  n=${xs.length}`);
  }
}

if (require.main === module) main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
