/** Python's time module: time(), sleep() (awaitable), perf_counter(), monotonic(). */
import { performance } from 'node:perf_hooks';
import { TypeError, ValueError } from './errors';
import { pyTypeName } from './repr';
import { setTimeout } from 'node:timers';

const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's limit; longer sleeps are chained

function sleepMs(ms: number, resolve: () => void): void {
  if (ms > MAX_TIMER_MS) setTimeout(() => sleepMs(ms - MAX_TIMER_MS, resolve), MAX_TIMER_MS);
  else setTimeout(resolve, ms);
}

export const time = {
  /** Seconds since the epoch as a float (sub-millisecond resolution). */
  time(): number {
    return (performance.timeOrigin + performance.now()) / 1000;
  },
  /** Nanoseconds since the epoch. */
  time_ns(): bigint {
    return BigInt(Math.round(performance.timeOrigin * 1e6)) + BigInt(Math.round(performance.now() * 1e6));
  },
  /** `await time.sleep(s)`: a Promise, since JS cannot block the event loop. */
  sleep(seconds: number): Promise<void> {
    if (typeof seconds !== 'number' && typeof seconds !== 'bigint') {
      throw new TypeError(`'${pyTypeName(seconds)}' object cannot be interpreted as an integer`);
    }
    const s = Number(seconds);
    if (Number.isNaN(s)) throw new ValueError('Invalid value NaN (not a number)');
    if (s < 0) throw new ValueError('sleep length must be non-negative');
    return new Promise((resolve) => sleepMs(s * 1000, resolve));
  },
  perf_counter(): number {
    return performance.now() / 1000;
  },
  monotonic(): number {
    return performance.now() / 1000;
  },
};
