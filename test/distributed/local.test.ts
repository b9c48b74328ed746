/** DistributedExecutor.local(): a private redis-server and workers that never outlive the executor or the kernel. */
import { DistributedExecutor } from '../../runtime/distributed';
import { RuntimeError } from '../../runtime/futures';
import { KernelClient } from '../kernel/helpers/kernel-client';
import { alive, until } from './helpers';
import { square } from './fixture';

jest.setTimeout(60_000);

test('the package entry exports DistributedExecutor, an Executor', () => {
  const entry = require('../../runtime') as Record<string, unknown>;
  expect(entry.DistributedExecutor).toBe(DistributedExecutor);
  expect(DistributedExecutor.prototype).toBeInstanceOf(entry.Executor as Function);
});

test('local() starts redis-server and workers; shutdown() leaves no process behind', async () => {
  const dx = await DistributedExecutor.local({ workers: 2 });
  const pids = dx._cluster_pids;
  expect(pids).toHaveLength(4); // host, redis-server, two worker processes
  expect(pids.every(alive)).toBe(true);
  expect(await dx.submit(square, 9).result()).toBe(81);
  await dx.shutdown();
  await until(() => !pids.some(alive), 10_000, 'the local cluster to be gone');
});

test('local() without a Redis server program fails with a clear error', async () => {
  const missing = 'redis-server-that-is-not-installed';
  await expect(DistributedExecutor.local({ workers: 1, redis_server: missing })).rejects.toThrow(
    new RuntimeError(`cannot start the local cluster: ${missing} is not installed (not found on PATH): install Redis (Debian: apt-get install redis-server) or give DistributedExecutor the url of a running Redis`));
});

test('a local cluster started in a notebook ends with the kernel', async () => {
  const kernel = await KernelClient.start({ engine: 'real' });
  let pids: number[] = [];
  try {
    const { iopub } = await kernel.execute([
      'const dx = await DistributedExecutor.local({ workers: 1 });',
      'print(await dx.submit((x: number) => x + 1, 41).result());',
      'print(dx._cluster_pids.join(" "));',
    ].join('\n'));
    const [answer, line] = KernelClient.streamText(iopub).trim().split('\n');
    expect(answer).toBe('42');
    pids = line!.split(' ').map(Number);
    expect(pids).toHaveLength(3);
    expect(pids.every(alive)).toBe(true);
  } finally {
    await kernel.close();
  }
  await until(() => !pids.some(alive), 10_000, 'the local cluster to end with the kernel');
});
