/**
 * The kernel's own diagnostics. They go straight to file descriptor 2, bypassing process.stderr, because in the
 * kernel process process.stderr is routed to the notebook (output.ts): a protocol warning must reach the terminal
 * that started the kernel, not a user's cell. Works the same from the io thread.
 */
import { writeSync } from 'node:fs';

export function log(level: 'info' | 'warning' | 'error', text: string): void {
  try {
    writeSync(2, `[tsfutures ${level}] ${text}\n`);
  } catch {
    // A closed or full stderr must never take the kernel down.
  }
}
