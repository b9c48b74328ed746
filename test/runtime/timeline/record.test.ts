import { Future } from '../../../runtime/futures/_base';
import { repr } from '../../../runtime/python/repr';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ThreadPoolExecutor } from '../../../runtime/futures/thread';
import { HISTORY_LIMIT, historyOf, noteStart, noteSubmit, timesOf } from '../../../runtime/timeline/record';
import { spansOf } from '../../../runtime/timeline/timeline';
import { executorSnapshot } from '../../../runtime/widgets/executor-dashboard';

function work() {}

describe('stamps on our Future', () => {
  test('submit, start and end in order, worker and label; no done-callback, no change of shape or repr', () => {
    const executor = {};
    const f = new Future<number>();
    const fresh = new Future<number>();
    const before = repr(f).replace(/0x[0-9a-f]+/, 'ADDR');
    noteSubmit(executor, f, work);
    expect(Object.keys(f)).toEqual(Object.keys(fresh));
    expect(Object.getOwnPropertySymbols(f)).toEqual(Object.getOwnPropertySymbols(fresh));
    expect(f._done_callbacks).toEqual([]);
    expect(repr(f).replace(/0x[0-9a-f]+/, 'ADDR')).toBe(before);
    expect(timesOf(f)).toEqual({ submit: expect.any(Number), start: NaN, end: NaN, worker: undefined, label: 'work' });
    f.set_running_or_notify_cancel();
    noteStart(f, 3);
    f.set_result(1);
    const t = timesOf(f)!;
    expect(t.worker).toBe(3);
    expect(t.submit).toBeLessThanOrEqual(t.start);
    expect(t.start).toBeLessThanOrEqual(t.end);
    expect(timesOf(fresh)).toBeUndefined();
  });

  test('the first end counts: a cancelled future keeps its cancel time when the executor notifies it', () => {
    const f = new Future();
    noteSubmit({}, f, work);
    f.cancel();
    const end = timesOf(f)!.end;
    expect(end).toBeGreaterThanOrEqual(timesOf(f)!.submit);
    f.set_running_or_notify_cancel();
    expect(timesOf(f)!.end).toBe(end);
  });

  test('an anonymous function has no label', () => {
    const f = new Future();
    noteSubmit({}, f, [() => 0][0]);
    expect(timesOf(f)!.label).toBeUndefined();
  });
});

describe('history of an executor', () => {
  test('keeps the last HISTORY_LIMIT tasks in submission order; older futures lose their stamps', () => {
    const executor = {};
    const other = {};
    const n = HISTORY_LIMIT + 2500;
    const fs = Array.from({ length: n }, () => new Future());
    const others: Future[] = [];
    fs.forEach((f, i) => {
      noteSubmit(executor, f, work);
      if (i % 1000 === 0) noteSubmit(other, (others[others.length] = new Future()), work); // interleaved executors
    });
    const h = historyOf(executor);
    expect(h.length).toBe(HISTORY_LIMIT);
    expect(h[0]).toBe(fs[n - HISTORY_LIMIT]);
    expect(h[HISTORY_LIMIT - 1]).toBe(fs[n - 1]);
    expect(h.every((f, i) => f === fs[n - HISTORY_LIMIT + i])).toBe(true);
    expect(historyOf(other)).toEqual(others);
    // An evicted future is not stamped, and does not stamp its old slot (now fs[HISTORY_LIMIT]'s).
    noteStart(fs[0], 7);
    fs[0].set_running_or_notify_cancel();
    fs[0].set_result(1);
    expect(timesOf(fs[0])).toBeUndefined();
    expect(timesOf(fs[HISTORY_LIMIT])!.worker).toBeUndefined();
    expect(timesOf(fs[HISTORY_LIMIT])!.end).toBeNaN();
  });

  test('a future re-submitted to another executor is stamped there', () => {
    const f = new Future();
    noteSubmit({}, f, work);
    const b = {};
    noteSubmit(b, f, function again() {});
    expect(historyOf(b)).toEqual([f]);
    expect(timesOf(f)!.label).toBe('again');
  });
});

describe('what the history keeps of a finished task', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  /** A WeakRef's target stays alive until the job that made or read it ends: collect after a turn of the loop. */
  const collect = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  };

  test('a result the caller dropped is freed; its task keeps its stamps, outcome and result type', async () => {
    const executor = {};
    let result!: WeakRef<object>;
    (() => {
      const f = new Future<Float64Array>();
      noteSubmit(executor, f, work);
      f.set_running_or_notify_cancel();
      noteStart(f, 1);
      const big = new Float64Array(1 << 20);
      result = new WeakRef(big);
      f.set_result(big);
    })();
    await collect();
    expect(result.deref() === undefined).toBe(true); // not toBeUndefined(): jest would print the megabyte
    const [kept] = historyOf(executor);
    expect(timesOf(kept!)).toEqual({ submit: expect.any(Number), start: expect.any(Number), end: expect.any(Number), worker: 1, label: 'work' });
    expect(spansOf(historyOf(executor), performance.now())).toEqual([
      expect.objectContaining({ label: 'work', lane: 'worker 1', outcome: 'returned', detail: 'Float64Array' }),
    ]);
    expect(executorSnapshot(executor).counts).toEqual({ pending: 0, running: 0, finished: 1, cancelled: 0, raised: 0 });
  });

  test('a future the caller keeps stays itself in the history, with its result', async () => {
    const executor = {};
    const f = new Future<number[]>();
    noteSubmit(executor, f, work);
    f.set_running_or_notify_cancel();
    f.set_result([1, 2]);
    await collect();
    expect(historyOf(executor)).toEqual([f]);
    expect(historyOf(executor)[0]).toBe(f);
    expect(timesOf(f)!.end).toBeGreaterThanOrEqual(timesOf(f)!.submit);
    expect(spansOf([f], performance.now())[0]).toMatchObject({ outcome: 'returned', detail: 'list' });
  });

  test('a pool does not keep the large results of its tasks alive', async () => {
    const pool = new ThreadPoolExecutor({ max_workers: 1 });
    const results: WeakRef<object>[] = [];
    for (let i = 0; i < 3; i++) results.push(new WeakRef(await pool.submit(() => new Uint8Array(8 << 20)).result()));
    await collect();
    expect(results.map((r) => r.deref() === undefined)).toEqual([true, true, true]);
    expect(historyOf(pool)).toHaveLength(3);
    await pool.shutdown();
  });
});
