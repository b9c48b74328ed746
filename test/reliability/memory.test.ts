/**
 * A cell that allocates until memory runs short: the io thread's memory guard interrupts it with MemoryError before
 * V8's fatal out-of-memory, and the kernel, its earlier names and the memory the cell held are all still usable.
 */
import { content, result } from '../kernel/helpers/kernel-client';
import { sharedRealKernel } from './helpers';

const kernel = sharedRealKernel();

test('allocating without end is a MemoryError in that cell, and the kernel lives on', async () => {
  expect(content((await kernel.client.execute('const before = "kept";')).reply).status).toBe('ok');
  // In a block, so that what the cell allocated is garbage once it is stopped.
  const { reply, iopub } = await kernel.client.execute(`{
  const hog: number[][] = [];
  while (true) hog.push(new Array(1 << 20).fill(1.5));
}`);
  expect(content(reply)).toMatchObject({ status: 'error', ename: 'MemoryError' });
  expect(content(reply).evalue).toContain('memory');
  const error = iopub.find((m) => m.header.msg_type === 'error');
  expect(content(error!).ename).toBe('MemoryError');
  expect(kernel.client.process.exitCode).toBeNull();
  // The cell's array is garbage now: the kernel can allocate a lot again (2 GiB of doubles) and keeps its names.
  const again = await kernel.client.execute('{ const big: number[][] = []; for (let i = 0; i < 256; i++) big.push(new Array(1 << 20).fill(2)); big.length + before.length; }');
  expect(content(again.reply).status).toBe('ok');
  expect(result((await kernel.client.execute('before')).iopub)).toBe("'kept'");
}, 120000);
