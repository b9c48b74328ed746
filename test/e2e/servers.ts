/**
 * Real Jupyter servers for the end-to-end tests: Debian's jupyter-server 1.23 (what JupyterLab talks to), the
 * classic Notebook 6.4 (what the browser test drives) and JupyterLab 3.6.8 (test/lab's frontend on jupyter-server). Each runs on 127.0.0.1 with a free port and a random token,
 * in a throw-away root (a copy of notebooks/) with our kernelspec installed under a temp prefix, and with temp
 * config/data/runtime dirs so no user config, extension or other tsfutures install on the machine takes part.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isAlive } from '../../kernel/process/children';
import { labBuildDir, labBuildExists, LAB_SOURCES } from '../lab/frontend';

/** The checkout (found upwards, so this also works from the compiled copy in dist/test/e2e). */
export const REPO = ((dir: string): string => {
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})(__dirname);
const BIN = path.join(REPO, 'bin', 'tsfutures.js');

export type ServerKind = 'jupyter-server' | 'notebook' | 'lab';

export interface JupyterServer {
  kind: ServerKind;
  /** Ends with '/'. */
  baseUrl: string;
  token: string;
  /** The server's root: holds notebooks/ (a copy of ours). */
  root: string;
  /** The kernelspec prefix: `${prefix}/share/jupyter/kernels/tsfutures`. */
  prefix: string;
  /** Kernels' connection files live here, so their command lines name it. */
  runtimeDir: string;
  pid: number;
  /** The server's stdout+stderr so far (for failure messages). */
  log(): string;
  /** SIGTERM (the server shuts its kernels down), then SIGKILL whatever of ours is still alive. Idempotent. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function commandLine(kind: ServerKind, port: number, token: string, root: string, labState: string): string[] {
  // The apps take the same flags; the classic Notebook names its traits NotebookApp.* and its root notebook_dir.
  const common = [`--ip=127.0.0.1`, `--port=${port}`, '--port-retries=0', '--no-browser', '--allow-root'];
  const server = [...common, `--ServerApp.token=${token}`, `--ServerApp.root_dir=${root}`];
  if (kind === 'jupyter-server') return ['/usr/bin/jupyter-server', ...server];
  if (kind === 'lab') return ['/usr/bin/python3', path.join(LAB_SOURCES, 'lab-server.py'), labBuildDir(), labState, ...server];
  return ['/usr/bin/jupyter-notebook', ...common, `--NotebookApp.token=${token}`, `--NotebookApp.notebook_dir=${root}`];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves when `p` settles or after `ms`, whichever is first, leaving no timer behind (jest must exit by itself). */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}


function readProc(pid: string, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** Every live process whose command line contains `needle` (e.g. a kernel whose connection file is in our runtime dir). */
export function processesMentioning(needle: string): { pid: number; cmdline: string }[] {
  const found: { pid: number; cmdline: string }[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    if (Number(pid) === process.pid) continue;
    const cmdline = readProc(pid, 'cmdline').split('\0').join(' ').trim();
    if (cmdline.includes(needle)) found.push({ pid: Number(pid), cmdline });
  }
  return found;
}

/** Descendants of `root` (children, grandchildren...), found through /proc/PID/stat's ppid field. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const stat = readProc(pid, 'stat');
    // The command name (field 2) is parenthesised and may contain spaces: ppid is the 2nd field after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid)!.push(Number(pid));
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length) for (const c of children.get(todo.pop()!) ?? []) out.push(c), todo.push(c);
  return out;
}

function killGroupAndPid(pid: number, signal: NodeJS.Signals): void {
  // Kernels are started in their own session (jupyter_client), so their group is their pid.
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
    } catch {
      /* already gone */
    }
  }
}

export async function startJupyter(kind: ServerKind): Promise<JupyterServer> {
  if (kind === 'lab' && !labBuildExists())
    throw new Error(`no JupyterLab frontend built for test/lab's current inputs in ${labBuildDir()}: run bash scripts/install-test-deps.sh`);
  const tmp = mkdtempSync(path.join(tmpdir(), `tsfutures-e2e-${kind}-`));
  const dirs = { root: path.join(tmp, 'root'), prefix: path.join(tmp, 'prefix'), config: path.join(tmp, 'config'),
    data: path.join(tmp, 'data'), runtimeDir: path.join(tmp, 'runtime'), labState: path.join(tmp, 'lab-state') };
  try {
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
    cpSync(path.join(REPO, 'notebooks'), path.join(dirs.root, 'notebooks'), {
      recursive: true,
      filter: (src) => !src.includes('.ipynb_checkpoints'),
    });
    const install = spawnSync(process.execPath, [BIN, 'install', '--prefix', dirs.prefix], { encoding: 'utf8' });
    if (install.status !== 0) throw new Error(`tsfutures install failed:\n${install.stdout}${install.stderr}`);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }

  const token = randomBytes(24).toString('hex');
  const port = await freePort();
  const [cmd, ...args] = commandLine(kind, port, token, dirs.root, dirs.labState);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: path.join(dirs.prefix, 'share', 'jupyter'),
    JUPYTER_CONFIG_DIR: dirs.config,
    JUPYTER_DATA_DIR: dirs.data,
    JUPYTER_RUNTIME_DIR: dirs.runtimeDir,
    // No site/user config and no pip-installed server extensions from the machine.
    JUPYTER_NO_CONFIG: '1',
    PYTHONNOUSERSITE: '1',
    IPYTHONDIR: path.join(tmp, 'ipython'),
  };
  // Its own process group, so stop() can signal the server and anything it forked without a kernel session.
  const proc: ChildProcess = spawn(cmd, args, { env, cwd: dirs.root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout!.on('data', (b: Buffer) => (log += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.once('exit', () => ((exited = true), resolve())));

  const baseUrl = `http://127.0.0.1:${port}/`;
  // Last resort if the test process goes away without stop() (a crash, a killed worker): nothing of ours survives it.
  const killAllNow = () => {
    for (const p of processesMentioning(dirs.runtimeDir)) killGroupAndPid(p.pid, 'SIGKILL');
    killGroupAndPid(proc.pid!, 'SIGKILL');
  };
  process.once('exit', killAllNow);
  let stopped: Promise<void> | undefined;
  const server: JupyterServer = {
    kind,
    baseUrl,
    token,
    ...dirs,
    pid: proc.pid!,
    log: () => log,
    stop: () => (stopped ??= stop()),
  };

  async function stop(): Promise<void> {
    // Taken before the server goes: its kernels (and their pool workers) are its descendants until then.
    const ours = new Set([...descendants(proc.pid!), ...processesMentioning(dirs.runtimeDir).map((p) => p.pid)]);
    if (!exited) {
      killGroupAndPid(proc.pid!, 'SIGTERM');
      await within(exit, 10_000);
      if (!exited) killGroupAndPid(proc.pid!, 'SIGKILL');
      await within(exit, 5_000);
    }
    for (const p of processesMentioning(dirs.runtimeDir)) ours.add(p.pid);
    const deadline = Date.now() + 5_000;
    while ([...ours].some(isAlive) && Date.now() < deadline) await sleep(100);
    for (const pid of ours) if (isAlive(pid)) killGroupAndPid(pid, 'SIGKILL');
    process.off('exit', killAllNow);
    proc.stdout!.destroy();
    proc.stderr!.destroy();
    rmSync(tmp, { recursive: true, force: true });
  }

  try {
    await waitForStatus(server, () => exited);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

async function waitForStatus(server: JupyterServer, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`${server.kind} exited before answering /api/status:\n${server.log()}`);
    try {
      // A request the server accepted but never answered must not use up the whole deadline.
      const r = await fetch(`${server.baseUrl}api/status`, { headers: { Authorization: `token ${server.token}` }, signal: AbortSignal.timeout(5_000) });
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  throw new Error(`${server.kind} did not answer /api/status within 60 s:\n${server.log()}`);
}

/** Our kernel processes started by this server (alive now); there must be none after stop(). */
export function kernelProcesses(server: JupyterServer): { pid: number; cmdline: string }[] {
  return processesMentioning(server.runtimeDir).filter((p) => p.cmdline.includes('tsfutures.js kernel'));
}
