/** Heartbeat while busy, interrupts (signal and interrupt_request), shutdown: a real kernel process, fake engine. */
import { KernelClient, content } from './helpers/kernel-client';
import { isAlive } from '../../kernel/process/children';

type C = Record<string, any>;

describe('a kernel busy in a synchronous loop', () => {
  let k: KernelClient;
  beforeAll(async () => {
    k = await KernelClient.start();
  });
  afterAll(async () => {
    await k?.close();
  });

  const startLoop = async () => {
    const id = k.send('shell', 'execute_request', { code: 'while (true) {}', silent: false });
    // execute_input is published right before the engine runs the cell.
    await k.waitForIopub(id, 'execute_input');
    return id;
  };

  test('answers heartbeats, and interrupt_request on control ends the loop with KeyboardInterrupt', async () => {
    await k.execute('var kept = 42');
    const id = await startLoop();
    expect(await k.heartbeat()).toBe(true);
    let replied = false;
    void k.reply(id).then(() => (replied = true));
    expect(replied).toBe(false);
    const interrupt = k.send('control', 'interrupt_request', {});
    expect(content(await k.reply(interrupt, 'control'))).toEqual({ status: 'ok' });
    expect(content(await k.reply(id))).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    expect((await k.iopubFor(id)).some((m) => m.header.msg_type === 'error')).toBe(true);
    // Answered by the io thread, its busy/idle published by the main thread (which owns iopub) once the loop ended:
    // iopubFor waits for the idle and returns the rest.
    const states = (await k.iopubFor(interrupt)).filter((m) => m.header.msg_type === 'status').map((m) => content(m).execution_state);
    expect(states).toEqual(['busy']);
    const after = await k.execute('kept');
    expect(content(after.iopub.find((m) => m.header.msg_type === 'execute_result')!).data['text/plain']).toBe('42');
  });

  test('SIGINT ends a synchronous loop', async () => {
    // A signal that lands before the loop's code starts cannot be seen by vm's breakOnSigint, so the loop shows it
    // is running: its dots reach iopub even though the main thread never returns to the event loop.
    const id = k.send('shell', 'execute_request', { code: 'let i = 0; while (true) { if (++i % 1e6 === 0) process.stdout.write("."); }', silent: false });
    await k.waitForIopub(id, 'stream');
    k.process.kill('SIGINT');
    expect(content(await k.reply(id))).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
  });

  test('SIGINT and interrupt_request end a cell awaiting forever', async () => {
    for (const how of ['signal', 'message'] as const) {
      // The cell prints once its synchronous part is over, so the signal finds it awaiting.
      const id = k.send('shell', 'execute_request', { code: 'Promise.resolve().then(() => console.log("waiting")); new Promise(() => {})', silent: false });
      await k.waitForIopub(id, 'stream');
      if (how === 'signal') k.process.kill('SIGINT');
      else k.send('control', 'interrupt_request', {});
      expect([how, content(await k.reply(id))]).toMatchObject([how, { status: 'error', ename: 'KeyboardInterrupt' }]);
    }
    expect(content((await k.execute('kept + 1')).reply).status).toBe('ok');
  });

  test('SIGINT while idle does not end the kernel', async () => {
    k.process.kill('SIGINT');
    expect(content((await k.execute('1')).reply).status).toBe('ok');
  });
});

describe('shutdown', () => {
  for (const restart of [false, true]) {
    test(`shutdown_request (restart=${restart}) replies, ends child processes and exits 0`, async () => {
      const k = await KernelClient.start();
      try {
        const { iopub } = await k.execute('require("node:child_process").spawn("sleep", ["1000"], { stdio: "ignore" }).pid');
        const pid = Number(content(iopub.find((m) => m.header.msg_type === 'execute_result')!).data['text/plain']);
        expect(isAlive(pid)).toBe(true);
        const id = k.send(restart ? 'control' : 'shell', 'shutdown_request', { restart });
        expect(content(await k.reply(id, restart ? 'control' : 'shell'))).toEqual({ status: 'ok', restart });
        expect(await k.exited).toBe(0);
        // The child was SIGTERMed before the kernel exited; it may linger as a zombie of init only very briefly.
        await k.waitFor(() => (isAlive(pid) ? undefined : true), 'child gone', 5000).catch(() => undefined);
        expect(isAlive(pid)).toBe(false);
        expect(k.iopubLog.some((m) => m.header.msg_type === 'shutdown_reply')).toBe(true);
      } finally {
        await k.close();
      }
    });
  }

  test('SIGTERM exits cleanly', async () => {
    const k = await KernelClient.start();
    k.process.kill('SIGTERM');
    expect(await k.exited).toBe(0);
    await k.close();
  });
});
