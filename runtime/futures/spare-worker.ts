/**
 * A warm spare worker per transport (process or thread), as CPython's forkserver keeps a process ready to fork.
 *
 * A pool's first result waits for a worker to boot: a node process (or a worker thread) and the runtime it preloads.
 * Once a pool of a kind has been used in this process, one spare of that kind is started and kept: the next worker
 * any pool of the kind starts is the spare, already booted, and a new spare is started when that one goes idle.
 * A spare has never run a task, an initializer or any shipped code (it only preloaded the runtime), so it is as fresh
 * as a new spawn: module-level state set by one pool's tasks is never seen by the next pool.
 *
 * When a spare is started: once every worker of its kind has been without a task for IDLE_MS (all it was sent has
 * come back, or it exited), so its boot does not compete for a core with workers that compute; and when a pool is
 * constructed with no spare there (prestart), so that a process's first pool boots its first worker while the
 * parent still ships the first task (CPython starts workers at the first submit; the first result waits for the boot
 * either way). It does not keep this process alive and is released after QUIET_MS without a pool asking for it. A
 * spare started under another working directory or environment than a pool now has is dropped, not used (a fresh
 * worker would see the new ones). TSFUTURES_SPARE_WORKER=0 turns spares off, prestarts included: every worker then
 * starts at a submit. Its idle memory: docs/performance.md, "Pool start-up".
 */
import type { Transport, WorkerEvents, WorkerLink } from './pool';
import type { FromWorker } from './pool-protocol';
import { setTimeout, clearTimeout } from 'node:timers';

/** How long an unused spare is kept. */
export const QUIET_MS = 60_000;
/** How long the workers of a kind must all be idle before a spare boots. */
export const IDLE_MS = 50;

interface Spare {
  link: WorkerLink;
  /** Where its events go: nowhere while it is the spare, the pool's handlers once taken. */
  target: WorkerEvents | null;
  env: string;
  cwd: string;
  timer: NodeJS.Timeout;
}

function environment(): string {
  return JSON.stringify(process.env);
}

function disabled(): boolean {
  return process.env.TSFUTURES_SPARE_WORKER === '0';
}

/**
 * A Transport that starts workers through `launch` and keeps one of them spare (see the header). A spare is sent
 * 'preload' at once: it loads what a first task would (the runtime) while it waits.
 */
export class SpareKeeper implements Transport {
  private spare: Spare | null = null;
  /** Pools' workers with tasks sent and not yet answered, how many; and the timer that starts a spare once none has. */
  private readonly busy = new Map<WorkerLink, number>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly launch: (events: WorkerEvents) => WorkerLink) {}

  start(events: WorkerEvents): WorkerLink {
    let link: WorkerLink;
    const watched: WorkerEvents = {
      message: (msg) => {
        if (msg.kind === 'results') this.addTasks(link, -msg.results.length);
        events.message(msg);
      },
      exit: (description) => {
        this.addTasks(link, -Infinity);
        events.exit(description);
      },
    };
    const taken = this.take();
    if (taken) {
      taken.target = watched;
      link = taken.link;
    } else {
      link = this.launch(watched);
    }
    return {
      id: link.id,
      send: (msg) => {
        if (msg.kind === 'run') this.addTasks(link, msg.tasks.length);
        link.send(msg);
      },
      setRef: (ref) => link.setRef(ref),
      kill: () => link.kill(),
    };
  }

  /**
   * A pool was constructed: a spare starts booting now unless one is there, whatever the other pools' workers do (this
   * pool's first submit needs a worker anyway). It is not sent 'preload': the pool's first task follows at once and
   * loads only what it reads.
   */
  prestart(): void {
    if (disabled()) return;
    if (this.spare && !this.matches(this.spare)) this.release();
    if (!this.spare) this.replenish(false);
  }

  /** Pids (or thread ids) of the spare, if any: for tests and reports. */
  spareIds(): number[] {
    return this.spare ? [this.spare.link.id] : [];
  }

  /** Ends the spare now (the quiet period's end does the same). */
  release(): void {
    const spare = this.spare;
    if (!spare) return;
    this.spare = null;
    clearTimeout(spare.timer);
    spare.link.kill();
  }

  /** The spare, when it still matches this process's working directory and environment. */
  private take(): Spare | null {
    const spare = this.spare;
    if (!spare) return null;
    this.spare = null;
    clearTimeout(spare.timer);
    if (!this.matches(spare)) {
      spare.link.kill();
      return null;
    }
    return spare;
  }

  /** Whether `spare` started under this process's working directory and environment of now. */
  private matches(spare: Spare): boolean {
    return spare.cwd === process.cwd() && spare.env === environment();
  }

  /** Counts tasks sent to a pool's worker (negative: answered); when no worker has any left, a spare is due. */
  private addTasks(link: WorkerLink, n: number): void {
    const left = (this.busy.get(link) ?? 0) + n;
    if (left > 0) this.busy.set(link, left);
    else this.busy.delete(link);
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (this.busy.size || this.spare || disabled()) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (!this.busy.size) this.replenish(true);
    }, IDLE_MS);
    this.idleTimer.unref();
  }

  /** Starts the spare (unless there is one), sent 'preload' when `preload`. */
  private replenish(preload: boolean): void {
    if (this.spare || disabled()) return;
    const events: WorkerEvents = {
      message: (msg: FromWorker) => spare.target?.message(msg),
      exit: (description) => {
        if (this.spare === spare) {
          this.spare = null;
          clearTimeout(spare.timer);
        }
        spare.target?.exit(description);
      },
    };
    let link: WorkerLink;
    try {
      link = this.launch(events);
    } catch {
      return; // no process or thread to be had now: pools start their own, as without spares
    }
    const spare: Spare = {
      link,
      target: null,
      env: environment(),
      cwd: process.cwd(),
      timer: setTimeout(() => {
        if (this.spare === spare) this.release();
      }, QUIET_MS),
    };
    spare.timer.unref();
    this.spare = spare;
    link.setRef(false);
    if (preload) link.send({ kind: 'preload' });
  }
}
