/**
 * Memory guard: a cell that allocates until memory runs short gets a MemoryError, not a dead kernel.
 *
 * V8's out-of-memory is fatal and cannot be caught, and the main thread cannot watch itself while a cell blocks it.
 * So the io thread watches the process's resident memory while a cell runs (io-thread.ts CELL_POLL_MS); past a
 * threshold below the main heap's limit it interrupts the cell as interrupt_request does (interrupt-gate.ts) and
 * marks the interrupt as a memory one in a SharedArrayBuffer that both threads see. The kernel then reports it as
 * `MemoryError`. What the cell had allocated becomes garbage unless it stored it in a global.
 *
 * Where Node cannot help: memory outside V8's heap limit (e.g. huge Buffers) only counts through RSS, and a single
 * allocation that jumps past the limit between two polls is still fatal.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Interrupt when RSS exceeds the memory at start plus this share of the main heap's limit. */
const SHARE_OF_HEAP_LIMIT = 0.8;

export interface MemoryGuardData {
  /** Int32Array view: [0] is 1 when the last interrupt came from the guard. */
  flag: SharedArrayBuffer;
  limitBytes: number;
}

/** Main thread: the shared flag and the RSS limit, computed from this (the main) isolate's heap limit. */
export function memoryGuardData(): MemoryGuardData {
  const limitBytes = process.memoryUsage.rss() + SHARE_OF_HEAP_LIMIT * getHeapStatistics().heap_size_limit;
  return { flag: new SharedArrayBuffer(4), limitBytes };
}

/** Main thread: whether the interrupt just seen was the guard's; clears the mark. */
export function takeMemoryInterrupt(data: MemoryGuardData): boolean {
  return Atomics.exchange(new Int32Array(data.flag), 0, 0) === 1;
}

/** Io thread: a check to call often while a cell runs (interrupt-gate.ts whileCellsRun); interrupts it past the limit. */
export function memoryCheck(data: MemoryGuardData, interrupt: () => void): () => void {
  const flag = new Int32Array(data.flag);
  return () => {
    if (Atomics.load(flag, 0) === 1 || process.memoryUsage.rss() < data.limitBytes) return;
    Atomics.store(flag, 0, 1);
    interrupt();
  };
}

export function memoryErrorMessage(data: MemoryGuardData): string {
  const mib = (n: number) => Math.round(n / 2 ** 20);
  return `the cell was stopped because the kernel's memory passed ${mib(data.limitBytes)} MiB (near the JavaScript heap limit of ${mib(getHeapStatistics().heap_size_limit)} MiB); objects it kept in globals are still there`;
}

/**
 * Main thread, after a MemoryError: collect the stopped cell's garbage now and give the pages back, so that the
 * guard, which watches RSS, does not stop the next cell for memory that is only waiting to be collected. The
 * garbage is collectable once the stopped cell's frames are gone, i.e. after a turn of the event loop.
 */
export async function collectAfterMemoryError(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 2; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    gc();
  }
}
