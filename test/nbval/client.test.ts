/** The kernel client against a real kernel: Debian's ipykernel (python3). */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CellTimeoutError, type KernelClient } from '../../nbval/client/client';
import { builtinTsfuturesSpec, findKernelSpecs, getKernelSpec, kernelSpecDirs, NoSuchKernel } from '../../nbval/client/kernelspecs';
import { KernelManager } from '../../nbval/client/manager';
import { kernelV8Flags } from '../../kernel/process/launcher';
import type { OutputEvent } from '../../nbval/client/outputs';
import { alive, ROOT } from './helpers';

describe('kernelspecs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kernelspecs-'));
    mkdirSync(path.join(dir, 'kernels', 'Python3'), { recursive: true });
    writeFileSync(path.join(dir, 'kernels', 'Python3', 'kernel.json'), JSON.stringify({ argv: ['my-python', '-f', '{connection_file}'], display_name: 'Mine', language: 'python' }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('JUPYTER_PATH comes first, names are case-insensitive, system dirs are searched', () => {
    const env = { ...process.env, JUPYTER_PATH: dir };
    expect(kernelSpecDirs(env)[0]).toBe(path.join(dir, 'kernels'));
    expect(kernelSpecDirs(env)).toEqual(expect.arrayContaining(['/usr/share/jupyter/kernels', '/usr/local/share/jupyter/kernels']));
    expect(getKernelSpec('python3', env).argv[0]).toBe('my-python');
    expect(findKernelSpecs({ ...process.env, JUPYTER_PATH: '' }).get('python3')).toBe('/usr/share/jupyter/kernels/python3');
  });

  test('tsfutures works without Jupyter: the built-in spec runs this checkout', () => {
    const env = { HOME: dir, JUPYTER_PATH: '', JUPYTER_DATA_DIR: path.join(dir, 'none') };
    const spec = getKernelSpec('tsfutures', { ...env });
    if (spec.resourceDir === null) expect(spec).toEqual(builtinTsfuturesSpec());
    // The installed kernel's V8 flags, the ordinary start (no snapshot).
    expect(builtinTsfuturesSpec().argv.slice(1)).toEqual([...kernelV8Flags(ROOT), path.join(ROOT, 'bin', 'tsfutures.js'), 'kernel', '-f', '{connection_file}']);
    expect(kernelV8Flags(ROOT)).toContain('--max-semi-space-size=2');
    expect(kernelV8Flags(ROOT)).toContain('--interrupt-budget=270336'); // once-a-cell functions stay out of TurboFan
    expect(builtinTsfuturesSpec().env).toEqual({ MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432' });
    expect(() => getKernelSpec('no-such-kernel-xyz', env)).toThrow(NoSuchKernel);
  });
});

describe('KernelManager + KernelClient on ipykernel', () => {
  let manager: KernelManager;
  let client: KernelClient;
  beforeAll(async () => {
    manager = new KernelManager(getKernelSpec('python3'));
    client = await manager.start();
  });
  afterAll(async () => {
    await manager.shutdown();
  });

  test('kernel_info was answered and the heartbeat echoes', async () => {
    expect(manager.kernelInfo).toMatchObject({ status: 'ok', language_info: { name: 'python' } });
    expect(await client.isAlive()).toBe(true);
  });

  test('execute collects streams, results and errors of that request, live and in the end', async () => {
    const events: OutputEvent[] = [];
    const r = await client.execute('print("a")\nprint("b")\n6 * 7', { onOutput: (e) => events.push(e) });
    expect(r.reply.status).toBe('ok');
    expect(r.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'a\nb\n' },
      { output_type: 'execute_result', data: { 'text/plain': '42' }, metadata: {}, execution_count: r.executionCount },
    ]);
    expect(events.length).toBeGreaterThanOrEqual(2);
    const e = await client.execute('1/0');
    expect(e.reply.status).toBe('error');
    expect(e.outputs).toMatchObject([{ output_type: 'error', ename: 'ZeroDivisionError', evalue: 'division by zero' }]);
  });

  test('display updates and clear_output(wait=True) as nbclient applies them', async () => {
    const r = await client.execute(
      'from IPython.display import display, clear_output\nh = display("one", display_id=True)\nh.update("two")\nprint("x")\nclear_output(wait=True)\nprint("y")',
    );
    expect(r.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'y\n' }]);
    const u = await client.execute('h2 = display("one", display_id=True)\nh2.update("two")');
    expect(u.outputs).toEqual([{ output_type: 'display_data', data: { 'text/plain': "'two'" }, metadata: {} }]);
  });

  test('a timeout interrupts the kernel (SIGINT) and the kernel goes on', async () => {
    const err = await client.execute('import time\nprint("started", flush=True)\ntime.sleep(60)', { timeout: 2, onTimeout: () => manager.interrupt() }).catch((e) => e);
    expect(err).toBeInstanceOf(CellTimeoutError);
    expect(err.outputs).toEqual(expect.arrayContaining([expect.objectContaining({ output_type: 'error', ename: 'KeyboardInterrupt' })]));
    const r = await client.execute('print("after")');
    expect(r.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'after\n' }]);
  });

  test('restart gives a fresh kernel; shutdown leaves no process behind', async () => {
    await client.execute('x = 5');
    const before = manager.pid!;
    client = await manager.restart();
    expect(manager.pid).not.toBe(before);
    expect(alive(before)).toBe(false);
    const r = await client.execute('print("x" in globals())');
    expect(r.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: 'False\n' }]);
    const pid = manager.pid!;
    await manager.shutdown();
    expect(alive(pid)).toBe(false);
    client = await manager.start(); // for afterAll
  });
});

describe('KernelManager failures', () => {
  test('a kernel that exits at start-up is reported with its stderr', async () => {
    const spec = { ...getKernelSpec('python3'), argv: ['/usr/bin/python3', '-c', 'import sys; sys.stderr.write("no luck\\n"); sys.exit(3)'] };
    const manager = new KernelManager(spec, { startTimeout: 20 });
    await expect(manager.start()).rejects.toThrow(/exited with code 3 during start-up:\s+no luck/);
  });
});
