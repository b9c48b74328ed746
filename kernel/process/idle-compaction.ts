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
 * (tens of ms).
 * After SHRINK_QUIET_MS without requests, one more full collection if the young generation is above its minimum:
 * V8 shrinks it (2 x 2 MB down to 2 x 0.5) in a full collection only once its recent allocation rate is low, which
 * it measures over the last 5 s. It grows back as cells need it. The io thread, an isolate of its own, collects then
 * too. TSFUTURES_IDLE_COMPACTION=0 turns it off. Figures: docs/performance.md, "Kernel memory: where it goes".
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { setTimeout, setImmediate, clearImmediate } from 'node:timers';
import { fullGc } from './full-gc';

/** How long the kernel must be without requests first: a client sending cells back to back never waits for one. */
export const QUIET_MS = 300;
/** Quiet time after which an enlarged young generation is given back (V8's allocation rate window is 5 s). */
export const SHRINK_QUIET_MS = 6000;
/** The young generation's committed bytes above which that collection is worth it (its minimum: 2 x 0.5 MB). */
export const NEW_SPACE_MIN_BYTES = 2 * 2 ** 20;
/** Growth of old space (bytes, committed) since the last compaction that makes another worth its pause. */
export const MIN_GROWTH_BYTES = 8 * 2 ** 20;
/** ...and as a share of old space's size after it, so a notebook holding much data is not marked through often. */
export const MIN_GROWTH_SHARE = 0.25;

export interface IdleCompactionOptions {
  quietMs?: number;
  shrinkQuietMs?: number;
  /** Old space's committed bytes. */
  oldSpaceBytes?: () => number;
  /** New space's committed bytes. */
  newSpaceBytes?: () => number;
  /** One full, atomic collection. */
  fullGc?: () => void;
  /** Asks the kernel's other isolate (the io thread) for a full collection. */
  collectElsewhere?: () => void;
}

/** A wait for `ms` of quiet, then `then`; its timer is there while the wait is on. */
interface QuietWait {
  ms: number;
  then: () => void;
  timer?: NodeJS.Timeout;
}

export class IdleCompaction {
  /** The compaction's wait, and the young generation's longer one. */
  private readonly waits: QuietWait[];
  private next: NodeJS.Immediate | undefined;
  /**
   * When the last request was answered (performance.now()); undefined while one runs. Timers are not cleared and
   * made again for every request: a wait checks this when its timer fires and waits on for what is left, so a cell
   * costs no timer operation while a wait is on (busy() and quiet() were four of them a cell).
   */
  private quietSince: number | undefined;
  /** Old space's size after the last compaction, or at start. */
  private baseline: number;
  private readonly oldSpaceBytes: () => number;
  private readonly newSpaceBytes: () => number;
  private readonly gc: () => void;
  private readonly collectElsewhere: () => void;

  constructor(options: IdleCompactionOptions = {}) {
    this.waits = [
      { ms: options.quietMs ?? QUIET_MS, then: () => this.compactIfGrown() },
      { ms: options.shrinkQuietMs ?? SHRINK_QUIET_MS, then: () => this.shrinkYoungGeneration() },
    ];
    this.oldSpaceBytes = options.oldSpaceBytes ?? (() => spaceBytes('old_space'));
    this.newSpaceBytes = options.newSpaceBytes ?? (() => spaceBytes('new_space'));
    this.gc = options.fullGc ?? fullGc;
    this.collectElsewhere = options.collectElsewhere ?? (() => {});
    this.baseline = this.oldSpaceBytes();
  }

  /** A request arrived: nothing runs until the kernel is quiet again. */
  busy(): void {
    this.quietSince = undefined;
    if (this.next) {
      clearImmediate(this.next);
      this.next = undefined;
    }
  }

  /** The last request was answered and none waits. */
  quiet(): void {
    this.busy();
    this.quietSince = performance.now();
    if (process.env.TSFUTURES_IDLE_COMPACTION === '0') return;
    for (const wait of this.waits) if (!wait.timer) this.arm(wait, wait.ms);
  }

  private arm(wait: QuietWait, delayMs: number): void {
    wait.timer = setTimeout(() => this.fire(wait), delayMs).unref();
  }

  private fire(wait: QuietWait): void {
    wait.timer = undefined;
    if (this.quietSince === undefined) return; // busy: the next quiet() starts the wait again
    const left = this.quietSince + wait.ms - performance.now();
    if (left > 0) this.arm(wait, left);
    else wait.then();
  }

  private shrinkYoungGeneration(): void {
    if (this.newSpaceBytes() <= NEW_SPACE_MIN_BYTES) return;
    this.gc();
    this.collectElsewhere();
  }

  private compactIfGrown(): void {
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

function spaceBytes(name: string): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === name)?.physical_space_size ?? 0;
}

