/**
 * Data to and from pool workers: SharedArrayBuffers are shared with worker threads and refused (clearly) by
 * process pools; large typed arrays arrive intact both ways; class instances survive map's chunks too.
 */
import { ProcessPoolExecutor } from '../../../runtime/futures/process';
import { InterpreterPoolExecutor } from '../../../runtime/futures/interpreter';
import { PyTypeError } from '../../../runtime/python/errors';
import { Vec, doubled } from './fixture';
import { markShared, readFirst, sumBytes, makeBytes } from './data-fixture';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('InterpreterPoolExecutor', () => {
  const pool = new InterpreterPoolExecutor({ max_workers: 1 });
  afterAll(() => pool.shutdown());

  test('shares a SharedArrayBuffer (and views over it) instead of copying: the worker writes what the caller reads', async () => {
    const sab = new SharedArrayBuffer(8 * 1024 * 1024);
    const view = new Float64Array(sab, 8, 16);
    expect(await pool.submit(markShared, view, 42).result()).toBe(16);
    expect(new Float64Array(sab)[1]).toBe(42);
    expect(await pool.submit(readFirst, sab).result()).toBe(0);
    // Nested in an object, the same buffer again.
    expect(await pool.submit((o: { v: Float64Array }) => o.v[0], { v: view }).result()).toBe(42);
  });

  test('class instances survive map with chunksize', async () => {
    const out = await collect(pool.map(doubled, [new Vec(1, 2), new Vec(3, 4)], { chunksize: 2 }));
    expect(out.every((v) => v instanceof Vec)).toBe(true);
    expect(out.map((v) => v.norm())).toEqual([Math.hypot(2, 4), Math.hypot(6, 8)]);
  });

  test('transfer() moves an ArrayBuffer (or a view\'s buffer) to the worker: the caller\'s is detached', async () => {
    const data = new Uint8Array(1024 * 1024);
    for (let i = 0; i < data.length; i += 4099) data[i] = i % 251;
    const expected = data.reduce((a, b) => a + b, 0);
    expect(await pool.submit(sumBytes, InterpreterPoolExecutor.transfer(data)).result()).toBe(expected);
    expect(data.buffer.byteLength).toBe(0);
    const bare = new ArrayBuffer(64);
    expect(await pool.submit((b: ArrayBuffer) => b.byteLength, InterpreterPoolExecutor.transfer(bare)).result()).toBe(64);
    expect(bare.byteLength).toBe(0);
    // Without transfer(), a copy: the caller keeps its buffer.
    const kept = new Uint8Array(16);
    await pool.submit(sumBytes, kept).result();
    expect(kept.buffer.byteLength).toBe(16);
  });
});

describe('ProcessPoolExecutor', () => {
  const pool = new ProcessPoolExecutor({ max_workers: 1 });
  afterAll(() => pool.shutdown());

  test('refuses a SharedArrayBuffer at submit, naming the argument and the way out', () => {
    const view = new Float64Array(new SharedArrayBuffer(64));
    expect(() => pool.submit(markShared, 1, view)).toThrow(PyTypeError);
    expect(() => pool.submit(markShared, 1, view)).toThrow(
      "cannot send argument 2 of 'markShared' to a worker process: a SharedArrayBuffer cannot be shared with another " +
      'process; use InterpreterPoolExecutor (worker threads share memory), or pass a copy');
  });

  test('4 MB of typed array go and come back intact', async () => {
    const data = new Uint8Array(4 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4099) data[i] = i % 251;
    expect(await pool.submit(sumBytes, data).result()).toBe(data.reduce((a, b) => a + b, 0));
    const back = await pool.submit(makeBytes, 4 * 1024 * 1024).result();
    expect(back).toBeInstanceOf(Uint8Array);
    expect(back.length).toBe(4 * 1024 * 1024);
    expect(back[4099]).toBe(4099 % 251);
  }, 30_000);

  test('class instances survive map with chunksize', async () => {
    const out = await collect(pool.map(doubled, [new Vec(1, 2), new Vec(3, 4)], { chunksize: 2 }));
    expect(out.every((v) => v instanceof Vec)).toBe(true);
  });
});
