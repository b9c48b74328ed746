/**
 * The process behind DistributedExecutor.local(): a private redis-server and a supervisor of N worker processes.
 * Forked with an IPC channel by the client; when that channel closes (stop request, or the client process gone,
 * even by SIGKILL) it stops its workers and Redis, so a local cluster never outlives its notebook.
 */
import { startRedisServer } from './redis-server';
import { startSupervisor } from './supervisor';
import { setTimeout } from 'node:timers';

export interface LocalHostRequest {
  workers: number;
  queue: string;
  /** base64 */
  key: string;
  lockMs: number;
  redisServer: string;
}

export type LocalHostReply = { kind: 'ready'; url: string; pids: number[] } | { kind: 'failed'; message: string };

async function main(request: LocalHostRequest): Promise<void> {
  const redis = await startRedisServer(request.redisServer);
  const supervisor = startSupervisor({
    url: redis.url, queue: request.queue, processes: request.workers, key: Buffer.from(request.key, 'base64'),
    lockMs: request.lockMs,
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= (async () => {
    await supervisor.stop(2_000);
    await redis.stop();
    process.exit(0);
  })());
  process.on('disconnect', () => void stop());
  process.on('message', (msg) => {
    if ((msg as { kind?: string }).kind === 'stop') void stop();
  });
  process.on('SIGTERM', () => void stop());
  await supervisor.ready;
  process.send?.({ kind: 'ready', url: redis.url, pids: [redis.pid, ...supervisor.pids()] } satisfies LocalHostReply);
}

process.once('message', (msg) => {
  main(msg as LocalHostRequest).catch((e) => {
    process.send?.({ kind: 'failed', message: (e as Error).message } satisfies LocalHostReply, () => process.exit(1));
  });
});
process.once('disconnect', () => setTimeout(() => process.exit(0), 3_000).unref());
