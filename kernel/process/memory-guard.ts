/**
 * Memory guard: a cell that allocates until memory runs short gets a MemoryError, not a dead kernel.
 *
 * V8's out-of-memory is fatal and cannot be caught, and the main thread cannot watch itself while a cell blocks it.
 * So the io thread watches the process's resident memory while a cell runs (io-thread.ts CELL_POLL_MS); past the
 * cell's threshold it interrupts the cell as interrupt_request does (interrupt-gate.ts), after writing the cell's
 * number into a SharedArrayBuffer that both threads see. The kernel then reports it as `MemoryError`.
 *
 * A cell is stopped for its own growth only, as CPython raises MemoryError in the allocation that fails: each cell's
 * threshold is set from the memory it starts with (armMemoryGuard). Memory earlier cells keep (a global array kept
 * after a MemoryError, as CPython keeps it) moves the threshold up, towards a ceiling near V8's heap limit, so a cell
 * that allocates little still runs. Marks are cell numbers, never flags to clear: a mark cannot reach a later cell.
 *
 * Where Node cannot help: memory outside V8's heap limit (e.g. huge Buffers) only counts through RSS, and a single
 * allocation that jumps past the limit between two polls is still fatal.
 */
import { getHeapStatistics } from 'node:v8';
import { fullGc } from './full-gc';
import { residentBytes } from './resident-memory';
import { setTimeout, setImmediate } from 'node:timers';

/** Any cell is stopped past the memory at start plus this share of the main heap's limit. */
const SHARE_OF_HEAP_LIMIT = 0.8;
/**
 * Above that, a cell that started with more memory may grow by half of what is left up to the memory at start plus
 * this share: V8's fatal out-of-memory comes near the full heap limit, and a poll may come ~20 ms late.
 */
const CEILING_SHARE = 0.9;
/** ...but always by at least this share of the heap limit, so that a cell that allocates little is never stopped. */
const MIN_GROWTH_SHARE = 1 / 32;

/** Int32 slots of MemoryGuardData.slots. */
const STOPPED = 0; // the number of the execute_request the guard stopped (interrupt-gate.ts numbers them)
const ARMED = 1; // the number of the execute_request whose threshold is in place
/** Byte offset of the Float64 threshold in bytes of RSS. */
const THRESHOLD_BYTE = 8;

export interface MemoryGuardData {
  slots: SharedArrayBuffer;
  /** RSS past which any cell is stopped. */
  limitBytes: number;
  /** RSS that cells which start above limitBytes approach by halves (see CEILING_SHARE). */
  ceilingBytes: number;
  heapLimitBytes: number;
}

/** Main thread: the shared slots and the limits, computed from this (the main) isolate's heap limit. */
export function memoryGuardData(): MemoryGuardData {
  const start = residentBytes();
  const heapLimitBytes = getHeapStatistics().heap_size_limit;
  return { slots: new SharedArrayBuffer(16), limitBytes: start + SHARE_OF_HEAP_LIMIT * heapLimitBytes, ceilingBytes: start + CEILING_SHARE * heapLimitBytes, heapLimitBytes };
}

/** The RSS at which a cell starting with `startBytes` is stopped. */
export function cellThreshold(data: MemoryGuardData, startBytes: number): number {
  const growth = Math.max((data.ceilingBytes - startBytes) / 2, MIN_GROWTH_SHARE * data.heapLimitBytes);
  return Math.max(data.limitBytes, startBytes + growth);
}

/** Main thread, as execute_request number `cell` begins: its threshold, from the memory it starts with. */
export function armMemoryGuard(data: MemoryGuardData, cell: number): void {
  new Float64Array(data.slots, THRESHOLD_BYTE, 1)[0] = cellThreshold(data, residentBytes());
  Atomics.store(new Int32Array(data.slots, 0, 2), ARMED, cell);
}

/** Main thread: whether the guard stopped execute_request number `cell`. */
export function stoppedForMemory(data: MemoryGuardData, cell: number): boolean {
  return cell !== 0 && Atomics.load(new Int32Array(data.slots, 0, 2), STOPPED) === cell;
}

/**
 * Io thread: a check to call often while a cell runs (interrupt-gate.ts whileCellsRun). Past the running cell's
 * threshold it marks the cell and calls stop(cell), which interrupts that cell only (interrupt-gate.ts ask).
 * `isRunning(cell)`: whether that execute_request still runs (a threshold is only read for the cell it was set for).
 */
export function memoryCheck(data: MemoryGuardData, isRunning: (cell: number) => boolean, stop: (cell: number) => void): () => void {
  const slots = new Int32Array(data.slots, 0, 2);
  const threshold = new Float64Array(data.slots, THRESHOLD_BYTE, 1);
  return () => {
    const cell = Atomics.load(slots, ARMED);
    if (cell === 0 || Atomics.load(slots, STOPPED) === cell || !isRunning(cell)) return;
    const limit = threshold[0];
    // Re-armed meanwhile: the threshold read may be the next cell's; the next poll reads it for that cell.
    // rss() here, not residentBytes(): this is the io thread (see resident-memory.ts), and off the cells' path.
    if (Atomics.load(slots, ARMED) !== cell || process.memoryUsage.rss() < limit) return;
    Atomics.store(slots, STOPPED, cell);
    stop(cell);
  };
}

/** How often RSS is read while freed pages go back, and for how long at most. */
const RELEASE_POLL_MS = 10;
const RELEASE_WAIT_MS = 1000;
/** Share of the heap a collection gave up that RSS must have lost before the wait ends (allocator slack aside). */
const RELEASE_SHARE = 0.8;

/**
 * A full collection, once the frames of the cell that just ended are gone (after a turn of the event loop), and
 * the pages it freed given back: V8's committed heap drops at once, but the pages are unmapped on a background
 * thread, which took ~150 ms for 500 MB on a loaded machine. A threshold armed before would count them as kept.
 */
async function collectGarbage(times: number): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  const committed = getHeapStatistics().total_heap_size;
  const rss = residentBytes();
  for (let i = 0; i < times; i++) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    fullGc();
  }
  const target = rss - RELEASE_SHARE * Math.max(0, committed - getHeapStatistics().total_heap_size);
  const until = Date.now() + RELEASE_WAIT_MS;
  while (residentBytes() > target && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, RELEASE_POLL_MS));
}

/**
 * Main thread, after a MemoryError: collect the stopped cell's garbage now and give the pages back, so that the
 * next cell's threshold starts from what is really kept.
 */
export function collectAfterMemoryError(): Promise<void> {
  return collectGarbage(2);
}

/** Past this share of limitBytes, garbage left for V8 could carry the next cell past its threshold. */
const PRESSURE_SHARE = 0.5;

/**
 * Main thread, after each cell's reply: while RSS is past half of limitBytes (much data kept, or much garbage),
 * collect, so that memory a cell freed (`hog.length = 0`) is given back before the next cell runs. V8 itself may
 * collect that garbage only near its heap limit, past the guard's threshold, and the guard would then stop a cell
 * that fits. Below the mark this costs nothing; above it, one full collection per cell.
 */
export async function collectUnderPressure(data: MemoryGuardData): Promise<void> {
  if (residentBytes() >= PRESSURE_SHARE * data.limitBytes) await collectGarbage(1);
}
