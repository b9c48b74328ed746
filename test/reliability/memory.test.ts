/**
 * A cell that allocates until memory runs short: the io thread's memory guard interrupts it with MemoryError before
 * V8's fatal out-of-memory, and the kernel, its earlier names and the memory the cell held are all still usable.
 * Only the cell's own growth stops it: memory that earlier cells keep does not fail the cells after them.
 */
import { KernelClient, content, result } from '../kernel/helpers/kernel-client';
import { figure, sharedRealKernel } from './helpers';

const kernel = sharedRealKernel();

test('allocating without end is a MemoryError in that cell, and the kernel lives on', async () => {
  expect(content((await kernel.client.execute('const before = "kept";')).reply).status).toBe('ok');
  // In a block, so that what the cell allocated is garbage once it is stopped. Filling a 4 GiB heap took 23-67 s on
  // a loaded 2-core machine: longer than execute()'s 20 s wait for the reply.
  const id = kernel.client.send('shell', 'execute_request', { code: `{
  const hog: number[][] = [];
  while (true) hog.push(new Array(1 << 20).fill(1.5));
}`, silent: false });
  const reply = await kernel.client.reply(id, 'shell', 110000);
  const iopub = await kernel.client.iopubFor(id, 10000);
  expect(content(reply)).toMatchObject({ status: 'error', ename: 'MemoryError' });
  expect(content(reply).evalue).toContain('memory');
  const error = iopub.find((m) => m.header.msg_type === 'error');
  expect(content(error!).ename).toBe('MemoryError');
  expect(kernel.client.process.exitCode).toBeNull();
  // The cell's array is garbage now: the kernel can allocate a lot again (2 GiB of doubles) and keeps its names.
  const againId = kernel.client.send('shell', 'execute_request', { code: '{ const big: number[][] = []; for (let i = 0; i < 256; i++) big.push(new Array(1 << 20).fill(2)); big.length + before.length; }', silent: false });
  expect(content(await kernel.client.reply(againId, 'shell', 110000)).status).toBe('ok');
  expect(result((await kernel.client.execute('before')).iopub)).toBe("'kept'");
}, 300000);

describe('after a MemoryError whose data a global keeps, as CPython keeps it', () => {
  // A smaller heap than the default (4 GiB on a 24 GB machine) fills in seconds, not a minute; the guard's limits
  // scale with the heap limit.
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start({ engine: 'real', env: { NODE_OPTIONS: '--max-old-space-size=768' } });
  }, 60000);
  afterAll(async () => {
    await k?.close();
  });
  const run = async (code: string) => {
    const id = k.send('shell', 'execute_request', { code, silent: false, stop_on_error: false });
    const reply = content(await k.reply(id, 'shell', 120000));
    await k.iopubFor(id, 120000);
    return reply.status === 'ok' ? 'ok' : `${reply.ename}: ${reply.evalue}`;
  };

  test('cells that allocate little all run, however much is kept; the message names the global; freeing it works', async () => {
    const stopped = await run('const hog: number[][] = []; while (true) hog.push(new Array(1e6).fill(1.5));');
    expect(stopped).toMatch(/^MemoryError: /);
    expect(stopped).toMatch(/largest globals: hog \(~\d+ MiB\)/);
    expect(stopped).toContain('`hog.length = 0`');
    expect(result((await k.execute('hog.length > 10')).iopub)).toBe('True'); // the data is still there
    const trivial: string[] = [];
    for (let i = 0; i < 10; i++) trivial.push(await run('print(0)'));
    const small: string[] = [];
    for (let i = 0; i < 10; i++) small.push(await run('{ const a = new Array(1000).fill(7); a.length }'));
    const ok10 = Array(10).fill('ok');
    figure('memory', '10 print(0) after a MemoryError, data kept', `${trivial.filter((s) => s === 'ok').length}/10 ok`, '10/10', trivial.every((s) => s === 'ok'));
    expect(trivial).toEqual(ok10);
    expect(small).toEqual(ok10);
    expect(await run('hog.length = 0')).toBe('ok');
    expect(await run('print(1)')).toBe('ok');
    // Freed: the kernel can fill most of the heap again within one cell.
    expect(await run('{ const big: number[][] = []; for (let i = 0; i < 40; i++) big.push(new Array(1e6).fill(2)); big.length }')).toBe('ok');
  }, 300000);
});
