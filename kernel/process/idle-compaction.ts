/**
 * Compacts the main isolate's old space once the kernel goes quiet, instead of leaving it to V8's memory reducer.
 *
 * Every cell builds a program and a type checker; scavenges promote the ones alive at that moment, and the full
 * collections that follow free them without moving the survivors, so old space keeps pages that are mostly holes
 * (after 400 declaring cells ~44 MB for ~26 live). V8 only compacts those when idle, through its memory reducer,
 * which starts 8 s after a full collection and took 15-35 s to bring a kernel down. Here, when no request has come
 * for QUIET_MS after the last reply and old space grew by enough since the last compaction, two ordinary full
 * collections run, each in its own turn of the event loop: V8 picks the pages to evacuate from the live bytes the
 * previous full marking counted, so the first one counts them and the second moves the survivors off the sparse
 * pages. A request that arrives between them cancels the second; one that arrives during a collection waits for it
 * (tens of ms). TSFUTURES_IDLE_COMPACTION=0 turns it off. Figures: docs/performance.md, "Kernel memory: where it goes".
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { setTimeout, clearTimeout, setImmediate, clearImmediate } from 'node:timers';
import { fullGc } from './full-gc';

/** How long the kernel must be without requests first: a client sending cells back to back never waits for one. */
export const QUIET_MS = 300;
/** Growth of old space (bytes, committed) since the last compaction that makes another worth its pause. */
export const MIN_GROWTH_BYTES = 8 * 2 ** 20;
/** ...and as a share of old space's size after it, so a notebook holding much data is not marked through often. */
export const MIN_GROWTH_SHARE = 0.25;

export interface IdleCompactionOptions {
  quietMs?: number;
  /** Old space's committed bytes. */
  oldSpaceBytes?: () => number;
  /** One full, atomic collection. */
  fullGc?: () => void;
}

export class IdleCompaction {
  private timer: NodeJS.Timeout | undefined;
  private next: NodeJS.Immediate | undefined;
  /** Old space's size after the last compaction, or at start. */
  private baseline: number;
  private readonly quietMs: number;
  private readonly oldSpaceBytes: () => number;
  private readonly gc: () => void;

  constructor(options: IdleCompactionOptions = {}) {
    this.quietMs = options.quietMs ?? QUIET_MS;
    this.oldSpaceBytes = options.oldSpaceBytes ?? oldSpaceBytes;
    this.gc = options.fullGc ?? fullGc;
    this.baseline = this.oldSpaceBytes();
  }

  /** A request arrived: nothing runs until the kernel is quiet again. */
  busy(): void {
    clearTimeout(this.timer);
    clearImmediate(this.next);
    this.timer = this.next = undefined;
  }

  /** The last request was answered and none waits. */
  quiet(): void {
    this.busy();
    if (process.env.TSFUTURES_IDLE_COMPACTION === '0') return;
    this.timer = setTimeout(() => this.compactIfGrown(), this.quietMs).unref();
  }

  private compactIfGrown(): void {
    this.timer = undefined;
    const size = this.oldSpaceBytes();
    if (size - this.baseline < Math.max(MIN_GROWTH_BYTES, this.baseline * MIN_GROWTH_SHARE)) return;
    this.gc();
    this.next = setImmediate(() => {
      this.next = undefined;
      this.gc();
      this.baseline = this.oldSpaceBytes();
    }).unref();
  }
}

function oldSpaceBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.physical_space_size ?? 0;
}

