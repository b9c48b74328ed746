/**
 * `npm run build && node dist/bench/kernel/worker-cost.js [VARIANT...]`: what one worker_threads Worker adds to a
 * plain node process run as the kernel runs (its V8 flags and kernel.json's env), by Worker option. The kernel's io
 * thread (kernel/transport/io-thread.ts) is such a Worker. Each variant runs ROUNDS (default 3) times, each in a
 * fresh node: RSS (smaps_rollup) before the Worker and 1 s after its first message, split into anonymous memory and
 * files, the process's thread count, and the Worker's own V8 heap spaces. A report, not a test; the figures and what
 * they mean: docs/performance.md, "Kernel memory: where it goes" (the io thread's own cost).
 *
 * Variants: bare (no options), stdio (stdout/stderr: true, as the kernel), share-env (env: SHARE_ENV), stack-1
 * (resourceLimits.stackSizeMb 1), young-1 (resourceLimits.maxYoungGenerationSizeMb 1), no-fd-tracking
 * (trackUnmanagedFds: false), io-modules (the Worker loads what io-thread.ts imports: zeromq, the wire, the guards).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import { isMainThread, parentPort, SHARE_ENV, Worker, workerData, type WorkerOptions } from 'node:worker_threads';

const VARIANTS: Record<string, WorkerOptions> = {
  bare: {},
  stdio: { stdout: true, stderr: true },
  'share-env': { env: SHARE_ENV },
  'stack-1': { resourceLimits: { stackSizeMb: 1 } },
  'young-1': { resourceLimits: { maxYoungGenerationSizeMb: 1 } },
  'no-fd-tracking': { trackUnmanagedFds: false },
  'io-modules': { stdout: true, stderr: true, workerData: { ioModules: true } },
};

/** What io-thread.ts imports (not io-thread.js itself: its module body starts the thread's work). */
const IO_MODULES = ['zeromq', '../../kernel/transport/wire', '../../kernel/transport/channels', '../../kernel/process/watchdog', '../../kernel/process/memory-guard', '../../kernel/process/interrupt-gate', '../../kernel/process/full-gc'];

const MiB = 1024;

function rollup(): { rss: number; anonymous: number } {
  const text = readFileSync('/proc/self/smaps_rollup', 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)![1]);
  return { rss: kib('Rss'), anonymous: kib('Anonymous') };
}

/** In the Worker: report its heap spaces when asked, then end. */
function workerSide(): void {
  if ((workerData as { ioModules?: boolean } | undefined)?.ioModules) for (const m of IO_MODULES) require(m);
  parentPort!.on('message', () => {
    const spaces = getHeapSpaceStatistics().filter((s) => s.physical_space_size > 0);
    parentPort!.postMessage(spaces.map((s) => `${s.space_name.replace('_space', '')} ${(s.physical_space_size / 2 ** 20).toFixed(2)}`).join(', '));
    parentPort!.close();
  });
  parentPort!.postMessage('up');
}

/** In a fresh node: one Worker with the variant's options, measured around its start. */
async function measureOnce(variant: string): Promise<void> {
  require('zeromq'); // as in the kernel, whose main thread has it loaded before the io thread starts
  await new Promise((resolve) => setTimeout(resolve, 300));
  const before = rollup();
  const threads = readdirSync('/proc/self/task').length;
  const worker = new Worker(__filename, VARIANTS[variant]);
  worker.stdout?.resume();
  worker.stderr?.resume();
  await new Promise((resolve) => worker.once('message', resolve));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = rollup();
  const threadsAfter = readdirSync('/proc/self/task').length;
  worker.postMessage('spaces');
  const spaces = await new Promise<string>((resolve) => worker.once('message', resolve));
  const rss = (after.rss - before.rss) / MiB;
  const anonymous = (after.anonymous - before.anonymous) / MiB;
  console.log(`${variant.padEnd(15)} +${rss.toFixed(2)} MiB (anonymous ${anonymous.toFixed(2)}, files ${(rss - anonymous).toFixed(2)}), threads ${threads} -> ${threadsAfter}; its heap: ${spaces}`);
}

function main(): void {
  const variants = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(VARIANTS);
  for (const v of variants) if (!(v in VARIANTS)) throw new Error(`unknown variant ${v}: one of ${Object.keys(VARIANTS).join(', ')}`);
  const { kernelV8Flags } = require('../../kernel/snapshot') as typeof import('../../kernel/snapshot');
  const { kernelJson } = require('../../kernel/install/kernelspec') as typeof import('../../kernel/install/kernelspec');
  const env = { ...process.env, ...(kernelJson() as { env?: Record<string, string> }).env };
  const rounds = Number(process.env.ROUNDS ?? 3);
  console.log(`One Worker in a plain node (${kernelV8Flags().join(' ')}, kernel.json's env), ${rounds} rounds a variant`);
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      process.stdout.write(execFileSync(process.execPath, [...kernelV8Flags(), __filename, '--measure', variant], { env, encoding: 'utf8', cwd: path.dirname(__filename) }));
    }
  }
}

if (!isMainThread) workerSide();
else if (process.argv[2] === '--measure') void measureOnce(process.argv[3]);
else main();
