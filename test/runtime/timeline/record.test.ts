import { Future } from '../../../runtime/futures/_base';
import { repr } from '../../../runtime/python/repr';
import { HISTORY_LIMIT, historyOf, noteStart, noteSubmit, timesOf } from '../../../runtime/timeline/record';

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
