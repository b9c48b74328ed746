/**
 * A process-pool worker's watch on its parent, from a thread of its own.
 *
 * When the parent goes away the IPC channel closes and an idle worker exits on 'disconnect' (pool-worker.ts). A
 * worker whose main thread is stuck in a synchronous task (`while (true) {}`) never sees that event, and a parent
 * killed with SIGKILL (the OOM killer) cannot end it either: the worker would spin forever. So the worker also runs
 * this tiny thread, as the kernel's io thread watches the kernel's parent (kernel/watchdog.ts): once the worker has
 * been re-parented it ends the whole process (a thread's process.exit would only end the thread).
 *
 * The thread is eval'd source with no module to load, started once at the worker's start and unref'd, so it
 * neither delays the first task much nor keeps the worker alive.
 */
import { SHARE_ENV, Worker } from 'node:worker_threads';

/** Within the 2 s a worker may outlive its parent, with room for a loaded machine's scheduling. */
const POLL_MS = 500;

/** The thread's whole program: `workerData` is the parent's pid. */
const SOURCE = `const { workerData: parent } = require('node:worker_threads');
setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL'); }, ${POLL_MS});`;

/**
 * Starts the watch on `parent`: the pid the parent passed (the worker may start after its parent died, and then
 * its own ppid is already the re-parented one). A worker that cannot start a thread runs on without the watch.
 */
let started = false;
export function watchParentFromThread(parent: number): void {
  if (started) return;
  started = true;
  try {
    const thread = new Worker(SOURCE, { eval: true, workerData: parent, env: SHARE_ENV, stdin: false, stdout: false, stderr: false, trackUnmanagedFds: false });
    thread.on('error', () => { /* the watch is a safety net: its loss must not end the worker */ });
    thread.unref();
  } catch {
    // e.g. no threads to be had: the worker still works.
  }
}
