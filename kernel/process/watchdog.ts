/**
 * The io thread's last resort. The main thread ends the kernel cleanly on shutdown_request or the parent's death
 * (which the io thread watches for and reports), but not while a cell blocks it (`while (true) {}`): no timer,
 * signal handler or message runs there then. The io thread keeps running, and if the process is still alive a
 * grace period after the main thread should have ended it, it ends the process-pool children and then the whole
 * process with SIGKILL (a worker thread's process.exit would only end the thread).
 */
import { killDescendants } from './children';
import { log } from './log';
import { setTimeout, clearTimeout, setInterval, clearInterval } from 'node:timers';

/** As ipykernel's ParentPoller: the kernel's one timer while idle (bench:idle). */
const PARENT_POLL_MS = 1000;
/** Long enough for a responsive main thread to finish its own shutdown (children get 500 ms there). */
export const FORCE_EXIT_GRACE_MS = 2000;
/**
 * Once the main thread has answered the shutdown it is not blocked, and only its own steps are left (children,
 * sockets, exit): on a loaded machine these took more than 2 s once (a CI run: the clean shutdown ended by SIGKILL,
 * exit code null). Still bounded: an exit handler a cell registered could loop.
 */
export const ANSWERED_GRACE_MS = 8000;

let forcing: NodeJS.Timeout | undefined;

/** Ends the process after graceMs unless it has exited by then. */
export function forceExitAfter(reason: string, graceMs = FORCE_EXIT_GRACE_MS): void {
  if (forcing) return;
  forcing = setTimeout(() => {
    log('warning', `${reason}, and the main thread has not ended the kernel: ending it from the io thread`);
    void killDescendants(200).finally(() => process.kill(process.pid, 'SIGKILL'));
  }, graceMs);
  // Must not keep an io thread alive that is otherwise done (the process is then exiting anyway).
  forcing.unref();
}

/** The main thread answered the shutdown: a pending forced end waits ANSWERED_GRACE_MS from now instead. */
export function shutdownAnswered(): void {
  if (!forcing) return;
  clearTimeout(forcing);
  forcing = undefined;
  forceExitAfter('shutdown was answered', ANSWERED_GRACE_MS);
}

/** Whether the process that started the kernel (startedBy), or JPY_PARENT_PID if set, is gone. */
export function parentIsGone(startedBy: number): boolean {
  if (process.ppid !== startedBy) return true;
  const jpyParent = Number(process.env.JPY_PARENT_PID) || undefined;
  if (!jpyParent) return false;
  try {
    process.kill(jpyParent, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * The kernel's parent watch, in the io thread, which runs even while a cell blocks the main thread: tells the main
 * thread (onGone: it shuts down cleanly) and ends the process itself if the main thread cannot.
 */
export function watchParentFromIoThread(startedBy: number, onGone: () => void): void {
  const timer = setInterval(() => {
    if (!parentIsGone(startedBy)) return;
    clearInterval(timer);
    onGone();
    forceExitAfter('the parent process is gone');
  }, PARENT_POLL_MS);
  timer.unref();
}
