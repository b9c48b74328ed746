/**
 * Faults inside cells, real TypeScript engine: a pool worker killed mid-task, errors escaping to timers and promises,
 * process.exit(), impossible allocations. Each ends as an error shown in the cell that caused it; the kernel lives on.
 */
import { KernelClient, content, result } from '../kernel/helpers/kernel-client';
import { descendantsOf, figure, sharedRealKernel } from './helpers';

type C = Record<string, any>;

const kernel = sharedRealKernel();

async function alive(): Promise<void> {
  expect(kernel.client.process.exitCode).toBeNull();
  expect(result((await kernel.client.execute('40 + 2')).iopub)).toBe('42');
}

test('a process-pool worker killed with SIGKILL mid-task: BrokenProcessPool on its futures, a new pool works', async () => {
  const setup = await kernel.client.execute(`
import { ProcessPoolExecutor, BrokenProcessPool } from 'tsfutures';
function spin(ms: number): number { const end = Date.now() + ms; while (Date.now() < end) {} return ms; }
const pool = new ProcessPoolExecutor({ max_workers: 2 });
const doomed = [pool.submit(spin, 30000), pool.submit(spin, 30000), pool.submit(spin, 30000)];
while (!doomed[0].running() || pool._worker_ids.length < 2) await new Promise((r) => setTimeout(r, 20));
pool._worker_ids.length`);
  expect(content(setup.reply)).toMatchObject({ status: 'ok' });
  const workers = descendantsOf(kernel.client.process.pid!);
  expect(workers.length).toBeGreaterThanOrEqual(2);
  const killed = await kernel.client.execute(`
process.kill(pool._worker_ids[0], 'SIGKILL');
const outcomes: string[] = [];
for (const f of doomed) outcomes.push(await f.result().then(() => 'ok', (e: Error) => e.constructor.name));
outcomes.join(',')`);
  expect(content(killed.reply)).toMatchObject({ status: 'ok' });
  expect(result(killed.iopub)).toBe("'BrokenProcessPool,BrokenProcessPool,BrokenProcessPool'");
  const fresh = await kernel.client.execute(`
const pool2 = new ProcessPoolExecutor({ max_workers: 1 });
const r = await pool2.submit(spin, 256).result();
await pool2.shutdown();
r`);
  expect(content(fresh.reply)).toMatchObject({ status: "ok" });
  expect(result(fresh.iopub)).toBe("256");
  // The broken pool's surviving worker is ended too, not left spinning. What may remain is the one warm spare
  // (runtime/futures/spare-worker.ts), started once pool2's worker went idle: never one of the broken pool's.
  const after = descendantsOf(kernel.client.process.pid!);
  const left = after.filter((pid) => workers.includes(pid));
  figure('faults', 'pool worker SIGKILLed -> futures', 'BrokenProcessPool x3', 'BrokenProcessPool', true);
  figure('faults', 'broken pool processes left after break + new pool', left.length, '0', left.length === 0);
  expect(left).toEqual([]);
  expect(after.length).toBeLessThanOrEqual(1);
  await alive();
});

test('an uncaught exception from a timer and an unhandled rejection show in the cell that started them', async () => {
  const early = await kernel.client.execute(`
setTimeout(() => { throw new Error('timer boom'); }, 10);
Promise.reject(new Error('lost promise'));
await new Promise((r) => setTimeout(r, 100));
'still here'`);
  const stderr = KernelClient.streamText(early.iopub, 'stderr');
  expect(stderr).toMatch(/Uncaught Error: timer boom/);
  expect(stderr).toMatch(/Unhandled rejection: Error: lost promise/);
  expect(result(early.iopub)).toBe("'still here'");
  // Late: the cell has finished and another one runs when they fire; they still belong to the first cell.
  const late = await kernel.client.execute(`
setTimeout(() => { throw new Error('late timer'); }, 150);
setTimeout(() => { Promise.reject(new Error('late promise')); }, 150);
1`);
  const other = await kernel.client.execute('await new Promise((r) => setTimeout(r, 400)); 2');
  const lateText = KernelClient.streamText(kernel.client.iopubLog.filter((m) => (m.parent_header as C).msg_id === late.msgId), 'stderr');
  expect(lateText).toMatch(/late timer/);
  expect(lateText).toMatch(/late promise/);
  expect(KernelClient.streamText(other.iopub, 'stderr')).toBe('');
  figure('faults', 'timer throw / unhandled rejection', 'stderr of its own cell', 'own cell', true);
  await alive();
});

test('process.exit() in a cell is refused with SystemExit; the kernel keeps its state', async () => {
  await kernel.client.execute('const keep = "kept"');
  const exit = await kernel.client.execute('process.exit(3)');
  expect(content(exit.reply)).toMatchObject({ status: 'error', ename: 'SystemExit' });
  expect(content(exit.reply).evalue).toMatch(/process\.exit\(3\) was refused/);
  const abort = await kernel.client.execute('process.abort()');
  expect(content(abort.reply)).toMatchObject({ status: 'error', ename: 'SystemExit' });
  // From a timer: the refusal is an uncaught error shown in that cell.
  const timer = await kernel.client.execute('setTimeout(() => process.exit(0), 10); await new Promise((r) => setTimeout(r, 100)); keep');
  expect(KernelClient.streamText(timer.iopub, 'stderr')).toMatch(/SystemExit: process\.exit\(0\) was refused/);
  expect(result(timer.iopub)).toBe("'kept'");
  figure('faults', 'process.exit() in a cell', 'SystemExit, kernel alive', 'refused', true);
  await alive();
});

test('a SIGINT listener in a cell is refused, and SIGINT still interrupts a loop', async () => {
  const k = kernel.client;
  const listen = await k.execute("(process as any).on('SIGINT', () => console.log('mine'))");
  expect(content(listen.reply)).toMatchObject({ status: 'error' });
  expect(content(listen.reply).evalue).toMatch(/SIGINT listener was refused/);
  expect(result((await k.execute("(process as any).listenerCount('SIGINT')")).iopub)).toBe('0');
  const loop = k.send('shell', 'execute_request', { code: 'print("looping");\nwhile (true) {}', silent: false });
  await k.waitForIopub(loop, 'stream');
  k.process.kill('SIGINT');
  expect(content(await k.reply(loop))).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
  figure('faults', "process.on('SIGINT') in a cell", 'refused, interrupts work', 'refused', true);
  await alive();
});

test('allocations the engine cannot satisfy are errors in the cell (RangeError), not a dead kernel', async () => {
  const cases = ['new Array(2 ** 32)', '"x".repeat(2 ** 30)', 'new ArrayBuffer(2 ** 53)', 'Buffer.alloc(2 ** 53)', 'new Uint8Array(2 ** 53)'];
  for (const code of cases) {
    const r = await kernel.client.execute(code);
    expect(content(r.reply)).toMatchObject({ status: 'error', ename: 'RangeError' });
  }
  figure('faults', 'impossible allocations -> RangeError in cell', `${cases.length}/${cases.length}`, 'all', true);
  await alive();
});
