import { KernelManager } from '../../nbval/client/manager';
import type { KernelSpec } from '../../nbval/client/kernelspecs';
import { treeRssKiB } from './rss';

export interface KernelFigures {
  name: string;
  /** Launch until the first `1+1` execute_reply (and idle), ms. */
  startupMs: number;
  /** Round trips of the cells that each declare a new variable, ms, in order. */
  declareMs: number[];
  /** Round trips of `1+1` after them, ms. */
  exprMs: number[];
  /** Process tree RSS after all cells, KiB. */
  rssKiB: number;
  /**
   * The same, IDLE_MS[i] after the last reply: ours compacts its heap once quiet, and gives its young generation back
   * later (kernel/process/idle-compaction.ts).
   */
  idleRssKiB: number[];
}

/** How long after the last cell the idle RSS is read. */
export const IDLE_MS = [1000, 7000];

export interface BenchOptions {
  cells: number;
  exprCells: number;
}

/** One fresh kernel: start-up, then the declaring cells, then `1+1` cells, all through the same Node client. */
export async function measureKernel(spec: KernelSpec, declare: (i: number) => string, options: BenchOptions): Promise<KernelFigures> {
  const manager = new KernelManager(spec, { startTimeout: 120 });
  const t0 = performance.now();
  const client = await manager.start();
  try {
    await mustSucceed(client.execute('1+1'), '1+1');
    const startupMs = performance.now() - t0;
    const declareMs = await timeCells(options.cells, (i) => client.execute(declare(i)));
    const exprMs = await timeCells(options.exprCells, () => client.execute('1+1'));
    const rssKiB = treeRssKiB(manager.pid!);
    const idleRssKiB: number[] = [];
    const since = performance.now();
    for (const ms of IDLE_MS) {
      await new Promise((resolve) => setTimeout(resolve, ms - (performance.now() - since)));
      idleRssKiB.push(treeRssKiB(manager.pid!));
    }
    return { name: spec.name, startupMs, declareMs, exprMs, rssKiB, idleRssKiB };
  } finally {
    await manager.shutdown();
  }
}

type Executed = Promise<{ reply: Record<string, any> }>;

async function timeCells(count: number, run: (i: number) => Executed): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await mustSucceed(run(i), `cell ${i}`);
    times.push(performance.now() - t);
  }
  return times;
}

async function mustSucceed(pending: Executed, what: string): Promise<void> {
  const { reply } = await pending;
  if (reply.status !== 'ok') throw new Error(`${what} failed: ${reply.ename}: ${reply.evalue}`);
}
