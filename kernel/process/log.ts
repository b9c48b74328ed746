/**
 * The kernel's own diagnostics. They go straight to file descriptor 2, bypassing process.stderr, because in the
 * kernel process process.stderr is routed to the notebook (kernel/output/stdio.ts): a protocol warning must reach the terminal
 * that started the kernel, not a user's cell. Works the same from the io thread.
 *
 * fd 2 is often a pipe that libuv made non-blocking: under a burst (a flood of bad messages) the pipe fills and a
 * plain writeSync fails with EAGAIN, silently losing lines. So a full pipe is waited for, briefly; a reader that
 * stays stuck costs at most MAX_WAIT_MS per line, never the kernel.
 */
import { writeSync } from 'node:fs';

const MAX_WAIT_MS = 1000;
const pause = new Int32Array(new SharedArrayBuffer(4));

export function log(level: 'info' | 'warning' | 'error', text: string): void {
  let rest = Buffer.from(`[tsfutures ${level}] ${text}\n`);
  const deadline = Date.now() + MAX_WAIT_MS;
  while (rest.length) {
    try {
      rest = rest.subarray(writeSync(2, rest));
    } catch (e) {
      // A closed or full stderr must never take the kernel down.
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) return;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
