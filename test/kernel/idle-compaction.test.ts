/**
 * Compaction once the kernel goes quiet (kernel/process/idle-compaction.ts): when it runs and what cancels it, with
 * a fake collector; and on a kernel, that a fragmented old space shrinks within a second of the last reply (V8's own
 * memory reducer would wait 8 s and more) while new contexts still get no `gc` global, and that the young
 * generation is given back after a longer quiet period.
 */
import { IdleCompaction, MIN_GROWTH_BYTES, NEW_SPACE_MIN_BYTES, SHRINK_QUIET_MS } from '../../kernel/process/idle-compaction';
import { KernelClient, content, result } from './helpers/kernel-client';
// The module object itself (an `import * as` namespace is a copy), so that a spy sees idle-compaction.ts's calls.
const timers = require('node:timers') as typeof import('node:timers');

const MiB = 2 ** 20;

describe('when it collects', () => {
  const QUIET = 20;
  /** Long enough for the quiet period and the turn between the two collections, on a loaded machine too. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 10 * QUIET));

  /** A compaction over a fake old space: its size is what the test sets, and each collection is counted. */
  function fake(startBytes: number, onCollect = () => {}) {
    const heap = { bytes: startBytes, newBytes: NEW_SPACE_MIN_BYTES, collections: 0, ioThreadCollections: 0 };
    const compaction = new IdleCompaction({
      quietMs: QUIET,
      shrinkQuietMs: 5 * QUIET,
      oldSpaceBytes: () => heap.bytes,
      newSpaceBytes: () => heap.newBytes,
      fullGc: () => (heap.collections++, onCollect()),
      collectElsewhere: () => heap.ioThreadCollections++,
    });
    return { heap, compaction };
  }

  test('two collections once quiet after old space grew; none after until it grows again', async () => {
    const { heap, compaction } = fake(30 * MiB);
    heap.bytes += MIN_GROWTH_BYTES + MiB;
    compaction.quiet();
    expect(heap.collections).toBe(0);
    await settle();
    expect(heap.collections).toBe(2); // the first counts the live bytes; the second moves the survivors
    heap.bytes += MiB; // below the threshold since the last compaction
    compaction.quiet();
    await settle();
    expect(heap.collections).toBe(2);
  });

  test('nothing while old space has grown by less than the threshold', async () => {
    const { heap, compaction } = fake(30 * MiB);
    heap.bytes += MIN_GROWTH_BYTES - MiB;
    compaction.quiet();
    await settle();
    expect(heap.collections).toBe(0);
  });

  test('the threshold grows with the heap: a quarter of old space after the last compaction', async () => {
    const { heap, compaction } = fake(200 * MiB);
    heap.bytes += 40 * MiB;
    compaction.quiet();
    await settle();
    expect(heap.collections).toBe(0);
    heap.bytes += 11 * MiB;
    compaction.quiet();
    await settle();
    expect(heap.collections).toBe(2);
  });

  test('once quiet for longer, one collection if the young generation is above its minimum, and one in the io thread', async () => {
    const { heap, compaction } = fake(30 * MiB);
    heap.newBytes = 8 * MiB;
    compaction.quiet();
    await new Promise((resolve) => setTimeout(resolve, 3 * QUIET));
    expect(heap.collections).toBe(0); // old space did not grow
    compaction.quiet(); // a request came: the longer wait starts over
    await new Promise((resolve) => setTimeout(resolve, 3 * QUIET));
    expect(heap.collections).toBe(0);
    await settle();
    expect([heap.collections, heap.ioThreadCollections]).toEqual([1, 1]);
    heap.newBytes = NEW_SPACE_MIN_BYTES; // given back: no more
    compaction.quiet();
    await settle();
    expect([heap.collections, heap.ioThreadCollections]).toEqual([1, 1]);
  });

  test('requests back to back make no timer each: the waits are armed once and wait on for what is left', async () => {
    const { heap, compaction } = fake(30 * MiB);
    heap.bytes += 2 * MIN_GROWTH_BYTES;
    const setTimeoutSpy = jest.spyOn(timers, 'setTimeout');
    try {
      for (let i = 0; i < 1000; i++) {
        compaction.busy();
        compaction.quiet();
      }
      expect(setTimeoutSpy).toHaveBeenCalledTimes(2); // the compaction's wait and the young generation's
    } finally {
      setTimeoutSpy.mockRestore();
    }
    await new Promise((resolve) => setTimeout(resolve, QUIET / 2));
    compaction.busy();
    compaction.quiet(); // the quiet period starts over: nothing at the first timer's time
    await new Promise((resolve) => setTimeout(resolve, QUIET * 0.7));
    expect(heap.collections).toBe(0);
    await settle();
    expect(heap.collections).toBe(2);
  });

  test('a request during the quiet period cancels it', async () => {
    const { heap, compaction } = fake(30 * MiB);
    heap.bytes += 2 * MIN_GROWTH_BYTES;
    compaction.quiet();
    compaction.busy();
    await settle();
    expect(heap.collections).toBe(0);
  });

  test('a request between the two collections cancels the second; the next quiet period starts over', async () => {
    let compaction: IdleCompaction | undefined;
    // As a request read while the first collection ran: handled once it returns, before the next turn.
    const made = fake(30 * MiB, () => made.heap.collections === 1 && queueMicrotask(() => compaction!.busy()));
    compaction = made.compaction;
    made.heap.bytes += 2 * MIN_GROWTH_BYTES;
    compaction.quiet();
    await settle();
    expect(made.heap.collections).toBe(1);
    compaction.quiet();
    await settle();
    expect(made.heap.collections).toBe(3);
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

  const NEW_SPACE = OLD_SPACE.replace("'old_space'", "'new_space'");

  test('the young generation, grown by a cell, is given back after a longer quiet period', async () => {
    // Many survivors of the young generation's collections make V8 grow it towards its maximum (2 x 2 MB, the
    // launcher's --max-semi-space-size).
    await value(`globalThis.young = []; for (let i = 0; i < 300000; i++) young.push({ i }); young = null; 0`);
    expect(Number(await value(NEW_SPACE))).toBeGreaterThan(NEW_SPACE_MIN_BYTES);
    await new Promise((r) => setTimeout(r, SHRINK_QUIET_MS + 1500));
    expect(Number(await value(NEW_SPACE))).toBeLessThanOrEqual(NEW_SPACE_MIN_BYTES);
  }, 30_000);
});
