/**
 * The path JupyterLab takes, minus the UI: @jupyterlab/services 7 (the client library inside JupyterLab) against a real
 * jupyter-server 1.23 that launches our kernel from an installed kernelspec. Lists the spec, opens a session on the
 * lecture notebook, runs every lecture cell over the kernel websocket and compares with the notebook's saved outputs,
 * then interrupts a busy cell, restarts and shuts down through the REST API.
 */
import * as path from 'node:path';
import WebSocket from 'ws';
import { KernelManager, KernelSpecManager, ServerConnection, SessionManager, type Kernel, type Session } from '@jupyterlab/services';
import type { ICodeCell } from '@jupyterlab/nbformat';
import { OutputCollector, type NbOutput } from '../../nbval/client/outputs';
import { cellOptions } from '../../nbval/markers';
import { isCodeCell, joinLines, loadNotebook } from '../../nbval/notebook';
import { createSanitizer } from '../../nbval/sanitize';
import { normaliseLine } from '../lecture/compare';
import { outputLines } from '../lecture/outputs-text';
import { kernelProcesses, REPO, startJupyter, type JupyterServer } from './servers';

const LECTURE = 'notebooks/lecture.ipynb';
const cells = loadNotebook(path.join(REPO, LECTURE)).notebook.cells.filter(isCodeCell);
// The notebook's own nbval rules (elapsed times, the measured speed-up); normaliseLine masks 0x… addresses.
const sanitizer = createSanitizer({ files: [path.join(REPO, 'notebooks', 'lecture.sanitize.cfg')], addresses: false });

/** Printed lines with run-to-run noise removed: addresses, elapsed times, and the (hash/completion) order of future sets. */
function comparableLines(outputs: readonly NbOutput[] | ICodeCell['outputs']): string[] {
  return outputLines((outputs ?? []) as Parameters<typeof outputLines>[0]).map((line) => normaliseLine(sanitizer.apply(line)));
}

interface Ran {
  reply: Record<string, any>;
  outputs: NbOutput[];
}

/** Runs one cell the way JupyterLab does and gathers its iopub outputs as nbformat outputs. */
async function execute(kernel: Kernel.IKernelConnection, code: string, onBusy?: () => void): Promise<Ran> {
  const collector = new OutputCollector();
  const future = kernel.requestExecute({ code, stop_on_error: true });
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'status' && (msg.content as { execution_state: string }).execution_state === 'busy') onBusy?.();
    collector.handle(msg.header.msg_type, msg.content as Record<string, any>);
  };
  const reply = await future.done;
  return { reply: reply.content as Record<string, any>, outputs: collector.outputs };
}

/**
 * Disposes a services manager so jest can exit: lumino's Poll.dispose() leaves its next tick's timer armed (10 s and
 * more, growing with back-off once the server is gone), so stop the manager's poll first, which clears that timer.
 */
function disposeManager(manager: { dispose(): void } | undefined): void {
  if (!manager) return;
  const polls = manager as unknown as { _pollModels?: { stop(): Promise<void> }; _pollSpecs?: { stop(): Promise<void> } };
  void (polls._pollModels ?? polls._pollSpecs)?.stop();
  manager.dispose();
}

let server: JupyterServer;
let settings: ServerConnection.ISettings;
let kernelManager: KernelManager;
let sessionManager: SessionManager;
let session: Session.ISessionConnection;

const api = (route: string, init: RequestInit = {}) =>
  fetch(`${server.baseUrl}${route}`, { ...init, headers: { Authorization: `token ${server.token}`, ...init.headers } });

beforeAll(async () => {
  server = await startJupyter('jupyter-server');
  settings = ServerConnection.makeSettings({
    baseUrl: server.baseUrl,
    token: server.token,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    fetch,
  });
  kernelManager = new KernelManager({ serverSettings: settings });
  sessionManager = new SessionManager({ kernelManager, serverSettings: settings });
  await Promise.all([kernelManager.ready, sessionManager.ready]);
}, 90_000);

afterAll(async () => {
  session?.dispose(); // after a failure midway: no reconnect timers of its kernel connection keep jest alive
  disposeManager(sessionManager);
  disposeManager(kernelManager);
  await server?.stop();
}, 30_000);

test('KernelSpecManager lists our kernelspecs (TypeScript with its logos, and JavaScript)', async () => {
  const specs = new KernelSpecManager({ serverSettings: settings });
  try {
    await specs.ready;
    const spec = specs.specs?.kernelspecs.tsfutures;
    expect(spec).toMatchObject({ name: 'tsfutures', display_name: 'TypeScript (futures)', language: 'typescript' });
    // Its JavaScript twin, which `tsfutures install` puts beside it (kernel/install/kernelspec-js.ts).
    expect(specs.specs?.kernelspecs['tsfutures-js']).toMatchObject({ name: 'tsfutures-js', display_name: 'JavaScript (futures)', language: 'javascript' });
    expect(Object.keys(spec!.resources).sort()).toEqual(['logo-32x32', 'logo-64x64', 'logo-svg']);
    for (const [name, url] of Object.entries(spec!.resources)) {
      const r = await api(url.replace(/^\//, ''));
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe(name === 'logo-svg' ? 'image/svg+xml' : 'image/png');
    }
  } finally {
    disposeManager(specs);
  }
});

test('a session on the lecture notebook starts our kernel and reports kernel_info', async () => {
  session = await sessionManager.startNew({ path: LECTURE, name: 'lecture.ipynb', type: 'notebook', kernel: { name: 'tsfutures' } });
  expect(session.kernel?.name).toBe('tsfutures');
  // JupyterLab's own first request once the websocket is up (sending earlier would be refused while connecting).
  const info = await session.kernel!.info;
  expect(info).toMatchObject({ status: 'ok', language_info: { name: 'typescript' } });
  const listed = (await (await api('api/sessions')).json()) as { path: string; kernel: { name: string } }[];
  expect(listed).toEqual([expect.objectContaining({ path: LECTURE, kernel: expect.objectContaining({ name: 'tsfutures' }) })]);
}, 60_000);

describe('every lecture cell prints what the notebook saved', () => {
  const fresh: (Ran | undefined)[] = [];

  beforeAll(async () => {
    for (const cell of cells) {
      fresh.push(cellOptions(cell).skip ? undefined : await execute(session.kernel!, joinLines(cell.source)));
    }
  }, 150_000);

  test('the notebook has saved outputs for every code cell', () => {
    expect(cells.map((c, i) => `cell ${i + 1}: ${c.outputs?.length ? 'saved' : 'no outputs'}`)).toEqual(
      cells.map((_c, i) => `cell ${i + 1}: saved`),
    );
  });

  // nbval's markers are honoured as `tsfutures nbval` does: NBVAL_SKIP cells are not run, NBVAL_IGNORE_OUTPUT cells
  // (timelines, progress bars: measured, so different each run) must only run cleanly.
  test.each(cells.map((c, i) => [i + 1, cellOptions(c)] as const))('code cell %i', (n, options) => {
    const ran = fresh[n - 1];
    if (options.skip) return expect(ran).toBeUndefined();
    expect(ran!.reply.status).toBe(options.raises ? 'error' : 'ok');
    if (options.check !== false) expect(comparableLines(ran!.outputs)).toEqual(comparableLines(cells[n - 1].outputs));
  });
});

test('interrupting a busy cell (REST interrupt) ends it with KeyboardInterrupt; the kernel lives on', async () => {
  const kernel = session.kernel!;
  // Interrupt as JupyterLab's ■ button does (POST /api/kernels/ID/interrupt; the server sends SIGINT), once, as soon
  // as the kernel is busy: an interrupt that lands while the cell is still being type-checked stops it before it
  // runs (kernel/process/interrupt-gate.ts).
  const interrupts: Promise<void>[] = [];
  const ran = await execute(kernel, 'while (true) {}', () => interrupts.push(kernel.interrupt()));
  await Promise.all(interrupts);
  expect(ran.reply).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
  expect(ran.outputs).toEqual([expect.objectContaining({ output_type: 'error', ename: 'KeyboardInterrupt' })]);
  const after = await execute(kernel, 'print(6 * 7)');
  expect(after.reply.status).toBe('ok');
  expect(after.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: '42\n' }]);
}, 60_000);

test('restarting (REST restart, as JupyterLab does) gives a fresh kernel', async () => {
  const kernel = session.kernel!;
  const before = await execute(kernel, 'const restartProbe = 1;\nprint(restartProbe);');
  expect(before.reply.execution_count).toBeGreaterThan(1);
  expect(before.outputs).toEqual([{ output_type: 'stream', name: 'stdout', text: '1\n' }]);
  const pidsBefore = kernelProcesses(server).map((p) => p.pid);
  expect(pidsBefore).toHaveLength(1);
  // As JupyterLab's restart button: services POSTs /api/kernels/ID/restart and reconnects; a bare POST from the side
  // would race services' own handling of the "restarting" status, which cancels requests already sent.
  await kernel.restart();
  expect(kernel.id).toBe(session.kernel!.id);
  // Same kernel id, new kernel process: the counter starts over and earlier names are gone.
  const pidsAfter = kernelProcesses(server).map((p) => p.pid);
  expect(pidsAfter).toHaveLength(1);
  expect(pidsAfter).not.toEqual(pidsBefore);
  const probe = await execute(kernel, 'print(restartProbe);');
  expect(probe.reply).toMatchObject({ status: 'error', execution_count: 1 });
  expect(probe.reply.evalue).toContain('TS2304');
}, 60_000);

test('shutting the session down stops the kernel process', async () => {
  await session.shutdown();
  expect(await (await api('api/sessions')).json()).toEqual([]);
  expect(await (await api('api/kernels')).json()).toEqual([]);
  // The server reaps the kernel process shortly after the reply.
  for (let i = 0; i < 50 && kernelProcesses(server).length; i++) await new Promise((r) => setTimeout(r, 100));
  expect(kernelProcesses(server)).toEqual([]);
}, 30_000);

test('stopping the server leaves no process behind', async () => {
  await server.stop();
  expect(kernelProcesses(server)).toEqual([]);
}, 30_000);
