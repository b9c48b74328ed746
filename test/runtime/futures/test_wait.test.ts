/** Ported from CPython's Lib/test/test_concurrent_futures/test_wait.py. */
import {
  ALL_COMPLETED, DoneAndNotDoneFutures, FIRST_COMPLETED, FIRST_EXCEPTION, Future, ValueError, wait,
} from '../../../runtime/futures/_base';
import { ThreadPoolExecutor } from '../../../runtime/futures/thread';
import { repr } from '../../../runtime/python/repr';
import { str } from '../../../runtime/python/str';
import {
  cancelledAndNotifiedFuture, cancelledFuture, exceptionFuture, masked, pendingFuture, runningFuture, sleep,
  successfulFuture,
} from './helpers';

describe('wait', () => {
  test('FIRST_COMPLETED returns as soon as one future finishes', async () => {
    const future1 = new Future<number>();
    const pending = pendingFuture();
    setTimeout(() => future1.set_result(1), 20);
    const { done, not_done } = await wait([cancelledFuture(), future1, pending], { return_when: FIRST_COMPLETED });
    expect(done).toEqual(new Set([future1]));
    expect(not_done.size).toBe(2);
    expect(not_done.has(pending)).toBe(true);
  });

  test('FIRST_COMPLETED with some already done returns at once', async () => {
    const finished = successfulFuture();
    const r = await wait([finished, cancelledAndNotifiedFuture(), pendingFuture()], { timeout: 0, return_when: FIRST_COMPLETED });
    expect(r.done.size).toBe(2);
    expect(r.done.has(finished)).toBe(true);
    expect(r.not_done.size).toBe(1);
  });

  test('FIRST_EXCEPTION returns on the first failure', async () => {
    const ok = new Future<number>();
    const bad = new Future();
    const slow = pendingFuture();
    setTimeout(() => ok.set_result(1), 5);
    setTimeout(() => bad.set_exception(new RangeError('x')), 20);
    const r = await wait([ok, bad, slow], { return_when: FIRST_EXCEPTION });
    expect(r.done).toEqual(new Set([ok, bad]));
    expect(r.not_done).toEqual(new Set([slow]));
  });

  test('FIRST_EXCEPTION with an already failed future returns at once', async () => {
    const failed = exceptionFuture();
    const pending = pendingFuture();
    const r = await wait([successfulFuture(), failed, pending], { return_when: FIRST_EXCEPTION });
    expect(r.done.has(failed)).toBe(true);
    expect(r.not_done).toEqual(new Set([pending]));
  });

  test('FIRST_EXCEPTION without failures waits for all', async () => {
    const a = new Future<number>();
    setTimeout(() => a.set_result(2), 10);
    const r = await wait([successfulFuture(), a], { return_when: FIRST_EXCEPTION });
    expect(r.done.size).toBe(2);
    expect(r.not_done.size).toBe(0);
  });

  test('ALL_COMPLETED (the default) waits for results, failures and notified cancellations', async () => {
    const a = new Future<number>();
    const b = new Future();
    const c = new Future();
    c.cancel();
    setTimeout(() => a.set_result(1), 5);
    setTimeout(() => b.set_exception(new Error('e')), 10);
    setTimeout(() => c.set_running_or_notify_cancel(), 15);
    const r = await wait([a, b, c, successfulFuture()]);
    expect(r.done.size).toBe(4);
    expect(r.not_done.size).toBe(0);
  });

  test('timeout: returns what is done, never rejects', async () => {
    const running = runningFuture();
    const r = await wait([successfulFuture(), exceptionFuture(), running], { timeout: 0.05, return_when: ALL_COMPLETED });
    expect(r.done.size).toBe(2);
    expect(r.not_done).toEqual(new Set([running]));
  });

  test('a cancelled future nobody notified is not done yet (as in CPython)', async () => {
    const c = cancelledFuture();
    const r = await wait([c], { timeout: 0.02 });
    expect(r.not_done).toEqual(new Set([c]));
  });

  test('duplicates are counted once', async () => {
    const f = successfulFuture();
    const r = await wait([f, f, f]);
    expect(r.done.size).toBe(1);
  });

  test('waiters are removed afterwards (no stale references)', async () => {
    const p = pendingFuture();
    const q = new Future<number>();
    setTimeout(() => q.set_result(3), 5);
    await wait([p, q], { return_when: FIRST_COMPLETED });
    expect(p._waiters).toEqual([]);
    expect(q._waiters).toEqual([]);
    await wait([p], { timeout: 0.01 });
    expect(p._waiters).toEqual([]);
  });

  test('an invalid return_when is a ValueError (only checked when it has to wait)', async () => {
    const e = await wait([pendingFuture()], { return_when: 'X' as never }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ValueError);
    expect(repr(e)).toBe(`ValueError("Invalid return condition: 'X'")`);
    await expect(wait([successfulFuture()], { return_when: 'X' as never })).resolves.toBeInstanceOf(DoneAndNotDoneFutures);
  });

  test('wakes on futures finished by an executor', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 2 });
    const fs = [1, 2, 3].map((n) => executor.submit(async (x: number) => (await sleep(0.01), x * x), n));
    const r = await wait(fs, { timeout: 5 });
    expect(r.not_done.size).toBe(0);
    expect(await Promise.all(fs.map((f) => f.result()))).toEqual([1, 4, 9]);
    await executor.shutdown();
  });
});

describe('DoneAndNotDoneFutures', () => {
  test('repr is the named tuple of sets, with set() for an empty one', async () => {
    const f = successfulFuture();
    const r = await wait([f]);
    expect(masked(repr(r))).toBe('DoneAndNotDoneFutures(done={<Future at 0xADDR state=finished returned int>}, not_done=set())');
    expect(str(r)).toBe(repr(r));
    expect(masked(str(r.done))).toBe('{<Future at 0xADDR state=finished returned int>}');
    const p = runningFuture();
    const q = pendingFuture();
    const two = new DoneAndNotDoneFutures(new Set<Future>(), new Set([p, q]));
    expect(repr(two)).toBe(`DoneAndNotDoneFutures(done=set(), not_done={${repr(p)}, ${repr(q)}})`);
  });

  test('is a 2-tuple: destructuring and indexing', async () => {
    const f = successfulFuture();
    const p = pendingFuture();
    const r = await wait([f, p], { timeout: 0 });
    const [done, notDone] = r;
    expect(done).toBe(r.done);
    expect(notDone).toBe(r.not_done);
    expect(r[0]).toBe(r.done);
    expect(r[1]).toBe(r.not_done);
    expect([...r]).toHaveLength(2);
  });
});

test('timeout and return_when may be passed positionally, as in Python', async () => {
  const f = successfulFuture();
  const p = pendingFuture();
  const r = await wait([f, p], 0.01);
  expect(r.not_done).toEqual(new Set([p]));
  const first = await wait([f, p], null, FIRST_COMPLETED);
  expect(first.done).toEqual(new Set([f]));
});
