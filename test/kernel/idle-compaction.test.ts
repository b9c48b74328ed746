/**
 * Compaction once the kernel goes quiet (kernel/process/idle-compaction.ts): when it runs and what cancels it, with
 * a fake collector; and on a kernel, that a fragmented old space shrinks within a second of the last reply (V8's own
 * memory reducer would wait 8 s and more) while new contexts still get no `gc` global.
 */
import { IdleCompaction, MIN_GROWTH_BYTES } from '../../kernel/process/idle-compaction';
import { KernelClient, content, result } from './helpers/kernel-client';

const MiB = 2 ** 20;

describe('when it collects', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** A compaction over a fake old space: its size is what the test sets, and each collection is recorded. */
  function fake(startBytes: number) {
    const heap = { bytes: startBytes, collections: 0 };
    const compaction = new IdleCompaction({ quietMs: 300, oldSpaceBytes: () => heap.bytes, fullGc: () => heap.collections++ });
    return { heap, compaction };
  }

  test('two collections, in two turns, once quiet for quietMs after old space grew', () => {
    const { heap, compaction } = fake(30 * MiB);
    heap.bytes += MIN_GROWTH_BYTES + MiB;
    compaction.quiet();
    jest.advanceTimersByTime(299);
    expect(heap.collections).toBe(0);
    jest.advanceTimersByTime(1);
    expect(heap.collections).toBe(1); // counts the live bytes; the second moves them
    jest.runAllTicks();
    jest.advanceTimersToNextTimer(); // setImmediate
    expect(heap.collections).toBe(2);
    // Grown by less than the threshold since: nothing more, however long it stays quiet.
    heap.bytes += MiB;
    compaction.quiet();
    jest.advanceTimersByTime(10_000);
    expect(heap.collections).toBe(2);
  });

  test('nothing while old space has grown by less than the threshold', () => {
    const { heap, compaction } = fake(30 * MiB);
    heap.bytes += MIN_GROWTH_BYTES - MiB;
    compaction.quiet();
    jest.advanceTimersByTime(10_000);
    expect(heap.collections).toBe(0);
  });

  test('the threshold grows with the heap: a quarter of old space after the last compaction', () => {
    const { heap, compaction } = fake(200 * MiB);
    heap.bytes += 40 * MiB;
    compaction.quiet();
    jest.advanceTimersByTime(10_000);
    expect(heap.collections).toBe(0);
    heap.bytes += 11 * MiB;
    compaction.quiet();
    jest.advanceTimersByTime(10_000);
    expect(heap.collections).toBe(2);
  });

  test('a request before the quiet period ends, or between the two collections, cancels what is pending', () => {
    const { heap, compaction } = fake(30 * MiB);
    heap.bytes += 2 * MIN_GROWTH_BYTES;
    compaction.quiet();
    jest.advanceTimersByTime(200);
    compaction.busy();
    jest.advanceTimersByTime(10_000);
    expect(heap.collections).toBe(0);

    compaction.quiet();
    jest.advanceTimersByTime(300);
    expect(heap.collections).toBe(1);
    compaction.busy();
    jest.advanceTimersByTime(10_000);
    expect(heap.collections).toBe(1);
    // Still grown: the next quiet period starts over from the first collection.
    compaction.quiet();
    jest.advanceTimersByTime(300);
    jest.advanceTimersToNextTimer();
    expect(heap.collections).toBe(3);
  });
});

describe('on a kernel', () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start();
  });
  afterAll(async () => {
    await k?.close();
  });

  async function value(code: string): Promise<string> {
    const { reply, iopub } = await k.execute(code);
    expect([content(reply).status, content(reply).evalue]).toEqual(['ok', undefined]);
    return result(iopub) as string;
  }

  const OLD_SPACE = "require('v8').getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').physical_space_size";

  test('a fragmented old space shrinks within a second of the last reply, and new contexts get no gc', async () => {
    // 600 000 objects promoted while all alive, then only every 16th kept: pages of old space mostly holes, which
    // V8 frees only by moving the survivors.
    await value(`globalThis.kept = [];
{ let all = []; for (let i = 0; i < 600000; i++) { const o = { i, s: 'v' + i }; all.push(o); if (i % 16 === 0) kept.push(o); } all = null; }
kept.length`);
    const before = Number(await value(OLD_SPACE));
    await new Promise((r) => setTimeout(r, 1500));
    const after = Number(await value(OLD_SPACE));
    expect(before - after).toBeGreaterThan(15 * MiB);
    expect(await value("kept.length + ' ' + kept[37499].i")).toBe("'37500 599984'");
    expect(await value("require('vm').runInNewContext('typeof gc')")).toBe("'undefined'");
  });
});
