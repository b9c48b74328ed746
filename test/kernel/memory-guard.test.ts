/**
 * The memory guard's arithmetic and marks, and the MemoryError's report of what holds memory (kernel/process/memory-guard.ts,
 * kernel/process/memory-report.ts). The guard stopping real cells is tested on a kernel (test/reliability/memory.test.ts).
 */
import { armMemoryGuard, cellThreshold, memoryCheck, stoppedForMemory, type MemoryGuardData } from '../../kernel/process/memory-guard';
import { largestGlobals, memoryErrorMessage } from '../../kernel/process/memory-report';
import { residentBytes } from '../../kernel/process/resident-memory';

const MiB = 2 ** 20;
const data = (): MemoryGuardData => ({ slots: new SharedArrayBuffer(16), limitBytes: 900 * MiB, ceilingBytes: 1000 * MiB, heapLimitBytes: 1024 * MiB });

test("a cell's threshold: the limit, or half of what is left when it starts above it, never less than 1/32 of the heap", () => {
  const d = data();
  expect(cellThreshold(d, 100 * MiB)).toBe(900 * MiB);
  expect(cellThreshold(d, 900 * MiB)).toBe(950 * MiB);
  expect(cellThreshold(d, 990 * MiB)).toBe(1022 * MiB);
});

test("the guard's RSS reads agree with process.memoryUsage.rss() and follow the memory a cell touches", () => {
  const near = (a: number, b: number) => Math.abs(a - b) < 4 * MiB;
  const before = process.memoryUsage.rss();
  expect(near(residentBytes(), before)).toBe(true);
  expect(residentBytes() % 4096).toBe(0); // whole pages
  const held = Buffer.alloc(64 * MiB, 1); // written, so resident
  const after = process.memoryUsage.rss();
  expect(near(residentBytes(), after)).toBe(true);
  expect(residentBytes() - before).toBeGreaterThan(48 * MiB);
  expect(held.length).toBe(64 * MiB);
});

test('a stop is marked with the cell it was for, and only a running armed cell is stopped', () => {
  const d = data();
  const stopped: number[] = [];
  let running = 1;
  const check = memoryCheck(d, (cell) => cell === running, (cell) => stopped.push(cell));
  check(); // nothing armed yet
  expect(stopped).toEqual([]);
  armMemoryGuard(d, 1); // the threshold from this process's RSS: far above it, so not stopped
  check();
  expect(stopped).toEqual([]);
  new Float64Array(d.slots, 8, 1)[0] = 0; // as if RSS had passed the threshold
  check();
  check(); // once per cell
  expect(stopped).toEqual([1]);
  expect(stoppedForMemory(d, 1)).toBe(true);
  running = 2;
  armMemoryGuard(d, 2);
  expect(stoppedForMemory(d, 2)).toBe(false); // no flag to clear: the mark names cell 1
  running = 3; // cell 2 ended before the poll: its threshold is not applied to cell 3
  new Float64Array(d.slots, 8, 1)[0] = 0;
  check();
  expect(stopped).toEqual([1]);
});

test('the MemoryError names the largest globals, estimated without running getters', () => {
  const global: Record<string, unknown> = {
    process: new Array(1e6).fill(0), // a name the realm had before any cell: not the cells'
    hog: Array.from({ length: 20 }, () => new Array(1e5).fill(1.5)), // ~16 MB
    bytes: new Uint8Array(4 * MiB),
    small: [1, 2, 3],
    fn: () => new Array(1e7),
  };
  Object.defineProperty(global, 'trap', { get: () => { throw new Error('a getter ran'); }, enumerable: true });
  const found = largestGlobals(global, new Set(['process']));
  expect(found.map((g) => g.name).slice(0, 3)).toEqual(['hog', 'bytes', 'small']);
  expect(found[0].bytes).toBeGreaterThan(15 * MiB);
  expect(found[0].bytes).toBeLessThan(18 * MiB);
  expect(found[1].bytes).toBeGreaterThanOrEqual(4 * MiB);
  const message = memoryErrorMessage(data(), global);
  expect(message).toMatch(/largest globals: hog \(~1\d MiB\), bytes \(~4 MiB\)\. Free what you no longer need \(e\.g\. `hog\.length = 0`\), or restart the kernel$/);
});
