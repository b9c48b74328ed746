/**
 * A cheap clock for timeline stamps: `stampNow()` reads a performance.now() value that a ticker thread refreshes every
 * TICK_MS into shared memory, so a stamp is a memory load (~2 ns) instead of a clock read (performance.now() ~33 ns,
 * Date.now() ~38 ns here; three stamps a task were ~5 % of the fastest ThreadPool path on their own).
 *
 * Precision: the value lags the real clock by at most TICK_MS plus the ticker's wake-up latency (a few ms at worst
 * under load, docs/performance.md); timelines draw milliseconds to seconds, so that is enough. Stamps that must be
 * exact should use performance.now() directly.
 * Cost when idle: none. Stamps read the real clock until WAKE_AFTER of them were taken; then the ticker starts (or
 * wakes), and it goes back to sleep after IDLE_TICKS ticks without a stamp. If it cannot start or dies, every stamp
 * reads the real clock.
 */
import { Worker } from 'node:worker_threads';

const TICK_MS = 1;
/** The ticker sleeps after this many ticks without a stamp. */
const IDLE_TICKS = 200;
/**
 * Real reads before the ticker is started or woken: a ticker tick costs ~20 us of CPU here (~2 % of a core while
 * awake), which pays off only for executors stamping thousands of tasks a second, not for a few slow tasks.
 */
const WAKE_AFTER = 256;

// Int32 cells of the shared control block.
const STATE = 0;
const USED = 1;
/** Always 0: the ticker's timed sleep waits on it (waiting on USED would return at once while stamps keep coming). */
const NAP = 2;
// STATE values.
const NOT_STARTED = 0;
const STARTING = 1;
const AWAKE = 2;
const ASLEEP = 3;
const WAKING = 4;
const DEAD = 5;

/**
 * The ticker: writes the main thread's performance.now() (same monotonic clock as process.hrtime, shifted by `base`)
 * every tick; sleeps when no stamp was taken for IDLE_TICKS ticks, until a stamp moves STATE from ASLEEP to WAKING.
 */
const TICKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { control, clock, base, tick, idleTicks } = workerData;
const now = () => { const t = process.hrtime(); return t[0] * 1e3 + t[1] / 1e6 - base; };
let idle = 0;
for (;;) {
  clock[0] = now();
  Atomics.store(control, ${STATE}, ${AWAKE});
  Atomics.wait(control, ${NAP}, 0, tick);
  if (Atomics.exchange(control, ${USED}, 0) !== 0) idle = 0;
  else if (++idle >= idleTicks) {
    idle = 0;
    Atomics.store(control, ${STATE}, ${ASLEEP});
    if (Atomics.load(control, ${USED}) === 0) Atomics.wait(control, ${STATE}, ${ASLEEP});
  }
}
`;

const control = new Int32Array(new SharedArrayBuffer(12));
const clock = new Float64Array(new SharedArrayBuffer(8));

function hrMs(): number {
  const t = process.hrtime();
  return t[0] * 1e3 + t[1] / 1e6;
}

function startTicker(): void {
  control[STATE] = STARTING;
  try {
    const before = performance.now();
    const base = hrMs() - before;
    const worker = new Worker(TICKER_SOURCE, {
      eval: true,
      workerData: { control, clock, base, tick: TICK_MS, idleTicks: IDLE_TICKS },
      // A ticker needs no heap to speak of; a small young generation keeps its footprint small.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 8 },
    });
    worker.unref(); // never keeps the process alive
    worker.on('error', () => {}); // reported by 'exit'
    worker.on('exit', () => Atomics.store(control, STATE, DEAD));
  } catch {
    control[STATE] = DEAD;
  }
}

/** Real reads since the ticker last went to sleep (or since start-up). */
let realReads = 0;

/** The slow path: the real clock; starts or wakes the ticker once stamps come often enough to be worth it. */
function realNow(state: number): number {
  if ((state === NOT_STARTED || state === ASLEEP) && ++realReads >= WAKE_AFTER) {
    realReads = 0;
    if (state === NOT_STARTED) startTicker();
    else if (Atomics.compareExchange(control, STATE, ASLEEP, WAKING) === ASLEEP) Atomics.notify(control, STATE);
  }
  return performance.now();
}

/** performance.now() to within about TICK_MS, for timeline stamps. */
export function stampNow(): number {
  const state = control[STATE];
  if (state !== AWAKE) return realNow(state);
  control[USED] = 1;
  return clock[0];
}

/** Whether stamps currently come from the ticker (tests; a stamp never runs ahead of the real clock either way). */
export function tickerAwake(): boolean {
  return control[STATE] === AWAKE;
}
