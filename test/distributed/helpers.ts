/**
 * For the distributed tests: a copy of the built package in a folder of its own (workers run from there, so nothing
 * reaches them through this checkout's paths), `tsfutures worker` processes started from it, and process checks.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

/** Running, as opposed to gone or a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

export async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Pids of processes whose command line mentions `text` (to check that nothing is left behind). */
export function processesMatching(text: string): number[] {
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(text) && alive(Number(d))) pids.push(Number(d));
    } catch { /* gone */ }
  }
  return pids;
}

/** The package's runtime dependencies, the packages they need in turn, found from node_modules. */
function runtimeDependencies(): string[] {
  const seen = new Set<string>();
  const walk = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8'));
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      if (fs.existsSync(path.join(ROOT, 'node_modules', dep))) walk(dep);
    }
  };
  walk('bullmq');
  walk('ioredis');
  return [...seen];
}

/** dist/, bin/ and package.json copied, the worker's dependencies hard-linked, in a new temporary folder. */
export function copyPackage(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsfutures-worker-pkg-'));
  for (const entry of ['dist', 'bin', 'package.json']) fs.cpSync(path.join(ROOT, entry), path.join(dir, entry), { recursive: true });
  for (const dep of runtimeDependencies()) {
    const target = path.join(dir, 'node_modules', dep);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    execFileSync('cp', ['-al', path.join(ROOT, 'node_modules', dep), target]);
  }
  return dir;
}

export interface WorkerHandle {
  child: ChildProcess;
  /** Everything the worker wrote on stderr so far. */
  stderr(): string;
  /** Resolves once its processes take jobs. */
  ready: Promise<void>;
  /** Pids of its worker processes (children of the supervisor). */
  processPids(): number[];
  stop(): Promise<void>;
}

export function startWorker(copy: string, options: { url: string; queue: string; key?: string; args?: string[] }): WorkerHandle {
  const env: Record<string, string | undefined> = { ...process.env, TSFUTURES_CLUSTER_KEY: options.key };
  delete env.TSFUTURES_REDIS_URL;
  if (options.key === undefined) delete env.TSFUTURES_CLUSTER_KEY;
  const child = spawn(process.execPath, [path.join(copy, 'bin', 'tsfutures.js'), 'worker', '--url', options.url,
    '--queue', options.queue, '--processes', '1', '--lock-duration', '2', ...(options.args ?? [])],
  { cwd: copy, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let text = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      text += String(d);
      if (text.includes('taking tasks')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${text}`)));
  });
  ready.catch(() => undefined);
  const childrenOf = (pid: number): number[] => fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid && alive(p);
    } catch {
      return false;
    }
  });
  return {
    child,
    stderr: () => text,
    ready,
    processPids: () => childrenOf(child.pid!),
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 8_000).unref();
    }),
  };
}
