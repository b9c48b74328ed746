/** Ported from CPython's Lib/test/test_concurrent_futures/test_future.py (FutureTests), plus bound-method reprs. */
import { inspect } from 'node:util';
import {
  BrokenExecutor, BrokenProcessPool, BrokenThreadPool, CANCELLED_AND_NOTIFIED, CancelledError, FuturesError, Future,
  InvalidStateError, RUNNING, RuntimeError, TimeoutError,
} from '../../../runtime/futures/_base';
import { repr } from '../../../runtime/python/repr';
import { str } from '../../../runtime/python/str';
import {
  cancelledAndNotifiedFuture, cancelledFuture, captureStderr, createFuture, exceptionFuture, masked, pendingFuture,
  runningFuture, sleep, successfulFuture,
} from './helpers';
import { FINISHED } from '../../../runtime/futures/_base';

describe('Future repr', () => {
  test('each state, exactly as CPython prints it', () => {
    expect(repr(pendingFuture())).toMatch(/^<Future at 0x[0-9a-f]{12} state=pending>$/);
    expect(masked(repr(runningFuture()))).toBe('<Future at 0xADDR state=running>');
    expect(masked(repr(cancelledFuture()))).toBe('<Future at 0xADDR state=cancelled>');
    expect(masked(repr(cancelledAndNotifiedFuture()))).toBe('<Future at 0xADDR state=cancelled>');
    expect(masked(repr(exceptionFuture()))).toBe('<Future at 0xADDR state=finished raised RangeError>');
    expect(masked(repr(successfulFuture()))).toBe('<Future at 0xADDR state=finished returned int>');
    expect(masked(repr(createFuture(FINISHED, { result: 'x' })))).toBe('<Future at 0xADDR state=finished returned str>');
    expect(masked(repr(createFuture(FINISHED, { result: undefined })))).toBe('<Future at 0xADDR state=finished returned NoneType>');
  });

  test('the address is stable per future and distinct between futures', () => {
    const a = pendingFuture();
    const b = pendingFuture();
    expect(repr(a)).toBe(repr(a));
    expect(repr(a)).not.toBe(repr(b));
  });

  test('console.log / util.inspect show the Python repr', () => {
    const f = successfulFuture();
    expect(inspect(f)).toBe(repr(f));
  });

  test('str() and str.format fall back to the repr', () => {
    const f = pendingFuture();
    expect(str(f)).toBe(repr(f));
    expect(str.format('Scheduled for {} : {}', 100000, f)).toBe(`Scheduled for 100000 : ${repr(f)}`);
  });
});

describe('bound methods', () => {
  test('f.cancelled read without a call prints like a Python bound method, with the current state', () => {
    const f = new Future<number>();
    const m = f.cancelled;
    expect(masked(repr(m))).toBe('<bound method Future.cancelled of <Future at 0xADDR state=pending>>');
    f.set_result(256);
    expect(repr(m)).toBe(`<bound method Future.cancelled of ${repr(f)}>`);
    expect(masked(str.format('Future Cancelled : {}', f.cancelled))).toBe(
      'Future Cancelled : <bound method Future.cancelled of <Future at 0xADDR state=finished returned int>>',
    );
    expect(inspect(f.done)).toBe(`<bound method Future.done of ${repr(f)}>`);
  });

  test('bound methods work detached and are cached per instance', () => {
    const f = new Future<number>();
    const { set_result, result, done } = f;
    expect(f.done).toBe(done);
    expect(new Future().done).not.toBe(done);
    set_result(7);
    expect(done()).toBe(true);
    return expect(result()).resolves.toBe(7);
  });
});

describe('Future state', () => {
  test('cancel', () => {
    const f1 = pendingFuture();
    const f2 = runningFuture();
    const f3 = cancelledFuture();
    const f4 = cancelledAndNotifiedFuture();
    const f5 = exceptionFuture();
    const f6 = successfulFuture();
    expect(f1.cancel()).toBe(true);
    expect(f1._state).toBe('CANCELLED');
    expect(f2.cancel()).toBe(false);
    expect(f2._state).toBe(RUNNING);
    expect(f3.cancel()).toBe(true);
    expect(f4.cancel()).toBe(true);
    expect(f4._state).toBe(CANCELLED_AND_NOTIFIED);
    expect(f5.cancel()).toBe(false);
    expect(f6.cancel()).toBe(false);
    expect(f6._state).toBe(FINISHED);
  });

  test('cancelled / running / done', () => {
    const table: [Future, boolean, boolean, boolean][] = [
      [pendingFuture(), false, false, false],
      [runningFuture(), false, true, false],
      [cancelledFuture(), true, false, true],
      [cancelledAndNotifiedFuture(), true, false, true],
      [exceptionFuture(), false, false, true],
      [successfulFuture(), false, false, true],
    ];
    for (const [f, cancelled, running, done] of table) {
      expect([f.cancelled(), f.running(), f.done()]).toEqual([cancelled, running, done]);
    }
  });

  test('set_running_or_notify_cancel', () => {
    const f = pendingFuture();
    expect(f.set_running_or_notify_cancel()).toBe(true);
    expect(f.running()).toBe(true);
    const c = cancelledFuture();
    expect(c.set_running_or_notify_cancel()).toBe(false);
    expect(c._state).toBe(CANCELLED_AND_NOTIFIED);
  });

  test('set_running_or_notify_cancel in an unexpected state logs critically and raises RuntimeError', async () => {
    const f = successfulFuture();
    let error: unknown;
    const err = await captureStderr(() => {
      try {
        f.set_running_or_notify_cancel();
      } catch (e) {
        error = e;
      }
    });
    expect(error).toBeInstanceOf(RuntimeError);
    expect(repr(error)).toBe("RuntimeError('Future in unexpected state')");
    expect(err).toMatch(/^Future \d+ in unexpected state: FINISHED\n$/);
  });

  test('set_result / set_exception on a done future raise InvalidStateError with CPython\'s message', () => {
    const f = new Future<number>();
    f.set_result(1);
    expect(() => f.set_result(2)).toThrow(InvalidStateError);
    try {
      f.set_exception(new Error('x'));
    } catch (e) {
      expect((e as Error).name).toBe('InvalidStateError');
      expect(masked((e as Error).message)).toBe('FINISHED: <Future at 0xADDR state=finished returned int>');
    }
    const c = new Future();
    c.cancel();
    expect(() => c.set_result(1)).toThrow(/^CANCELLED: <Future at 0x[0-9a-f]{12} state=cancelled>$/);
    expect(c._state).toBe('CANCELLED');
    expect.assertions(5);
  });
});

describe('done callbacks', () => {
  test('run with the future on result, exception and cancel, in the order added', () => {
    const seen: string[] = [];
    const f = new Future<number>();
    f.add_done_callback((g) => seen.push(`a:${g === f}`));
    f.add_done_callback(() => seen.push('b'));
    expect(seen).toEqual([]);
    f.set_result(5);
    expect(seen).toEqual(['a:true', 'b']);

    const e = new Future();
    let raised: unknown;
    e.add_done_callback((g) => void g.exception().then((x) => (raised = x)));
    const error = new Error('x');
    e.set_exception(error);

    const c = new Future();
    let cancelled: boolean | undefined;
    c.add_done_callback((g) => (cancelled = g.cancelled()));
    expect(c.cancel()).toBe(true);
    expect(cancelled).toBe(true);
    return Promise.resolve().then(() => expect(raised).toBe(error));
  });

  test('a callback added to a done future runs at once', () => {
    const f = successfulFuture();
    let called = 0;
    f.add_done_callback(() => called++);
    expect(called).toBe(1);
  });

  test('a raising callback is logged like CPython, never raised, and later callbacks still run', async () => {
    const f = new Future<number>();
    let after = false;
    f.add_done_callback(() => {
      throw new RangeError('doh!');
    });
    f.add_done_callback(() => (after = true));
    const err = await captureStderr(() => f.set_result(5));
    expect(after).toBe(true);
    expect(masked(err.split('\n')[0])).toBe('exception calling callback for <Future at 0xADDR state=finished returned int>');
    expect(err).toContain('RangeError: doh!');

    const again = await captureStderr(() =>
      f.add_done_callback(() => {
        throw new Error('late');
      }),
    );
    expect(again.split('\n')[0]).toBe(`exception calling callback for ${repr(f)}`);
  });
});

describe('result() and exception()', () => {
  test('a finished future: its result, or the very same error object', async () => {
    await expect(successfulFuture().result()).resolves.toBe(42);
    const f = exceptionFuture();
    const error = f._exception;
    await expect(f.result()).rejects.toBe(error);
    await expect(f.exception()).resolves.toBe(error);
    await expect(successfulFuture().exception()).resolves.toBeNull();
  });

  test('a thrown non-Error value, even undefined, still counts as raised', async () => {
    const f = new Future();
    f.set_exception(undefined);
    await expect(f.result()).rejects.toBeUndefined();
    expect(masked(repr(f))).toBe('<Future at 0xADDR state=finished raised NoneType>');
  });

  test('cancelled futures reject with CancelledError()', async () => {
    for (const f of [cancelledFuture(), cancelledAndNotifiedFuture()]) {
      const e = await f.result().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CancelledError);
      expect(repr(e)).toBe('CancelledError()');
      await expect(f.exception()).rejects.toBeInstanceOf(CancelledError);
    }
  });

  test('timeouts reject with TimeoutError()', async () => {
    for (const f of [pendingFuture(), runningFuture()]) {
      const e = await f.result(0.01).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TimeoutError);
      expect(repr(e)).toBe('TimeoutError()');
      await expect(f.exception(0)).rejects.toBeInstanceOf(TimeoutError);
    }
  });

  test('a waiting result() wakes when the result is set, cancelled or failed', async () => {
    const f = new Future<string>();
    const r = f.result(5);
    setTimeout(() => f.set_result('late'), 10);
    await expect(r).resolves.toBe('late');

    const c = new Future();
    const rc = c.result();
    const ec = c.exception();
    await sleep(0.01);
    c.cancel();
    await expect(rc).rejects.toBeInstanceOf(CancelledError);
    await expect(ec).rejects.toBeInstanceOf(CancelledError);

    const x = new Future();
    const rx = x.exception(5);
    const boom = new Error('boom');
    x.set_exception(boom);
    await expect(rx).resolves.toBe(boom);
  });
});

describe('error types', () => {
  test('Python names, hierarchy and messages', () => {
    expect(new CancelledError()).toBeInstanceOf(FuturesError);
    expect(new InvalidStateError()).toBeInstanceOf(FuturesError);
    expect(new BrokenThreadPool('x')).toBeInstanceOf(BrokenExecutor);
    expect(new BrokenProcessPool('x')).toBeInstanceOf(BrokenExecutor);
    expect(new BrokenExecutor('x')).toBeInstanceOf(RuntimeError);
    expect(new BrokenThreadPool('x')).toBeInstanceOf(Error);
    expect([CancelledError, TimeoutError, InvalidStateError, BrokenExecutor, BrokenThreadPool, BrokenProcessPool, RuntimeError]
      .map((C) => new C().name)).toEqual(
      ['CancelledError', 'TimeoutError', 'InvalidStateError', 'BrokenExecutor', 'BrokenThreadPool', 'BrokenProcessPool', 'RuntimeError'],
    );
    expect(repr(new TimeoutError('1 (of 2) futures unfinished'))).toBe("TimeoutError('1 (of 2) futures unfinished')");
    expect(String(new CancelledError())).toBe('CancelledError');
  });
});
