/**
 * DistributedExecutor against a real redis-server (started here on a free loopback port, no persistence) and
 * `tsfutures worker` processes started from a copy of the package in another folder.
 */
import * as crypto from 'node:crypto';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BrokenExecutor, CancelledError, TimeoutError, as_completed, wait } from '../../runtime/futures';
import { DistributedExecutor, ConnectionError } from '../../runtime/distributed';
import { ModuleNotFoundError } from '../../runtime/python/errors';
import { startRedisServer, type RedisServer } from '../../runtime/distributed/redis-server';
import { registerModule } from '../../runtime/futures/references';
import { alive, copyPackage, startWorker, until, type WorkerHandle } from './helpers';
import { fail, hold, killWorker, load, square, touch, where } from './fixture';

jest.setTimeout(60_000);

const KEY = crypto.randomBytes(24).toString('hex');
let redis: RedisServer;
let copy: string;
const workers: WorkerHandle[] = [];

async function keys(): Promise<string[]> {
  const IORedis = (require('ioredis') as typeof import('ioredis')).default;
  const r = new IORedis(redis.url);
  try {
    return (await r.keys('*')).sort();
  } finally {
    r.disconnect();
  }
}

beforeAll(async () => {
  [redis, copy] = await Promise.all([startRedisServer(), Promise.resolve(copyPackage())]);
  workers.push(startWorker(copy, { url: redis.url, queue: 'q', key: KEY }), startWorker(copy, { url: redis.url, queue: 'q', key: KEY }));
  await Promise.all(workers.map((w) => w.ready));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
  if (copy) fs.rmSync(copy, { recursive: true, force: true });
});

test('submit, map, errors and await using on two workers run from another folder', async () => {
  const seen = new Set<number>();
  {
    await using dx = new DistributedExecutor({ url: redis.url, queue: 'q', key: KEY });
    const f = dx.submit(square, 7);
    expect(f.running() || !f.done()).toBe(true);
    expect(await f.result()).toBe(49);
    expect(f.done()).toBe(true);
    const out: number[] = [];
    for await (const r of dx.map((a: number, b: number) => a ** b, [1, 2, 3], [2, 2, 2])) out.push(r);
    expect(out).toEqual([1, 4, 9]);
    const chunked: number[] = [];
    for await (const r of dx.map(square, Array.from({ length: 25 }, (_, i) => i), { chunksize: 4 })) chunked.push(r);
    expect(chunked).toEqual(Array.from({ length: 25 }, (_, i) => i * i));

    const error = await dx.submit(fail, 'no luck').exception();
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe('no luck');
    expect(String(((error as Error).cause as Error).stack)).toMatch(/RangeError: no luck\n\s+at fail/);
    const missing = await dx.submit(load, 'no-such-package-here').exception();
    expect(missing).toBeInstanceOf(ModuleNotFoundError);
    expect((missing as Error).message).toMatch(/^No module named 'no-such-package-here' on worker [^:]+:\d+$/);

    // Both workers take part, and each resolves packages from its own install and runs in its own folder.
    const places = await Promise.all(Array.from({ length: 12 }, () => dx.submit(hold, 50, 0).result().then(() => dx.submit(where).result())));
    for (const [pid, ioredis, cwd] of places) {
      seen.add(pid);
      expect(ioredis.startsWith(copy + path.sep)).toBe(true);
      expect(cwd).toBe(copy);
    }
    const [done] = await wait([dx.submit(square, 3)]);
    expect([...done].length).toBe(1);
  }
  const pids = workers.flatMap((w) => w.processPids());
  expect([...seen].every((p) => pids.includes(p))).toBe(true);
  expect(seen.size).toBe(2);
});

test('a worker SIGKILLed while 20 half-second tasks are queued loses nothing', async () => {
  await using dx = new DistributedExecutor({ url: redis.url, queue: 'q', key: KEY });
  const started = Date.now();
  const fs20 = Array.from({ length: 20 }, (_, i) => dx.submit(hold, 500, i));
  await until(() => fs20.filter((f) => f.running()).length === 2, 10_000, 'two tasks running');
  const victim = workers[0]!.processPids()[0]!;
  process.kill(victim, 'SIGKILL');
  const results: number[] = [];
  for await (const f of as_completed(fs20)) results[fs20.indexOf(f)] = (await f.result())[0];
  expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i * i));
  // 10 s of work on 2 workers, plus the dead worker's lock (2 s) and a restart.
  expect(Date.now() - started).toBeLessThan(20_000);
  await until(() => workers[0]!.processPids().length === 1, 10_000, 'the worker process restarted');
});

test('a task that kills max_attempts workers fails with BrokenExecutor naming it and the workers', async () => {
  await using dx = new DistributedExecutor({ url: redis.url, queue: 'q', key: KEY, max_attempts: 1 });
  const error = await dx.submit(killWorker).exception(30);
  expect(error).toBeInstanceOf(BrokenExecutor);
  expect((error as Error).message).toMatch(/^task 'killWorker' \(job [0-9a-f]+-0\) killed 1 worker \([^:]+:\d+\) and was not run again \(max_attempts=1\)$/);
  expect(await dx.submit(square, 4).result()).toBe(16);
  await until(() => workers.every((w) => w.processPids().length === 1), 10_000, 'the worker processes restarted');
});

test('cancel() succeeds while the job waits, not once a worker runs it; shutdown({ cancel_futures })', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfutures-cancel-'));
  const dx = new DistributedExecutor({ url: redis.url, queue: 'q', key: KEY });
  const running = [dx.submit(hold, 1500, 1), dx.submit(hold, 1500, 2)];
  const queued = dx.submit(touch, path.join(dir, 'queued'));
  await until(() => running.every((f) => f.running()), 10_000, 'both workers busy');
  expect(queued.running()).toBe(false);
  expect(queued.cancel()).toBe(true);
  expect(running[0]!.cancel()).toBe(false);
  await expect(queued.result()).rejects.toBeInstanceOf(CancelledError);
  expect((await running[0]!.result())[0]).toBe(1);

  const busy = [dx.submit(hold, 1000, 3), dx.submit(hold, 1000, 4)];
  await until(() => busy.every((f) => f.running()), 10_000, 'both workers busy again');
  const later = Array.from({ length: 5 }, (_, i) => dx.submit(touch, path.join(dir, `later-${i}`)));
  await dx.shutdown({ cancel_futures: true });
  expect(busy.map((f) => f.done() && !f.cancelled())).toEqual([true, true]);
  expect(later.every((f) => f.cancelled())).toBe(true);
  await new Promise((r) => setTimeout(r, 500));
  expect(fs.readdirSync(dir)).toEqual([]); // no cancelled job ever ran
  expect(() => dx.submit(square, 1)).toThrow('cannot schedule new futures after shutdown');
});

test('cancel() == true means the task never runs, even when a worker claimed its job a moment before', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfutures-cancel-race-'));
  const dx = new DistributedExecutor({ url: redis.url, queue: 'q', key: KEY });
  try {
    // Both workers busy; the job queued behind them is claimed while this process reads nothing (a blocked kernel).
    const busy = [dx.submit(hold, 300, 1), dx.submit(hold, 300, 2)];
    await until(() => busy.every((f) => f.running()), 10_000, 'both workers busy');
    const claimed = dx.submit(touch, path.join(dir, 'claimed'));
    await new Promise((r) => setTimeout(r, 50));
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_000);
    expect(claimed.cancel()).toBe(true);
    await expect(claimed.result()).rejects.toBeInstanceOf(CancelledError);
    await Promise.all(busy.map((f) => f.result()));

    // cancel() at any moment: true -> never ran; false -> ran to its result.
    const files = Array.from({ length: 40 }, (_, i) => path.join(dir, `job-${i}`));
    const futures = files.map((file) => dx.submit(touch, file));
    const cancelled = await Promise.all(futures.map((f, i) => new Promise<boolean>((resolve) => setTimeout(() => resolve(f.cancel()), i % 8))));
    for (const [i, f] of futures.entries()) {
      if (cancelled[i]) await expect(f.result()).rejects.toBeInstanceOf(CancelledError);
      else expect(await f.result()).toBe(files[i]);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(fs.existsSync(path.join(dir, 'claimed'))).toBe(false);
    expect(files.map((file) => fs.existsSync(file))).toEqual(cancelled.map((c) => !c));
  } finally {
    await dx.shutdown();
  }
});

test('a worker resolves by-reference imports from its working folder, and names itself when one is missing', async () => {
  // The kernel's side: `wpkg` and `kpkg` imported from its folder; the worker's folder has its own `wpkg` only.
  const kernelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfutures-kernel-'));
  const workerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfutures-worker-cwd-'));
  const writePackage = (dir: string, name: string, where: string): void => {
    fs.mkdirSync(path.join(dir, 'node_modules', name), { recursive: true });
    fs.writeFileSync(path.join(dir, 'node_modules', name, 'index.js'), `exports.whereAmI = () => ${JSON.stringify(where)};\n`);
  };
  writePackage(kernelDir, 'wpkg', 'kernel folder');
  writePackage(kernelDir, 'kpkg', 'kernel folder');
  writePackage(workerDir, 'wpkg', 'worker folder');
  const kernelRequire = createRequire(path.join(kernelDir, 'cell.js'));
  const [wpkg, kpkg] = ['wpkg', 'kpkg'].map((name) => {
    const exports = kernelRequire(name) as { whereAmI(): string };
    registerModule(name, kernelDir, exports);
    return exports;
  });
  const worker = startWorker(copy, { url: redis.url, queue: 'imports', key: KEY, args: ['--cwd', workerDir] });
  try {
    await worker.ready;
    await using dx = new DistributedExecutor({ url: redis.url, queue: 'imports', key: KEY });
    expect(await dx.submit(wpkg!.whereAmI).result()).toBe('worker folder');
    const missing = await dx.submit(kpkg!.whereAmI).exception();
    expect(missing).toBeInstanceOf(ModuleNotFoundError);
    expect((missing as Error).message).toMatch(/^No module named 'kpkg' on worker [^:]+:\d+$/);
    expect(await dx.submit(where).result()).toEqual([expect.any(Number), expect.any(String), workerDir]);
  } finally {
    await worker.stop();
    fs.rmSync(kernelDir, { recursive: true, force: true });
    fs.rmSync(workerDir, { recursive: true, force: true });
  }
});

test('a worker with another key runs nothing, says why, and stays up; none starts without a key', async () => {
  const other = crypto.randomBytes(24).toString('hex');
  const keyFile = path.join(copy, 'cluster.key');
  fs.writeFileSync(keyFile, other, { mode: 0o600 });
  const stranger = startWorker(copy, { url: redis.url, queue: 'elsewhere', args: ['--key-file', keyFile] });
  try {
    await stranger.ready;
    const marker = path.join(copy, 'side-effect');
    await using dx = new DistributedExecutor({ url: redis.url, queue: 'elsewhere', key: KEY });
    const error = await dx.submit(touch, marker).exception(20);
    expect(error).toBeInstanceOf(BrokenExecutor);
    expect((error as Error).message).toMatch(/rejected task 'touch' .*: its signature does not match the cluster key of this worker/);
    expect(fs.existsSync(marker)).toBe(false);
    expect(stranger.stderr()).toMatch(/rejected job [0-9a-f]+-0: bad or missing signature \(not run\)/);
    expect(alive(stranger.child.pid!)).toBe(true);
    await using right = new DistributedExecutor({ url: redis.url, queue: 'elsewhere', key: other });
    expect(await right.submit(square, 5).result()).toBe(25);
    for (const w of [stranger, ...workers]) {
      expect(w.stderr()).not.toContain(other);
      expect(w.stderr()).not.toContain(KEY);
    }
  } finally {
    await stranger.stop();
  }
  const keyless = startWorker(copy, { url: redis.url, queue: 'q' });
  const code = await new Promise((resolve) => keyless.child.once('exit', resolve));
  expect(code).toBe(2);
  expect(keyless.stderr()).toMatch(/^tsfutures worker: refusing to start: no cluster key: the queue carries code, .*TSFUTURES_CLUSTER_KEY or pass --key-file FILE/);
});

test('after 5 000 tasks with results collected, Redis holds only BullMQ\'s bookkeeping', async () => {
  const dx = new DistributedExecutor({ url: redis.url, queue: 'count', key: KEY });
  const counter = startWorker(copy, { url: redis.url, queue: 'count', key: KEY });
  try {
    await counter.ready;
    const futures = Array.from({ length: 5000 }, (_, i) => dx.submit(square, i));
    let total = 0;
    for (const f of futures) total += await f.result();
    expect(total).toBe(Array.from({ length: 5000 }, (_, i) => i * i).reduce((a, b) => a + b));
    await dx.shutdown();
  } finally {
    await counter.stop();
  }
  const left = (await keys()).filter((k) => !/^bull:(q|elsewhere|imports):/.test(k)); // other tests' queues
  expect(left.filter((k) => !/^bull:count:(meta|id|events|stalled-check|marker)$/.test(k))).toEqual([]);
}, 90_000);

test('Redis out of reach: connect() raises ConnectionError after its retries; with new, the futures fail with it, then submit raises it', async () => {
  const closed = await startRedisServer();
  const url = closed.url;
  await closed.stop();
  const message = new RegExp(`^cannot reach Redis at ${url.replace(/[.]/g, '\\.')}: .*ECONNREFUSED`);
  const connecting = DistributedExecutor.connect({ url, key: KEY }).then(() => null, (e: unknown) => e);
  const dx = new DistributedExecutor({ url, key: KEY });
  const error = await dx.submit(square, 2).exception(20);
  expect(error).toBeInstanceOf(ConnectionError);
  expect((error as Error).message).toMatch(message);
  await expect(dx.ready()).rejects.toBe(error);
  expect(() => dx.submit(square, 2)).toThrow(ConnectionError);
  expect(() => dx.submit(square, 2)).toThrow((error as Error).message);
  await dx.shutdown();
  const refused = await connecting;
  expect(refused).toBeInstanceOf(ConnectionError);
  expect((refused as Error).message).toMatch(message);
});

test('Redis gone for good while a future waits: it fails with ConnectionError, no hang', async () => {
  const own = await startRedisServer();
  const dx = await DistributedExecutor.connect({ url: own.url, queue: 'nobody-works-here', key: KEY });
  const pending = dx.submit(square, 3);
  await new Promise((r) => setTimeout(r, 300));
  await own.stop();
  const error = await pending.exception(20);
  expect(error).toBeInstanceOf(ConnectionError);
  expect((error as Error).message).toMatch(/^cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: /);
  expect(() => dx.submit(square, 3)).toThrow(ConnectionError);
  await dx.shutdown();
});

test('connections dropped while a task runs: its future completes after the reconnection', async () => {
  await using dx = await DistributedExecutor.connect({ url: redis.url, queue: 'q', key: KEY });
  const running = dx.submit(hold, 1_000, 9);
  await until(() => running.running(), 10_000, 'the task running');
  const IORedis = (require('ioredis') as typeof import('ioredis')).default;
  const admin = new IORedis(redis.url);
  try {
    expect(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes')).toBeGreaterThan(2);
  } finally {
    admin.disconnect();
  }
  expect((await running.result(20))[0]).toBe(81);
  expect(await dx.submit(square, 12).result(20)).toBe(144);
});

test('a Redis restart that lost the queue fails the pending futures with ConnectionError, no hang', async () => {
  const own = await startRedisServer();
  const dx = new DistributedExecutor({ url: own.url, queue: 'nobody-works-here', key: KEY });
  const pending = dx.submit(square, 3);
  await new Promise((r) => setTimeout(r, 300)); // the job is in Redis, no worker takes it
  await own.stop();
  const again = await startRedisServer('redis-server', own.port);
  try {
    const error = await pending.exception(20);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toBe(`Redis at ${own.url} restarted and lost the queued tasks`);
    // The executor still takes work (queued again, with no worker to run it).
    await expect(dx.submit(square, 3).result(0.5)).rejects.toBeInstanceOf(TimeoutError);
  } finally {
    await dx.shutdown({ wait: false, cancel_futures: true });
    await again.stop();
  }
});

test('the queued jobs of a client that disappeared are dropped, never run', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfutures-abandoned-'));
  const dx = new DistributedExecutor({ url: redis.url, queue: 'abandoned', key: KEY });
  const futures = Array.from({ length: 5 }, (_, i) => dx.submit(touch, path.join(dir, `job-${i}`)));
  await new Promise((r) => setTimeout(r, 300)); // queued; no worker yet
  // A kernel restart: the client's heartbeat key expires (here: removed at once) and nobody reads its results.
  const IORedis = (require('ioredis') as typeof import('ioredis')).default;
  const r = new IORedis(redis.url);
  const alive = (await r.keys('tsf:abandoned:*:alive'))[0]!;
  expect(alive).toBeDefined();
  clearInterval((dx as unknown as { redis: { heartbeat: NodeJS.Timeout } }).redis.heartbeat);
  await r.del(alive);
  const late = startWorker(copy, { url: redis.url, queue: 'abandoned', key: KEY });
  try {
    await late.ready;
    const end = Date.now() + 10_000;
    while ((await r.llen('bull:abandoned:wait')) > 0 && Date.now() < end) await new Promise((res) => setTimeout(res, 100));
    expect(await r.llen('bull:abandoned:wait')).toBe(0);
    await new Promise((res) => setTimeout(res, 300));
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(futures.every((f) => !f.done())).toBe(true);
  } finally {
    await late.stop();
    await dx.shutdown({ wait: false, cancel_futures: true });
    r.disconnect();
  }
});

test('Redis credentials through the URL; the password never shows in messages', async () => {
  const password = crypto.randomBytes(12).toString('hex');
  const guarded = await startRedisServer('redis-server', undefined, ['--requirepass', password]);
  const url = `redis://:${password}@127.0.0.1:${guarded.port}`;
  const worker = startWorker(copy, { url, queue: 'guarded', key: KEY });
  try {
    await worker.ready;
    expect(worker.stderr()).toContain(`at redis://:***@127.0.0.1:${guarded.port}`);
    await using dx = new DistributedExecutor({ url, queue: 'guarded', key: KEY });
    expect(await dx.submit(square, 6).result()).toBe(36);
    const wrong = new DistributedExecutor({ url: `redis://:not-${password}@127.0.0.1:${guarded.port}`, queue: 'guarded', key: KEY });
    const error = await wrong.submit(square, 6).exception(20);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(new RegExp(`^cannot reach Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${guarded.port}: `));
    expect((error as Error).message).not.toContain(password);
    await wrong.shutdown();
    expect(worker.stderr()).not.toContain(password);
  } finally {
    await worker.stop();
    await guarded.stop();
  }
});
