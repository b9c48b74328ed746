/** Timelines and progress bars of real executors (the thread pool runs on this event loop; short sleeps stand in for work). */
import { setDisplayHook, type DisplayOptions } from '../../../runtime/display-hook';
import { ThreadPoolExecutor } from '../../../runtime/futures/thread';
import { as_completed, wait, type Future } from '../../../runtime/futures/_base';
import { timeline, show_timeline, progress } from '../../../runtime';
import { assertWellFormedXml, withClass } from './svg-check';

const sleep = (s: number) => new Promise<void>((r) => setTimeout(r, s * 1000));

afterEach(() => setDisplayHook(undefined));

test('a thread pool: one lane per slot, queued tasks wait for a slot, outcomes coloured', async () => {
  const executor = new ThreadPoolExecutor({ max_workers: 2 });
  const work = async (x: number) => {
    await sleep(0.02);
    if (x === 3) throw new RangeError('three');
    return x;
  };
  const fs = [0, 1, 2, 3].map((x) => executor.submit(work, x));
  await executor.shutdown({ wait: true });
  const tl = timeline(executor);
  expect(tl.spans.map((s) => s.lane)).toEqual(['worker 0', 'worker 1', 'worker 0', 'worker 1']);
  expect(tl.spans.map((s) => s.outcome)).toEqual(['returned', 'returned', 'returned', 'raised']);
  expect(tl.spans.map((s) => s.label)).toEqual(['work', 'work', 'work', 'work']);
  // The 3rd and 4th waited for a slot: they start after the 1st/2nd ended.
  expect(tl.spans[2].start!).toBeGreaterThanOrEqual(tl.spans[0].end!);
  expect(tl.spans[3].start!).toBeGreaterThanOrEqual(tl.spans[1].end!);
  expect(tl.summary()).toMatch(/^Timeline: 4 tasks on 2 workers, 0\.\d\ds; 3 returned, 1 raised$/);
  assertWellFormedXml(tl.svg);
  expect(withClass(tl.svg, 'lane')).toHaveLength(2);
  expect(withClass(tl.svg, 'bar')).toHaveLength(4);
  expect(timeline(fs.slice(0, 2)).spans).toHaveLength(2); // a list of futures works too
});

test("the lecture's deadlock: two running bars that never end", async () => {
  const executor = new ThreadPoolExecutor({ max_workers: 2 });
  let a!: Future<number>, b!: Future<number>;
  const wait_on_b = async () => (await sleep(0.01), await b.result(), 5);
  const wait_on_a = async () => (await sleep(0.01), await a.result(), 6);
  a = executor.submit(wait_on_b);
  b = executor.submit(wait_on_a);
  const r = await wait([a, b], { timeout: 0.1 });
  expect(r.done.size).toBe(0);
  const calls: { bundle: Record<string, unknown>; opts: DisplayOptions }[] = [];
  setDisplayHook({ display: (bundle, opts) => calls.push({ bundle, opts }) });
  const tl = show_timeline(executor, { title: 'deadlock' });
  expect(calls).toHaveLength(1);
  expect(tl.summary()).toMatch(/^Timeline: 2 tasks on 2 workers, 0\.\d\ds; 2 running$/);
  expect(withClass(tl.svg, 'bar', 'running')).toHaveLength(2);
  expect(tl.svg).toContain('class="now"');
  // Unblock them so jest can exit: neither task is waiting on anything else.
  a.set_result(0);
  b.set_result(0);
  await executor.shutdown({ wait: true });
});

test('progress over as_completed and executor.map, with total from the input', async () => {
  const calls: { bundle: Record<string, unknown>; opts: DisplayOptions }[] = [];
  setDisplayHook({ display: (bundle, opts) => calls.push({ bundle, opts }) });
  const executor = new ThreadPoolExecutor({ max_workers: 4 });
  const fs = Array.from({ length: 10 }, (_, i) => executor.submit(async (x: number) => (await sleep(0.005), x * x), i));
  let n = 0;
  for await (const f of progress(as_completed(fs), { total: fs.length, desc: 'squares' })) n += (await f.result()) >= 0 ? 1 : 0;
  expect(n).toBe(10);
  const results: number[] = [];
  for await (const r of progress(executor.map((x: number) => x + 1, [1, 2, 3]), { total: 3 })) results.push(r as number);
  expect(results).toEqual([2, 3, 4]);
  await executor.shutdown({ wait: true });
  const finals = calls.filter((c) => c.opts.final);
  expect(finals.map((c) => (c.bundle['text/plain'] as string).split(' [')[0])).toEqual([
    'squares: 100%|██████████| 10/10',
    '100%|██████████| 3/3',
  ]);
});
