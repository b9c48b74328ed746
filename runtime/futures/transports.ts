/**
 * The two ways a pool runs workers: child processes (ProcessPoolExecutor) and worker threads
 * (InterpreterPoolExecutor, standing in for Python 3.14's subinterpreters). Both run pool-worker.js.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Transport, WorkerEvents, WorkerLink } from './pool';
import { cleanUpOnce, removeWorkerFiles, workerEnv } from './big-payloads';
import { withLeanExtraCaCerts } from './extra-ca-certs';
import { orphanProofLaunch } from './parent-watch';
import type { ToWorker } from './pool-protocol';
import { SpareKeeper } from './spare-worker';

/** Workers run compiled JS: next to this file in dist/, or dist/ when this file runs from TS sources (jest). */
export function workerEntry(): string {
  const local = path.join(__dirname, 'pool-worker.js');
  return fs.existsSync(local) ? local : path.resolve(__dirname, '../../dist/runtime/futures/pool-worker.js');
}

/** Children still alive; killed when the parent exits so that no worker outlives it. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function killChildrenAtExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

export const processTransport: Transport = new SpareKeeper(
  function startProcess(events: WorkerEvents): WorkerLink {
    killChildrenAtExit();
    cleanUpOnce();
    // stdout/stderr are piped and forwarded through the parent's streams so a kernel capturing them sees a
    // worker's print() output; the parent's node flags (--inspect, loaders) are not passed on. The launch makes the
    // worker die with this process even while its main thread is blocked (parent-watch.ts). Its environment is ours,
    // with the big-payload tunables and without re-parsing certificates node bundles (extra-ca-certs.ts).
    const { execPath, execArgv, args } = orphanProofLaunch(process.pid);
    const child = fork(workerEntry(), args, { serialization: 'advanced', stdio: ['ignore', 'pipe', 'pipe', 'ipc'], execPath, execArgv, env: withLeanExtraCaCerts(workerEnv()) });
    liveChildren.add(child);
    child.stdout!.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    child.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.on('message', (msg) => events.message(msg as never));
    let ended = false;
    const end = (description: string) => {
      if (ended) return;
      ended = true;
      liveChildren.delete(child);
      if (child.pid !== undefined) removeWorkerFiles(child.pid);
      events.exit(description);
    };
    // 'close' (not 'exit') comes after the IPC channel has delivered everything the child sent.
    child.on('close', (code, signal) =>
      end(signal ? `the worker process was killed by ${signal}` : `the worker process exited with exit code ${code}`));
    child.on('error', (err) => {
      if (child.exitCode === null && child.signalCode === null && !child.connected) end(`the worker process failed: ${err.message}`);
    });
    return {
      id: child.pid ?? -1,
      send(msg: ToWorker) {
        if (child.connected) child.send(msg, undefined, undefined, () => { /* a closed channel shows up as 'close' */ });
      },
      setRef(ref: boolean) {
        const handles = [child, child.channel, child.stdout, child.stderr] as ({ ref?(): void; unref?(): void } | null | undefined)[];
        for (const h of handles) (ref ? h?.ref : h?.unref)?.call(h);
      },
      kill() {
        child.kill('SIGKILL');
      },
    };
  },
);

/** The ArrayBuffers a message's arguments asked to move (InterpreterPoolExecutor.transfer). */
function transferList(msg: ToWorker): ArrayBuffer[] {
  const payloads = msg.kind === 'run' ? msg.tasks.map((t) => t[2]) : msg.kind === 'init' ? [msg.initargs] : [];
  return payloads.flatMap((p) => (p && 'transfer' in p && p.transfer) || []);
}

export const threadTransport: Transport = new SpareKeeper(
  function startThread(events: WorkerEvents): WorkerLink {
    const worker = new Worker(workerEntry());
    worker.on('message', (msg) => events.message(msg));
    worker.on('error', () => { /* an uncaught error ends the thread: reported by 'exit' */ });
    worker.on('exit', (code) => events.exit(`the worker thread exited with exit code ${code}`));
    return {
      id: worker.threadId,
      send: (msg) => worker.postMessage(msg, transferList(msg)),
      setRef: (ref) => (ref ? worker.ref() : worker.unref()),
      kill: () => void worker.terminate(),
    };
  },
);
