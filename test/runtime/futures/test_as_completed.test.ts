/** Ported from CPython's Lib/test/test_concurrent_futures/test_as_completed.py. */
import { Future, TimeoutError, as_completed } from '../../../runtime/futures/_base';
import { ThreadPoolExecutor } from '../../../runtime/futures/thread';
import { repr } from '../../../runtime/python/repr';
import {
  cancelledAndNotifiedFuture, exceptionFuture, pendingFuture, sleep, successfulFuture,
} from './helpers';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('as_completed', () => {
  test('yields finished futures first, then the rest in completion order', async () => {
    const done1 = successfulFuture();
    const done2 = cancelledAndNotifiedFuture();
    const late = new Future<string>();
    const later = new Future<string>();
    setTimeout(() => later.set_result('b'), 30);
    setTimeout(() => late.set_result('a'), 10);
    const got = await collect(as_completed([late, done1, later, done2]));
    expect(new Set(got.slice(0, 2))).toEqual(new Set([done1, done2]));
    expect(got.slice(2)).toEqual([late, later]);
  });

  test('each future once, even when given twice', async () => {
    const f = successfulFuture();
    const g = new Future<number>();
    setTimeout(() => g.set_result(1), 5);
    expect(await collect(as_completed([f, f, g, g]))).toEqual([f, g]);
  });

  test('timeout: TimeoutError("N (of M) futures unfinished") after yielding what finished', async () => {
    const f = successfulFuture();
    const p = pendingFuture();
    const q = pendingFuture();
    const seen: Future[] = [];
    const e = await (async () => {
      for await (const x of as_completed([f, p, q, exceptionFuture()], { timeout: 0.05 })) seen.push(x);
    })().catch((x: unknown) => x);
    expect(seen).toHaveLength(2);
    expect(e).toBeInstanceOf(TimeoutError);
    expect(repr(e)).toBe("TimeoutError('2 (of 4) futures unfinished')");
  });

  test('the timeout may be passed positionally', async () => {
    const it = as_completed([pendingFuture()], 0.01);
    const e = await it.next().catch((x: unknown) => x);
    expect(repr(e)).toBe("TimeoutError('1 (of 1) futures unfinished')");
  });

  test('the timeout counts from the first iteration, as CPython\'s generator', async () => {
    const g = new Future<string>();
    setTimeout(() => g.set_result('g'), 500);
    const it = as_completed([g], { timeout: 0.35 });
    await sleep(0.3);
    const seen: Future[] = [];
    for await (const f of it) seen.push(f);
    expect(seen).toEqual([g]);
  });

  test('a zero timeout still yields the finished futures', async () => {
    const f = successfulFuture();
    expect(await collect(as_completed([f], 0))).toEqual([f]);
  });

  test('leaving early removes the waiter from the unfinished futures', async () => {
    const f = successfulFuture();
    const p = pendingFuture();
    for await (const x of as_completed([f, p])) {
      expect(x).toBe(f);
      expect(p._waiters).toHaveLength(1);
      break;
    }
    expect(p._waiters).toEqual([]);
  });

  test('works with executor futures and async tasks', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 3 });
    const delays = [0.04, 0.01, 0.025];
    const fs = delays.map((d) => executor.submit(async () => (await sleep(d), d)));
    const order: number[] = [];
    for await (const f of as_completed(fs)) order.push(await f.result());
    expect(order).toEqual([0.01, 0.025, 0.04]);
    await executor.shutdown();
  });
});
