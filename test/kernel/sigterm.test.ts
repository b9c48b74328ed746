/**
 * SIGTERM ends the kernel cleanly (exit 0, sockets closed, children ended) at any moment once the kernel's own code
 * runs: during the start-up, right after its first reply, while a cell awaits, during a shutdown. A real kernel
 * process with the fake engine. (In node's own boot, the first ~0.1 s after exec, no listener can exist yet.)
 *
 * SIGTERM_LOOP_N=420 npx jest test/kernel/sigterm.test.ts -t 'right after' repeats the start-and-kill loop longer
 * (docs/reliability.md).
 */
import { KernelClient, content } from './helpers/kernel-client';
import { isAlive } from '../../kernel/process/children';

/** Resolves once the kernel has written `text` to its stderr (with TSFUTURES_TRACE_STARTUP: its start-up steps). */
function stderrShows(k: KernelClient, text: string): Promise<void> {
  return new Promise((resolve) => {
    const check = () => k.stderr.includes(text) && resolve();
    k.process.stderr!.on('data', check);
    check();
  });
}

/** How the process ended, for one readable assertion: 'exit 0', 'exit 1', 'signal SIGTERM'. */
async function ending(k: KernelClient): Promise<string> {
  await k.exited;
  return k.process.signalCode ? `signal ${k.process.signalCode}` : `exit ${k.process.exitCode}`;
}

/** The kernel's stderr without its start-up trace lines: what it logged besides. */
const logged = (k: KernelClient) => k.stderr.split('\n').filter((line) => line && !line.startsWith('[tsfutures info] startup ')).join('\n');

// The trace lines of the start-up, in order (startup-trace.ts): the main thread's modules loaded (before the
// sockets are bound and requests answered), the sockets bound, and the io thread's start and bind, which come after.
const MOMENTS = ['startup kernel modules loaded', 'startup sockets bound ', 'startup io thread: running', 'startup io thread: sockets bound'];

test('SIGTERM at each traced step of the start-up ends the kernel cleanly', async () => {
  for (const moment of MOMENTS) {
    const k = await KernelClient.start({ waitReady: false, env: { TSFUTURES_TRACE_STARTUP: '1' } });
    try {
      await stderrShows(k, moment);
      k.process.kill('SIGTERM');
      expect([moment, await ending(k), logged(k)]).toEqual([moment, 'exit 0', '']);
    } finally {
      await k.close();
    }
  }
});

test('SIGTERM right after the first kernel_info reply ends the kernel cleanly, every time', async () => {
  const n = Number(process.env.SIGTERM_LOOP_N) || 40;
  const endings = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = await KernelClient.start();
    k.process.kill('SIGTERM');
    const how = await ending(k);
    endings.set(how, (endings.get(how) ?? 0) + 1);
    if (how !== 'exit 0') process.stderr.write(`start ${i}: ${how}; kernel stderr:\n${k.stderr}\n`);
    await k.close();
  }
  expect(Object.fromEntries(endings)).toEqual({ 'exit 0': n });
}, 240_000);

test('SIGTERM while a cell awaits ends the kernel and the children it started', async () => {
  const k = await KernelClient.start();
  try {
    const { iopub } = await k.execute('require("node:child_process").spawn("sleep", ["1000"], { stdio: "ignore" }).pid');
    const pid = Number(content(iopub.find((m) => m.header.msg_type === 'execute_result')!).data['text/plain']);
    const id = k.send('shell', 'execute_request', { code: 'Promise.resolve().then(() => console.log("waiting")); new Promise(() => {})', silent: false });
    await k.waitForIopub(id, 'stream');
    k.process.kill('SIGTERM');
    expect(await ending(k)).toBe('exit 0');
    await k.waitFor(() => (isAlive(pid) ? undefined : true), 'child gone', 5000).catch(() => undefined);
    expect(isAlive(pid)).toBe(false);
  } finally {
    await k.close();
  }
});

test('SIGTERM during a shutdown, and a second SIGTERM, change nothing: exit 0', async () => {
  for (const during of ['shutdown_request', 'SIGTERM']) {
    const k = await KernelClient.start();
    try {
      if (during === 'shutdown_request') await k.reply(k.send('control', 'shutdown_request', { restart: false }), 'control');
      else k.process.kill('SIGTERM');
      k.process.kill('SIGTERM');
      expect([during, await ending(k)]).toEqual([during, 'exit 0']);
    } finally {
      await k.close();
    }
  }
});
