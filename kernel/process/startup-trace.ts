/**
 * TSFUTURES_TRACE_STARTUP=1: one diagnostic line per start-up step (log.ts, fd 2), stamped in ms since the epoch
 * so steps of the main thread, the io thread and the launching client line up (bench/kernel/startup.ts --trace).
 * Off: one env lookup per step.
 */
import { log } from './log';

export function traceStartup(step: string): void {
  if (process.env.TSFUTURES_TRACE_STARTUP) log('info', `startup ${step} ${(performance.timeOrigin + performance.now()).toFixed(1)}`);
}
