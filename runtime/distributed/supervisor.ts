/**
 * The machine side of `tsfutures worker --processes N`: N worker processes (worker-process.ts), each running one
 * task at a time, restarted when one dies (a task may kill its worker; BullMQ then runs the task elsewhere), all
 * stopped by stop(). Used by the CLI and by DistributedExecutor.local's private cluster.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorkerSettings } from './worker-process';
import { setTimeout, clearTimeout } from 'node:timers';

export interface SupervisorOptions {
  url: string;
  queue: string;
  processes: number;
  key: Buffer;
  /** How long a job stays locked by a worker that stopped renewing it (died) before it runs elsewhere. */
  lockMs: number;
  tlsCa?: string;
  /** The processes' working folder (default this process's): tasks resolve their modules there first. */
  cwd?: string;
  log?: (message: string) => void;
}

export interface Supervisor {
  /** Resolves once every process has connected to Redis and waits for jobs. */
  readonly ready: Promise<void>;
  /** Pids of the live worker processes. */
  pids(): number[];
  /** SIGTERM to every process (each finishes its task), SIGKILL after `graceMs`; resolves when all are gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Worker processes run compiled JS: next to this file in dist/, or dist/ when this file runs from TS sources (jest). */
function entry(): string {
  const local = path.join(__dirname, 'worker-process.js');
  return fs.existsSync(local) ? local : path.resolve(__dirname, '../../dist/runtime/distributed/worker-process.js');
}

const RESTART_DELAY_MS = 500;

export function startSupervisor(options: SupervisorOptions): Supervisor {
  const log = options.log ?? ((m: string) => void process.stderr.write(`tsfutures worker: ${m}\n`));
  const settings: WorkerSettings = {
    url: options.url, queue: options.queue, key: options.key.toString('base64'), lockMs: options.lockMs,
    tlsCa: options.tlsCa,
  };
  const children = new Set<ChildProcess>();
  let stopping = false;
  let readyCount = 0;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const spawn = (): void => {
    const child = fork(entry(), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [], cwd: options.cwd });
    children.add(child);
    child.send(settings);
    let counted = false;
    child.on('message', (msg) => {
      if ((msg as { kind?: string }).kind === 'ready' && !counted) {
        counted = true;
        if (++readyCount === options.processes) markReady();
      }
    });
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (stopping) return;
      log(`worker process ${child.pid} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}; starting another`);
      if (!counted) readyCount++; // it never became ready: do not hold `ready` back for it
      if (readyCount >= options.processes) markReady();
      setTimeout(() => !stopping && spawn(), RESTART_DELAY_MS);
    });
  };
  for (let i = 0; i < options.processes; i++) spawn();
  // A supervisor that exits, however, takes its processes along (they also watch their IPC channel).
  process.on('exit', () => {
    for (const c of children) c.kill('SIGKILL');
  });

  return {
    ready,
    pids: () => [...children].map((c) => c.pid!).filter(Boolean),
    async stop(graceMs = 10_000) {
      stopping = true;
      const gone = [...children].map((c) => new Promise<void>((resolve) => {
        if (c.exitCode !== null || c.signalCode !== null) return resolve();
        c.once('exit', () => resolve());
      }));
      for (const c of children) c.kill('SIGTERM');
      const timer = setTimeout(() => {
        for (const c of children) c.kill('SIGKILL');
      }, graceMs);
      await Promise.all(gone);
      clearTimeout(timer);
    },
  };
}
