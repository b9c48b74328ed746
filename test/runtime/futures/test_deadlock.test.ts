/**
 * The lecture's two deadlocks (CPython docs, ThreadPoolExecutor section), with short times. Tasks share the caller's
 * event loop and a task keeps its worker slot while it awaits, so the deadlocks really happen.
 */
import { wait } from '../../../runtime/futures/_base';
import { ThreadPoolExecutor } from '../../../runtime/futures/thread';
import { repr } from '../../../runtime/python/repr';
import { Future } from '../../../runtime/futures/_base';
import { masked, sleep } from './helpers';

test('two tasks awaiting each other: both stay running, wait() times out with done=set()', async () => {
  const executor = new ThreadPoolExecutor({ max_workers: 2 });
  let a!: Future<number>;
  let b!: Future<number>;
  const printed: unknown[] = [];
  const wait_on_b = async () => {
    await sleep(0.05);
    printed.push(await b.result()); // b will never complete because it is waiting on a.
    return 5;
  };
  const wait_on_a = async () => {
    await sleep(0.05);
    printed.push(await a.result()); // a will never complete because it is waiting on b.
    return 6;
  };
  a = executor.submit(wait_on_b);
  b = executor.submit(wait_on_a);
  const result = await wait([a, b], { timeout: 0.2 });
  expect(result.done.size).toBe(0);
  expect(result.not_done).toEqual(new Set([a, b]));
  expect(masked(repr(result))).toBe(
    'DoneAndNotDoneFutures(done=set(), not_done={<Future at 0xADDR state=running>, <Future at 0xADDR state=running>})',
  );
  expect(printed).toEqual([]);
});

test('a task awaiting a future queued behind itself on a one-worker pool never finishes', async () => {
  const executor = new ThreadPoolExecutor({ max_workers: 1 });
  let inner: Future<number> | undefined;
  const wait_on_future = async () => {
    inner = executor.submit(Math.pow, 5, 2);
    // This will never complete because there is only one worker and it is executing this function.
    return inner.result();
  };
  const c = executor.submit(wait_on_future);
  const result = await wait([c], { timeout: 0.1 });
  expect(masked(repr(result))).toBe('DoneAndNotDoneFutures(done=set(), not_done={<Future at 0xADDR state=running>})');
  expect(inner!._state).toBe('PENDING');
  expect(c.running()).toBe(true);
});

test('the same pattern with enough workers completes', async () => {
  const executor = new ThreadPoolExecutor({ max_workers: 2 });
  const c = executor.submit(async () => executor.submit(Math.pow, 5, 2).result());
  await expect(c.result(5)).resolves.toBe(25);
  await executor.shutdown();
});
