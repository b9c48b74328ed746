/**
 * Kernel start-up from a V8 start-up snapshot (build-entry.ts): the TypeScript compiler already loaded and the lib
 * files, the lite Node globals and the runtime's declarations already parsed, so the first cell pays only for its
 * program and checker.
 *
 * `tsfutures kernel -f F` (relaunch) runs `node --snapshot-blob BLOB kernel -f F` as a child in a process group of
 * its own, and passes SIGINT and SIGTERM on: Jupyter signals this process's group, tests signal this pid, and either
 * way the kernel gets each signal once. Killed outright, this process leaves the kernel to its parent watch (it
 * exits within a second of its parent: main.ts); this process ends with its own parent likewise. No blob yet: the
 * kernel starts in-process as before and a niced background `node --build-snapshot` writes one for next time.
 * The blob lives in $XDG_CACHE_HOME/tsfutures (or ~/.cache/tsfutures), never in the repo, keyed by the node
 * version and arch plus what it holds (snapshotFile): a rebuild or upgrade makes a new key. A blob node cannot
 * start from (it aborts before our code runs) is deleted and the kernel starts in-process instead; the next start
 * rebuilds it. Unused blobs of older keys are left in the cache (~23 MB each).
 *
 * Opt-in (TSFUTURES_SNAPSHOT=1): measured on a loaded 2-core machine (2026-11-25, 12 starts each, launch -> first
 * `1+1` reply, medians), in-process 813 ms, through this launcher 795 ms, `node --snapshot-blob` started directly
 * 665 ms, ipykernel 472 ms. Inside the process the engine is ready in ~280 instead of ~600 ms (deserialising the
 * 23 MB heap ~150 ms, engine modules ~45, engine ~60, first cell ~35), but the launcher's own node start eats most
 * of the gain and adds ~80 MiB to the kernel's process tree. The gain needs the kernelspec to start node with the
 * blob itself (a stable blob name checked inside the snapshot process): not done yet.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FROM_SNAPSHOT = Symbol.for('tsfutures.fromSnapshot');
/** A build older than this is taken as dead (its lock is ignored). */
const STALE_BUILD_MS = 120_000;

function cacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tsfutures');
}

/** Our files the snapshot holds (engine code, runtime declarations): their contents key it. */
function keyedFiles(): string[] {
  const dist = path.join(ROOT, 'dist');
  const list = (dir: string, suffix: string) => {
    try {
      return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(suffix)).sort().map((f) => path.join(dir, f));
    } catch {
      return [];
    }
  };
  return [
    path.join(ROOT, 'package.json'),
    ...list(path.join(dist, 'kernel', 'cells'), '.js'),
    path.join(dist, 'kernel', 'snapshot', 'build-entry.js'),
    ...list(path.join(dist, 'runtime'), '.d.ts'),
  ];
}

/**
 * The blob for this install (whether or not it exists yet). Contents, not mtimes, for our files: every `tsc` run
 * rewrites dist/ with new mtimes and would otherwise orphan the blob (~1 ms for ~0.5 MB); the 9 MB compiler by
 * size and mtime.
 */
export function snapshotFile(): string {
  const hash = createHash('sha1');
  const compiler = fs.statSync(path.join(ROOT, 'node_modules', 'typescript', 'lib', 'typescript.js'));
  hash.update(`${compiler.size}:${compiler.mtimeMs}\0`);
  for (const file of keyedFiles()) hash.update(fs.readFileSync(file)).update(`\0${file}\0`);
  return path.join(cacheDir(), `kernel-${process.version}-${process.arch}-${hash.digest('hex').slice(0, 16)}.blob`);
}

export function runningFromSnapshot(): boolean {
  return (globalThis as Record<symbol, unknown>)[FROM_SNAPSHOT] === true;
}

/** Writes the blob in the background (niced, detached: it outlives a short kernel), unless one is being built. */
export function buildSnapshot(blob: string): void {
  const dir = path.dirname(blob);
  // Two plain mkdirs, not { recursive: true } (see typescriptCode.ts).
  for (const d of [path.dirname(dir), dir]) if (!fs.existsSync(d)) fs.mkdirSync(d);
  const lock = `${blob}.building`;
  try {
    if (Date.now() - fs.statSync(lock).mtimeMs < STALE_BUILD_MS) return;
    fs.unlinkSync(lock);
  } catch { /* no build running */ }
  fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
  // The builder runs its entry without `exports` (Node 20's mksnapshot): a copy that defines it.
  const entry = `${blob}.entry.js`;
  const source = fs.readFileSync(path.join(__dirname, 'build-entry.js'), 'utf8');
  fs.writeFileSync(entry, `var exports = {};${source}`);
  const partial = `${blob}.${process.pid}`;
  // Written aside and renamed: a kernel starting meanwhile finds a whole blob or none.
  // In a subshell left behind: not the kernel's descendant, so the kernel's shutdown (children.ts) lets it finish.
  const script = `(nice -n 19 "$0" --snapshot-blob "$1" --build-snapshot "$2" >/dev/null 2>&1 && mv "$1" "$3"; rm -f "$1" "$2" "$4") &`;
  const child = spawn('/bin/sh', ['-c', script, process.execPath, partial, entry, blob, lock], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, TSFUTURES_SNAPSHOT_ROOT: ROOT },
  });
  child.unref();
}

/** The env var naming the fd on which a process started from the snapshot says it is up (build-entry.ts). */
export const READY_FD_ENV = 'TSFUTURES_SNAPSHOT_READY_FD';

/**
 * Runs `args` (the kernel command) in a node started from the snapshot and resolves with its exit code. Resolves
 * undefined, for the caller to run the command in-process, when there is no usable snapshot: none yet (a build is
 * started), or one node cannot start from (a corrupt blob aborts node before our code runs: it is deleted).
 */
export async function relaunch(args: string[]): Promise<number | undefined> {
  if (process.env.TSFUTURES_SNAPSHOT !== '1' || runningFromSnapshot()) return undefined;
  let blob: string;
  try {
    blob = snapshotFile();
    if (!fs.existsSync(blob)) {
      buildSnapshot(blob);
      return undefined;
    }
  } catch {
    return undefined; // no dist to key on, an unwritable cache: today's path
  }
  const child = spawn(process.execPath, ['--snapshot-blob', blob, ...args], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    env: { ...process.env, [READY_FD_ENV]: '3' },
    detached: true,
  });
  let up = false;
  (child.stdio[3] as NodeJS.ReadableStream).once('data', () => (up = true)).on('error', () => undefined);
  const interrupt = () => child.kill('SIGINT');
  const terminate = () => child.kill('SIGTERM');
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', terminate);
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) terminate();
  }, 1000);
  watch.unref();
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  if (up) return code ?? 1;
  process.off('SIGINT', interrupt);
  process.off('SIGTERM', terminate);
  clearInterval(watch);
  fs.rmSync(blob, { force: true });
  return undefined;
}
