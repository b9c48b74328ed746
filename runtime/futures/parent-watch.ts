/**
 * A process-pool worker's end with its parent.
 *
 * When the parent goes away the IPC channel closes and an idle worker exits on 'disconnect' (pool-worker.ts). A
 * worker whose main thread is stuck in a synchronous task (`while (true) {}`) never sees that event, and a parent
 * killed with SIGKILL (the OOM killer) cannot end it either: the worker would spin forever. Two ways out:
 * - Linux's parent-death signal: the worker is started through util-linux's `setpriv --pdeathsig KILL`, which sets
 *   it and execs node in place (same pid, same IPC channel), so the kernel kills the worker when its parent dies.
 *   It costs one exec, where a thread costs a second isolate's start-up on a core the new worker needs.
 * - Elsewhere a tiny thread of the worker's own, as the kernel's io thread watches the kernel's parent
 *   (kernel/process/watchdog.ts): once the worker has been re-parented it ends the whole process (a thread's process.exit
 *   would only end the thread).
 * Either way the parent passes its pid: a worker may start after its parent died, and then its own ppid is already
 * the re-parented one (and a death signal set after the parent's death is never sent).
 */
import { existsSync } from 'node:fs';
import { setInterval } from 'node:timers';

/** Within the 2 s a worker may outlive its parent, with room for a loaded machine's scheduling. */
const POLL_MS = 500;

/** The thread's whole program: `workerData` is the parent's pid. */
const SOURCE = `const { workerData: parent } = require('node:worker_threads');
setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL'); }, ${POLL_MS});`;

const SETPRIV = '/usr/bin/setpriv';
/** The worker's argv[3] when its parent-death signal is set. */
const DEATH_SIGNAL_SET = 'pdeathsig';

/** How the parent forks a worker so that it dies with the parent: the executable, its arguments, the worker's. */
export function orphanProofLaunch(parentPid: number): { execPath: string; execArgv: string[]; args: string[] } {
  if (process.platform === 'linux' && existsSync(SETPRIV)) {
    return { execPath: SETPRIV, execArgv: ['--pdeathsig', 'KILL', process.execPath], args: [String(parentPid), DEATH_SIGNAL_SET] };
  }
  return { execPath: process.execPath, execArgv: [], args: [String(parentPid)] };
}

/**
 * In the worker, from its argv (orphanProofLaunch): ends at once if the parent is already gone, and, without a
 * death signal, starts the watch thread. A worker that cannot start a thread runs on without the watch.
 */
let started = false;
export function endWithParent(argv: string[] = process.argv): void {
  if (started) return;
  started = true;
  const parent = Number(argv[2]) || process.ppid;
  if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
  if (argv[3] === DEATH_SIGNAL_SET) return;
  try {
    // Loaded here, not at the top: a worker with the death signal never needs it, and its boot would pay for it.
    const threads = require('node:worker_threads') as typeof import('node:worker_threads');
    const thread = new threads.Worker(SOURCE, { eval: true, workerData: parent, env: threads.SHARE_ENV, stdin: false, stdout: false, stderr: false, trackUnmanagedFds: false });
    thread.on('error', () => { /* the watch is a safety net: its loss must not end the worker */ });
    thread.unref();
  } catch {
    // e.g. no threads to be had: the worker still works.
  }
}
