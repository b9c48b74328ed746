/**
 * SIGTERM (what Jupyter sends when a shutdown_request goes unanswered, and what `kill` and service managers send)
 * ends the kernel cleanly from the first line of the kernel command on. Until a JS listener exists, Node's own
 * action is to die by the signal, with no socket closed and no child ended. A listener installed at the end of the
 * start-up comes too late: the first kernel_info can already be answered during it (session.ts listen hands on what
 * came meanwhile), and a client may send SIGTERM as soon as it has that reply. So the listener is installed first
 * thing (holdSigterm) and only remembers the signal until the kernel hands it its shutdown (onSigterm).
 */
let shutdown: (() => void) | undefined;
let received = false;
let held = false;

/** Main thread, as early as possible: from now on SIGTERM is the kernel's, never Node's default death. */
export function holdSigterm(): void {
  if (held) return;
  held = true;
  process.on('SIGTERM', () => {
    received = true;
    shutdown?.();
  });
}

/** The kernel is up: SIGTERM calls `stop` from now on, at once if one came during the start-up. */
export function onSigterm(stop: () => void): void {
  holdSigterm();
  shutdown = stop;
  if (received) stop();
}
