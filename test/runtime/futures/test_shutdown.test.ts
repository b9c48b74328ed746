/** Ported from CPython's Lib/test/test_concurrent_futures/test_shutdown.py (thread pool parts). */
import { CancelledError, RuntimeError, wait } from '../../../runtime/futures/_base';
import { ThreadPoolExecutor } from '../../../runtime/futures/thread';
import { repr } from '../../../runtime/python/repr';
import { sleep } from './helpers';

describe('ThreadPoolExecutor.shutdown', () => {
  test('submit after shutdown raises RuntimeError with CPython\'s message', async () => {
    const executor = new ThreadPoolExecutor();
    await executor.shutdown();
    let error: unknown;
    try {
      executor.submit(Math.pow, 2, 5);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RuntimeError);
    expect(repr(error)).toBe("RuntimeError('cannot schedule new futures after shutdown')");
  });

  test('shutdown() waits for running and queued tasks', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 2 });
    const finished: number[] = [];
    const fs = [0.03, 0.01, 0.02, 0].map((d, i) =>
      executor.submit(async () => {
        await sleep(d);
        finished.push(i);
        return i;
      }),
    );
    await executor.shutdown();
    expect(finished.sort()).toEqual([0, 1, 2, 3]);
    expect(fs.every((f) => f.done())).toBe(true);
  });

  test('shutdown is idempotent and resolves at once when idle', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    await executor.submit(() => 1).result();
    await executor.shutdown();
    await executor.shutdown({ wait: true });
    await executor.shutdown(false);
  });

  test('shutdown({wait: false}) returns before the work is done; the work still completes', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    const a = executor.submit(async () => (await sleep(0.02), 'a'));
    const b = executor.submit(() => 'b');
    await executor.shutdown({ wait: false });
    expect(a.running()).toBe(true);
    expect(b._state).toBe('PENDING');
    await expect(b.result()).resolves.toBe('b');
    await expect(a.result()).resolves.toBe('a');
  });

  test('cancel_futures cancels the queued futures; running ones finish', async () => {
    const executor = new ThreadPoolExecutor({ max_workers: 1 });
    const running = executor.submit(async () => (await sleep(0.02), 1));
    const queued = [2, 3, 4].map((n) => executor.submit(() => n));
    await executor.shutdown({ wait: true, cancel_futures: true });
    await expect(running.result()).resolves.toBe(1);
    for (const f of queued) {
      expect(f.cancelled()).toBe(true);
      await expect(f.result()).rejects.toBeInstanceOf(CancelledError);
    }
    // As in CPython, the cancellation is not "notified": wait() does not count these as done.
    const r = await wait(queued, { timeout: 0.01 });
    expect(r.not_done.size).toBe(3);
  });

  test('`await using` shuts down and waits, like Python\'s `with`', async () => {
    let f;
    {
      await using executor = new ThreadPoolExecutor({ max_workers: 1 });
      f = executor.submit(async () => (await sleep(0.01), 256));
    }
    expect(f.done()).toBe(true);
    await expect(f.result()).resolves.toBe(256);
  });
});
