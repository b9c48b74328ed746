/**
 * Lifecycle: shutdown (message, restart, SIGTERM) and the parent's death leave no process of ours behind, also with
 * busy process-pool workers and while a cell blocks the main thread; 50 SIGINTs in a row leave the kernel usable.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, FAKE_ENGINE, KernelClient, ROOT, content, freePorts } from '../kernel/helpers/kernel-client';
import { AttachedClient, descendantsOf, figure, size, waitGone } from './helpers';

type C = Record<string, any>;
const RUNTIME = JSON.stringify(path.join(ROOT, 'dist', 'runtime'));

/** Two pool workers spinning forever: a kernel that leaves them behind leaves two busy processes. */
const BUSY_POOL = `var { ProcessPoolExecutor } = require(${RUNTIME});
var pool = new ProcessPoolExecutor({ max_workers: 2 });
var spinning = [pool.submit(function spin() { for (;;) {} }), pool.submit(function spin() { for (;;) {} })];
(async () => { while (pool._worker_ids.length < 2 || !spinning[1].running()) await new Promise((r) => setTimeout(r, 20)); return pool._worker_ids.length; })()`;

/** A synchronous loop that shows it runs: its dots reach iopub although the main thread never yields. */
const BLOCKING_LOOP = '{ let i = 0; while (true) { if (++i % 1e6 === 0) process.stdout.write("."); } }';

async function kernelWithBusyPool(): Promise<{ k: KernelClient; ours: number[] }> {
  const k = await KernelClient.start();
  expect(content((await k.execute(BUSY_POOL)).reply)).toMatchObject({ status: 'ok' });
  const ours = [k.process.pid!, ...descendantsOf(k.process.pid!)];
  expect(ours.length).toBeGreaterThanOrEqual(3);
  return { k, ours };
}

/** A failed test must not leave its kernel and workers spinning. */
function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

async function endsClean(what: string, end: (k: KernelClient) => void): Promise<void> {
  const { k, ours } = await kernelWithBusyPool();
  const t0 = Date.now();
  end(k);
  let timer: NodeJS.Timeout | undefined;
  const exited = await Promise.race([k.exited.then(() => true), new Promise((r) => (timer = setTimeout(r, 10000, false)))]);
  clearTimeout(timer);
  const ms = Date.now() - t0;
  const left = await waitGone(ours, 3000);
  killAll(left);
  await k.close();
  expect(exited).toBe(true);
  figure('lifecycle', `${what}: processes left (ms to exit)`, `${left.length} (${ms} ms)`, '0', left.length === 0);
  expect(left).toEqual([]);
}

test('shutdown_request leaves no process behind (busy pool workers included)', async () => {
  await endsClean('shutdown_request', (k) => k.send('control', 'shutdown_request', { restart: false }));
});

test('shutdown_request with restart leaves no process behind', async () => {
  await endsClean('restart', (k) => k.send('control', 'shutdown_request', { restart: true }));
});

test('SIGTERM leaves no process behind', async () => {
  await endsClean('SIGTERM', (k) => k.process.kill('SIGTERM'));
});

test('shutdown_request while a cell blocks the main thread: the io thread ends everything', async () => {
  const { k, ours } = await kernelWithBusyPool();
  let ms = NaN;
  let left = ours;
  try {
    const loop = k.send('shell', 'execute_request', { code: BLOCKING_LOOP, silent: false });
    await k.waitForIopub(loop, 'stream');
    const t0 = Date.now();
    k.send('control', 'shutdown_request', { restart: false });
    left = await waitGone(ours, 10000);
    ms = Date.now() - t0;
  } finally {
    killAll(left);
    await k.close();
  }
  figure('lifecycle', 'shutdown while blocked: processes left (ms to exit)', `${left.length} (${ms} ms)`, '0', left.length === 0);
  expect(left).toEqual([]);
});

describe('the parent dies', () => {
  for (const blocked of [false, true]) {
    test(`the kernel exits${blocked ? ' while a cell runs while(true)' : ''}, and so do its pool workers`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-reliability-'));
      const [shell_port, control_port, stdin_port, iopub_port, hb_port] = await freePorts(5);
      const connection = { transport: 'tcp', ip: '127.0.0.1', key: 'k', signature_scheme: 'hmac-sha256', shell_port, control_port, stdin_port, iopub_port, hb_port };
      const file = path.join(dir, 'connection.json');
      writeFileSync(file, JSON.stringify(connection));
      // The middle process plays Jupyter: it starts the kernel, reports its pid, and is then SIGKILLed.
      const starter = `const c = require('child_process').spawn(process.execPath, [${JSON.stringify(BIN)}, 'kernel', '-f', ${JSON.stringify(file)}], { stdio: 'ignore', env: { ...process.env, TSFUTURES_ENGINE: ${JSON.stringify(FAKE_ENGINE)}, JUPYTER_DATA_DIR: ${JSON.stringify(dir)} } }); console.log(c.pid); setInterval(() => {}, 1000);`;
      const middle = spawn(process.execPath, ['-e', starter], { stdio: ['ignore', 'pipe', 'inherit'] });
      const kernelPid = await new Promise<number>((resolve) => middle.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
      const client = new AttachedClient(connection);
      try {
        for (let up = false; !up; ) up = await client.reply(client.send('kernel_info_request', {}), 1000).then(() => true, () => false);
        await client.reply(client.send('execute_request', { code: BUSY_POOL, silent: false }));
        const ours = [kernelPid, ...descendantsOf(kernelPid)];
        expect(ours.length).toBeGreaterThanOrEqual(3);
        if (blocked) {
          const loop = client.send('execute_request', { code: BLOCKING_LOOP, silent: false });
          for (let i = 0; i < 400 && !client.iopub.some((m) => m.header.msg_type === 'stream' && (m.parent_header as C).msg_id === loop); i++) {
            await new Promise((r) => setTimeout(r, 25));
          }
        }
        const t0 = Date.now();
        middle.kill('SIGKILL');
        const left = await waitGone(ours, 15000);
        const ms = Date.now() - t0;
        for (const pid of left) process.kill(pid, 'SIGKILL');
        figure('lifecycle', `parent killed${blocked ? ' (cell blocked)' : ''}: ms to exit, processes left`, `${ms} ms, ${left.length}`, '0 left', left.length === 0);
        expect(left).toEqual([]);
      } finally {
        client.close();
        if (middle.exitCode === null && middle.signalCode === null) middle.kill('SIGKILL');
      }
    }, 40000);
  }
});

test.each(['SIGINT', 'interrupt_request'] as const)('%s landing at any moment of short cells never ends the kernel', async (how) => {
  // Node's breakOnSigint leaves gaps around each run where SIGINT kills the process (kernel/process/interrupt-gate.ts): an
  // interrupt that lands as a cell starts or ends must still only ever stop that cell.
  const k = await KernelClient.start();
  try {
    await k.execute('var kept = 7');
    const rounds = size(200, 2000);
    const statuses: Record<string, number> = {};
    for (let i = 0; i < rounds; i++) {
      const id = k.send('shell', 'execute_request', { code: '{ let s = 0; for (let i = 0; i < 1e5; i++) s += i; s }', silent: false });
      await new Promise((r) => setTimeout(r, i % 4));
      if (how === 'SIGINT') k.process.kill('SIGINT');
      else k.send('control', 'interrupt_request', {});
      const reply = content(await k.reply(id));
      const status = reply.status === 'error' ? reply.ename : reply.status;
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
    expect(k.process.exitCode).toBeNull();
    expect(Object.keys(statuses).sort()).toEqual(['KeyboardInterrupt', 'ok']);
    expect(content((await k.execute('kept + 1')).reply).status).toBe('ok');
    expect(await k.heartbeat()).toBe(true);
    figure('lifecycle', `${rounds} ${how}s at random moments: kernel alive`, `${statuses.KeyboardInterrupt} interrupted, ${statuses.ok} finished`, 'alive', true);
  } finally {
    await k.close();
  }
}, 120_000);

test('50 SIGINTs during a busy loop leave the kernel usable', async () => {
  const k = await KernelClient.start();
  try {
    await k.execute('var kept = 7');
    const loop = k.send('shell', 'execute_request', { code: BLOCKING_LOOP, silent: false });
    await k.waitForIopub(loop, 'stream');
    for (let i = 0; i < 50; i++) {
      k.process.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(content(await k.reply(loop))).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    // Let every signal land, then the kernel must run cells normally again.
    await new Promise((r) => setTimeout(r, 200));
    const after: string[] = [];
    for (let i = 0; i < 5; i++) after.push(String(content((await k.execute(`kept + ${i}`)).reply).status));
    expect(after).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(await k.heartbeat()).toBe(true);
    figure('lifecycle', '50 SIGINTs in a busy loop: later cells ok', `${after.filter((s) => s === 'ok').length}/5`, '5/5', true);
  } finally {
    await k.close();
  }
});

test.each(['SIGINT', 'interrupt_request'] as const)('%s sent between two cells never reaches the next one', async (how) => {
  const k = await KernelClient.start();
  try {
    const statuses: Record<string, number> = {};
    for (let i = 0; i < 20; i++) {
      expect(content((await k.execute('var between = 1')).reply).status).toBe('ok');
      if (how === 'interrupt_request') {
        await k.reply(k.send('control', 'interrupt_request', {}), 'control');
      } else {
        k.process.kill('SIGINT');
        // Node's watchdog thread takes the signal, and a loaded machine may schedule it a few ms late: sent this
        // close to the next cell, it would be that cell's interrupt (as a SIGINT sent just after it started).
        await new Promise((r) => setTimeout(r, 50));
      }
      // Long enough (and not inert) to be watched: a late interrupt would stop it.
      const reply = content((await k.execute('{ const end = Date.now() + 50; while (Date.now() < end) {} between }')).reply);
      const status = reply.status === 'error' ? reply.ename : reply.status;
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
    figure('lifecycle', `20 ${how}s between cells: next cells ok`, `${statuses.ok ?? 0}/20`, '20/20', statuses.ok === 20);
    expect(statuses).toEqual({ ok: 20 });
  } finally {
    await k.close();
  }
}, 120_000);

test('a SIGKILLed kernel (the OOM killer) leaves no pool worker, spinning or sleeping, after 2 s', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-reliability-'));
  const started = path.join(dir, 'started');
  const k = await KernelClient.start();
  let workers: number[] = [];
  try {
    // Each task marks a file as it starts: the workers are really inside their tasks when the kernel dies.
    const code = `var { ProcessPoolExecutor } = require(${RUNTIME});
var pool = new ProcessPoolExecutor({ max_workers: 2 });
var tasks = [
  pool.submit(function spin(file) { require('fs').appendFileSync(file, 's'); for (;;) {} }, ${JSON.stringify(started)}),
  pool.submit(async function nap(file) { require('fs').appendFileSync(file, 'n'); await new Promise((r) => setTimeout(r, 100000)); }, ${JSON.stringify(started)}),
];
pool._worker_ids.length`;
    expect(content((await k.execute(code)).reply)).toMatchObject({ status: 'ok' });
    for (let i = 0; i < 800 && (!existsSync(started) || readFileSync(started, 'utf8').length < 2); i++) await new Promise((r) => setTimeout(r, 25));
    expect(readFileSync(started, 'utf8').split('').sort().join('')).toBe('ns');
    workers = descendantsOf(k.process.pid!);
    expect(workers.length).toBe(2);
    const t0 = Date.now();
    k.process.kill('SIGKILL');
    const left = await waitGone(workers, 2000);
    const ms = Date.now() - t0;
    figure('lifecycle', 'kernel SIGKILLed, 1 worker spinning + 1 sleeping: processes left after 2 s (ms)', `${left.length} (${ms} ms)`, '0', left.length === 0);
    expect(left).toEqual([]);
  } finally {
    killAll(workers);
    await k.close();
  }
});
