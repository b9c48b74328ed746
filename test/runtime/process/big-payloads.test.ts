/**
 * Large buffers to and from process workers go beside the IPC channel, through /dev/shm (big-payloads.ts): they
 * arrive intact and of their types, and no file or descriptor outlives its task, a killed worker or a dead parent.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { ProcessPoolExecutor } from '../../../runtime/futures/process';
import { LIFT_BYTES, workerEnv } from '../../../runtime/futures/big-payloads';

const MB = 1024 * 1024;
const shmFiles = () => fs.readdirSync('/dev/shm').filter((n) => n.startsWith('tsfutures-'));
/** This process's descriptors open on (unlinked) files of big-payloads. */
const heldFiles = () => fs.readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`).includes('/dev/shm/tsfutures-');
  } catch {
    return false;
  }
});

const linux = process.platform === 'linux' && fs.existsSync('/dev/shm') ? describe : describe.skip;

linux('ProcessPoolExecutor: large buffers beside the channel', () => {
  const pool = new ProcessPoolExecutor({ max_workers: 1 });
  afterAll(() => pool.shutdown());

  test('every kind of large buffer goes and comes back intact, of its type, nested, shared references kept', async () => {
    const floats = new Float64Array(MB / 8).map((_, i) => i * 0.5);
    const bytes = Buffer.alloc(MB, 7);
    const bare = new ArrayBuffer(LIFT_BYTES);
    new Uint8Array(bare)[LIFT_BYTES - 1] = 9;
    const dv = new DataView(new ArrayBuffer(LIFT_BYTES));
    dv.setFloat32(4, 1.5);
    const small = new Uint8Array([1, 2, 3]);
    const big = new BigInt64Array(LIFT_BYTES / 8).fill(-3n);
    const value = { floats, again: floats, list: [bytes, small], map: new Map([['bare', bare]]), set: new Set([dv]), big };
    const held = heldFiles().length;
    const future = pool.submit((v: typeof value) => ({ ...v, sum: v.floats.reduce((a, b) => a + b, 0) }), value);
    expect(heldFiles().length).toBe(held + 1); // the arguments' buffers went to a file, not into the message
    const back = await future.result();
    expect(back.sum).toBe(floats.reduce((a, b) => a + b, 0));
    expect(back.floats).toBeInstanceOf(Float64Array);
    expect(back.floats).toEqual(floats);
    expect(back.again).toBe(back.floats);
    expect(Buffer.isBuffer(back.list[0])).toBe(true);
    expect((back.list[0] as Buffer).equals(bytes)).toBe(true);
    expect(back.list[1]).toEqual(small);
    const bareBack = back.map.get('bare')!;
    expect(bareBack).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(bareBack)[LIFT_BYTES - 1]).toBe(9);
    const dvBack = [...back.set][0]!;
    expect(dvBack).toBeInstanceOf(DataView);
    expect(dvBack.getFloat32(4)).toBe(1.5);
    expect(back.big).toBeInstanceOf(BigInt64Array);
    expect(back.big[LIFT_BYTES / 8 - 1]).toBe(-3n);
  }, 60_000);

  test('a view over part of a buffer sends only its bytes; the copy is taken at submit', async () => {
    const whole = new Uint8Array(4 * MB).fill(1);
    const part = whole.subarray(MB, 2 * MB).fill(2);
    const held = heldFiles().length;
    const future = pool.submit((p: Uint8Array) => [p.byteLength, p.reduce((a, b) => a + b, 0)], part);
    expect(heldFiles().length).toBe(held + 1);
    expect(fs.fstatSync(Number(heldFiles().at(-1))).size).toBe(MB);
    part.fill(5); // after submit: the worker sees what was there at submit, as with structured clone
    expect(await future.result()).toEqual([MB, 2 * MB]);
  }, 60_000);

  test('the parent holds an argument\'s file only while its task is not done, and no named file remains', async () => {
    const before = heldFiles().length;
    const future = pool.submit((d: Uint8Array) => {
      const until = Date.now() + 300;
      while (Date.now() < until);
      return d.byteLength;
    }, new Uint8Array(2 * MB));
    expect(heldFiles().length).toBe(before + 1);
    expect(await future.result()).toBe(2 * MB);
    expect(heldFiles().length).toBe(before);
    expect(shmFiles().filter((n) => n.startsWith(`tsfutures-${process.pid}-`))).toEqual([]);
  }, 60_000);

  test('a worker starts with the huge-page heap (glibc tunables) a received buffer lands in', async () => {
    const tunables = await pool.submit(() => process.env.GLIBC_TUNABLES ?? '').result();
    expect(tunables.split(':')).toEqual(expect.arrayContaining(['glibc.malloc.hugetlb=1', 'glibc.malloc.mmap_threshold=33554432']));
  });
});

linux('big payloads leave nothing behind', () => {
  test('a worker killed after writing a result file: the parent removes its files when it sees the worker end', async () => {
    const pool = new ProcessPoolExecutor({ max_workers: 1 });
    try {
      const name = await pool.submit(() => {
        // What a worker's half-sent result leaves: a file named after the parent and the worker.
        const file = `/dev/shm/tsfutures-${process.argv[2]}-w${process.pid}-999999`;
        require('node:fs').writeFileSync(file, 'x');
        setTimeout(() => process.kill(process.pid, 'SIGKILL'), 50);
        return file.slice('/dev/shm/'.length);
      }).result();
      expect(shmFiles()).toContain(name);
      await expect(pool.submit(() => new Promise((r) => setTimeout(r, 5000))).result()).rejects.toThrow(/terminated abruptly/);
      expect(shmFiles()).not.toContain(name);
    } finally {
      await pool.shutdown();
    }
  }, 60_000);

  test('files of a parent that died (killed with its workers) are removed when a pool starts', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const leftover = `tsfutures-${dead.stdout}-w1-0`;
    fs.writeFileSync(`/dev/shm/${leftover}`, 'x');
    // A pool of another process: this one's sweep may already have run for an earlier pool.
    const script = `const { ProcessPoolExecutor } = require(${JSON.stringify(require.resolve('../../../dist/runtime/futures/process.js'))});
      const pool = new ProcessPoolExecutor({ max_workers: 1 });
      pool.submit((x) => x, 1).result().then(() => pool.shutdown());`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    expect(shmFiles()).not.toContain(leftover);
  }, 60_000);

  test('a parent killed while its worker holds a large argument leaves no file', async () => {
    const script = `const { ProcessPoolExecutor } = require(${JSON.stringify(require.resolve('../../../dist/runtime/futures/process.js'))});
      const pool = new ProcessPoolExecutor({ max_workers: 1 });
      pool.submit((d) => { const t = Date.now() + 60000; while (Date.now() < t); return d.length; }, new Uint8Array(4 << 20));
      pool.submit((d) => d.length, new Uint8Array(4 << 20));
      const held = require('node:fs').readdirSync('/proc/self/fd')
        .filter((fd) => { try { return require('node:fs').readlinkSync('/proc/self/fd/' + fd).includes('/dev/shm/tsfutures-'); } catch { return false; } });
      process.stdout.write(process.pid + ' ' + held.length + '\\n');
      setTimeout(() => process.kill(process.pid, 'SIGKILL'), 1500);`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.signal).toBe('SIGKILL');
    const [pid, held] = r.stdout.trim().split(' ');
    expect(held).toBe('2'); // both arguments were in files, held by the parent only
    expect(shmFiles().filter((n) => n.startsWith(`tsfutures-${pid}-`))).toEqual([]);
  }, 60_000);
});

describe('workerEnv: glibc tunables for a process-pool worker', () => {
  const tunables = (env: NodeJS.ProcessEnv) => workerEnv(env).GLIBC_TUNABLES;
  const onLinux = process.platform === 'linux' ? test : test.skip;

  onLinux('added to what the parent has, kernel.json\'s hugetlb included', () => {
    expect(tunables({})).toBe('glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432');
    expect(tunables({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' })).toBe('glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432');
    expect(tunables({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }))
      .toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432');
  });

  onLinux('a value the user set is kept, in GLIBC_TUNABLES or in its MALLOC_ variable', () => {
    expect(tunables({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=131072:glibc.malloc.hugetlb=0' }))
      .toBe('glibc.malloc.mmap_threshold=131072:glibc.malloc.hugetlb=0');
    expect(tunables({ MALLOC_MMAP_THRESHOLD_: '131072' })).toBe('glibc.malloc.hugetlb=1');
    const env = { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=1048576' };
    expect(workerEnv(env)).toBe(env);
  });
});
