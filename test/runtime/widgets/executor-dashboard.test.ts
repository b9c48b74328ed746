/**
 * show_executor's data (executorSnapshot) on the Thread, Process and Interpreter pools, and its text output in plain
 * Node (no kernel: the display hook prints text, as `tsfutures run` and nbval see it).
 */
import { setDisplayHook, type DisplayOptions } from '../../../runtime/display-hook';
import { ThreadPoolExecutor } from '../../../runtime/futures/thread';
import { ProcessPoolExecutor } from '../../../runtime/futures/process';
import { InterpreterPoolExecutor } from '../../../runtime/futures/interpreter';
import type { Executor } from '../../../runtime/futures/_base';
import { executorSnapshot, show_executor } from '../../../runtime/widgets/executor-dashboard';

afterEach(() => setDisplayHook(undefined));

function spin(ms: number): number {
  const end = Date.now() + ms;
  while (Date.now() < end);
  return ms;
}

async function until(check: () => boolean, what: string, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const pools: Array<[string, () => Executor]> = [
  ['ThreadPoolExecutor', () => new ThreadPoolExecutor(2)],
  ['ProcessPoolExecutor', () => new ProcessPoolExecutor({ max_workers: 2 })],
  ['InterpreterPoolExecutor', () => new InterpreterPoolExecutor({ max_workers: 2 })],
];

test.each(pools)('%s: counts move from pending through running to finished/raised/cancelled, one row per worker', async (name, make) => {
  const executor = make();
  // Threads here share this event loop, so their work awaits; processes and interpreters spin for real.
  const work: (ms: number) => unknown = name === 'ThreadPoolExecutor' ? async function spin(ms: number) { await new Promise((r) => setTimeout(r, ms)); return ms; } : spin;
  const fs = [300, 300, 300, 300, 300].map((ms) => executor.submit(work, ms));
  const boom = executor.submit(function boom() { throw new RangeError('boom'); });
  const last = executor.submit(work, 10);
  last.cancel();
  // Two tasks on the workers (a process pool also counts the one waiting in its call queue as running, as CPython's).
  await until(() => executorSnapshot(executor).workers.filter((w) => w.task !== undefined).length === 2, 'two busy workers');
  const busy = executorSnapshot(executor);
  expect(busy).toMatchObject({ name, shutdown: false });
  expect(busy.counts.pending).toBeGreaterThan(0);
  expect(busy.counts.running).toBeGreaterThanOrEqual(2);
  expect(busy.counts.cancelled).toBe(1);
  const running = busy.workers.filter((w) => w.task !== undefined);
  expect(running).toHaveLength(2);
  for (const w of running) {
    expect(w.task).toMatch(/^spin #[0-4]$/);
    expect(w.elapsed).toBeGreaterThanOrEqual(0);
  }
  await executor.shutdown();
  await Promise.allSettled([...fs, boom].map((f) => f.result()));
  const end = executorSnapshot(executor);
  expect(end).toMatchObject({ shutdown: true, counts: { pending: 0, running: 0, finished: 5, raised: 1, cancelled: 1 } });
  expect(end.workers.every((w) => w.task === undefined)).toBe(true);
  expect(end.workers.reduce((n, w) => n + w.done, 0)).toBe(6);
}, 60000);

test('in plain Node show_executor prints the final counts once the executor is shut down', async () => {
  const shown: Array<[string, DisplayOptions]> = [];
  setDisplayHook({ display: (bundle, opts) => shown.push([String(bundle['text/plain']), opts]) });
  const executor = new ThreadPoolExecutor(2);
  show_executor(executor);
  const fs = [1, 2, 3].map((x) => executor.submit(async function step(v: number) { await new Promise((r) => setTimeout(r, 50)); return v; }, x));
  await executor.shutdown();
  // Already there when shutdown returns: a notebook runner records it as this cell's output.
  const [text, opts] = shown.at(-1)!;
  expect((await Promise.all(fs.map((f) => f.result()))).length).toBe(3);
  expect(opts).toMatchObject({ update: true, final: true });
  expect(text).toMatch(/^ThreadPoolExecutor \(shut down\): pending 0, running 0, finished 3, cancelled 0, raised 0\n {2}worker 0: idle, \d done\n {2}worker 1: idle, \d done$/);
  expect(shown[0][0]).toMatch(/^ThreadPoolExecutor: pending 0, running 0, finished 0, cancelled 0, raised 0$/);
  expect(() => show_executor(null as never)).toThrow("show_executor() needs an executor, not None");
});
