/**
 * The promise-based stand-ins for threading.Condition.wait(timeout) and threading.Event that the futures use, and
 * the clock of every deadline: nothing here polls; waiting is a set of resolvers that state changes call.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout, clearTimeout } from 'node:timers';

const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's limit; longer waits are chained

/** Calls `fn` after `seconds`; returns a canceller. */
export function after(seconds: number, fn: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = (ms: number): void => {
    timer = ms > MAX_TIMER_MS ? setTimeout(() => arm(ms - MAX_TIMER_MS), MAX_TIMER_MS) : setTimeout(fn, ms);
  };
  arm(Math.max(0, seconds * 1000));
  return () => clearTimeout(timer);
}

/**
 * Waits until `notify` is called or `timeout` seconds pass. Resolves true when notified. A timeout of null/undefined
 * waits forever (no timer, so a wait that can never end does not keep the process alive); <= 0 does not wait at all.
 */
export function waitFor(register: (notify: () => void) => () => void, timeout: number | null | undefined): Promise<boolean> {
  if (timeout != null && timeout <= 0) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    let cancelTimer: (() => void) | undefined;
    const unregister = register(() => {
      cancelTimer?.();
      resolve(true);
    });
    if (timeout != null) {
      cancelTimer = after(timeout, () => {
        unregister();
        resolve(false);
      });
    }
  });
}

/** threading.Event: set() wakes every current waiter; wait() resolves at once while the flag is set. */
export class Event {
  private flag = false;
  private readonly waiters = new Set<() => void>();

  is_set(): boolean {
    return this.flag;
  }

  set(): void {
    this.flag = true;
    const woken = [...this.waiters];
    this.waiters.clear();
    for (const w of woken) w();
  }

  clear(): void {
    this.flag = false;
  }

  wait(timeout?: number | null): Promise<boolean> {
    if (this.flag) return Promise.resolve(true);
    return waitFor((notify) => {
      this.waiters.add(notify);
      return () => this.waiters.delete(notify);
    }, timeout).then((notified) => notified || this.flag);
  }
}


/** The clock of every deadline here (timeouts of wait, as_completed, map), in seconds. */
export const monotonic = (): number => performance.now() / 1000;
