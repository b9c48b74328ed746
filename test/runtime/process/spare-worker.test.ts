/**
 * The warm spare worker (runtime/futures/spare-worker.ts): once a pool has been used, the next pool's first worker is
 * a spare that was already booted, and it is as fresh as a new spawn: what one pool's tasks left in their workers'
 * globals is not seen by the next pool's first task. A process's first pool starts its first worker when constructed.
 */
import { InterpreterPoolExecutor } from '../../../runtime/futures/interpreter';
import type { PoolExecutor } from '../../../runtime/futures/pool-executor';
import { ProcessPoolExecutor } from '../../../runtime/futures/process';
import type { SpareKeeper } from '../../../runtime/futures/spare-worker';
import { processTransport, threadTransport } from '../../../runtime/futures/transports';

/** Leaves a mark in the worker's globals (as module-level state would) and says who ran it. */
function leaveMark(mark: string): [string | null, number] {
  const g = globalThis as { __spareTestMark?: string };
  const before = g.__spareTestMark ?? null;
  g.__spareTestMark = mark;
  return [before, Number(require('node:worker_threads').threadId) || process.pid];
}

async function spareOf(keeper: SpareKeeper): Promise<number> {
  for (let i = 0; i < 400 && !keeper.spareIds().length; i++) await new Promise((resolve) => setTimeout(resolve, 25));
  const [id] = keeper.spareIds();
  if (id === undefined) throw new Error('no spare worker was started');
  return id;
}

const kinds: [string, () => PoolExecutor, SpareKeeper][] = [
  ['ProcessPoolExecutor', () => new ProcessPoolExecutor({ max_workers: 1 }), processTransport as SpareKeeper],
  ['InterpreterPoolExecutor', () => new InterpreterPoolExecutor({ max_workers: 1 }), threadTransport as SpareKeeper],
];

describe.each(kinds)('%s', (_name, make, keeper) => {
  afterEach(() => keeper.release());

  test('the next pool starts on the spare, which never ran the first pool\'s tasks', async () => {
    const first = make();
    const [before, firstWorker] = await first.submit(leaveMark, 'first pool').result();
    expect(before).toBeNull();
    // The worker really keeps its globals between tasks: the mark is there for the same pool's next task.
    expect(await first.submit(leaveMark, 'first pool again').result()).toEqual(['first pool', firstWorker]);
    await first.shutdown();

    const spare = await spareOf(keeper);
    expect(spare).not.toBe(firstWorker);
    const second = make();
    const [seen, secondWorker] = await second.submit(leaveMark, 'second pool').result();
    await second.shutdown();
    expect(secondWorker).toBe(spare);
    expect(seen).toBeNull();
  }, 30_000);

  test("a pool's constructor boots its first worker, which runs the first task having run nothing before", async () => {
    keeper.release();
    const pool = make();
    const [booting] = keeper.spareIds();
    expect(booting).toBeDefined();
    const [seen, worker] = await pool.submit(leaveMark, 'prestarted').result();
    await pool.shutdown();
    expect(worker).toBe(booting);
    expect(seen).toBeNull();

    // TSFUTURES_SPARE_WORKER=0: the worker starts at the first submit, as CPython's do.
    keeper.release();
    process.env.TSFUTURES_SPARE_WORKER = '0';
    try {
      const late = make();
      expect(keeper.spareIds()).toEqual([]);
      expect(late._worker_ids).toEqual([]);
      expect((await late.submit(leaveMark, 'late').result())[0]).toBeNull();
      await late.shutdown();
    } finally {
      delete process.env.TSFUTURES_SPARE_WORKER;
    }
  }, 30_000);

  test('a spare started under another environment is dropped, not used', async () => {
    const first = make();
    await first.submit(leaveMark, 'first').result();
    await first.shutdown();
    const spare = await spareOf(keeper);
    process.env.TSFUTURES_SPARE_TEST = 'changed';
    try {
      const second = make();
      const [, worker] = await second.submit(leaveMark, 'second').result();
      await second.shutdown();
      expect(worker).not.toBe(spare);
    } finally {
      delete process.env.TSFUTURES_SPARE_TEST;
    }
  }, 30_000);
});
