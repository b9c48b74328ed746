/**
 * DistributedExecutor.local()'s cluster: forks local-host.ts (redis-server + worker supervisor) and waits until its
 * workers take jobs. The host watches its IPC channel, so the cluster ends with this process whatever happens.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RuntimeError, ValueError } from '../futures/_base';
import type { LocalHostReply, LocalHostRequest } from './local-host';

export interface LocalClusterOptions {
  /** Worker processes (default: the number of cores). */
  workers?: number;
  queue?: string;
  /** Seconds before the task of a worker that died runs on another one (default 10). */
  lock_duration?: number;
  /** The Redis server program (default: redis-server from PATH). */
  redis_server?: string;
}

export interface LocalCluster {
  url: string;
  queue: string;
  key: Buffer;
  process: ChildProcess;
  pids: number[];
}

function entry(): string {
  const local = path.join(__dirname, 'local-host.js');
  return fs.existsSync(local) ? local : path.resolve(__dirname, '../../dist/runtime/distributed/local-host.js');
}

export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const workers = options.workers ?? os.availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) throw new ValueError('workers must be an integer >= 1');
  const queue = options.queue ?? 'local';
  const key = crypto.randomBytes(32);
  const child = fork(entry(), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const request: LocalHostRequest = { workers, queue, key: key.toString('base64'), lockMs: (options.lock_duration ?? 10) * 1000,
    redisServer: options.redis_server ?? 'redis-server' };
  child.send(request);
  const reply = await new Promise<LocalHostReply>((resolve) => {
    child.once('message', (m) => resolve(m as LocalHostReply));
    child.once('exit', (code, signal) => resolve({ kind: 'failed', message: `the local cluster exited (${signal ?? `code ${code}`})` }));
  });
  if (reply.kind === 'failed') {
    child.kill('SIGKILL');
    throw new RuntimeError(`cannot start the local cluster: ${reply.message}`);
  }
  return { url: reply.url, queue, key, process: child, pids: reply.pids };
}
