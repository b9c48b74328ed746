/**
 * Kernel start-up from a V8 start-up snapshot (build-entry.ts): the TypeScript compiler already loaded and the lib
 * files, the lite Node globals and the runtime's declarations already parsed, so the first cell pays only for its
 * program and checker.
 *
 * The kernelspec (kernelspec.ts) runs bin/tsfutures-kernel.sh, which execs `node --snapshot-blob BLOB
 * bin/tsfutures.js kernel -f F` (the script is not run, only named for ps) when the blob is there, else the ordinary
 * `node bin/tsfutures.js kernel -f F`: one node, started once (exec keeps the pid Jupyter signals), the shell
 * costing ~1-2 ms. BLOB is a stable path per checkout and node binary
 * (blobPath), in $XDG_CACHE_HOME/tsfutures (or ~/.cache/tsfutures), never in the repo. What it holds is checked
 * inside the snapshot process: the key of the node version and our files baked into it at build time against the
 * key of the files now (snapshotKey, ~2 ms). A mismatch (a rebuild, an upgrade) starts exactly as in-process (the
 * snapshot's compiler and registry are dropped) and rebuilds the blob in the background.
 *
 * A blob node cannot start from aborts node before our code runs (measured, node 20: a garbage or empty blob
 * aborts on an assertion, one truncated to 1 kB segfaults, a missing one exits 14, and so does a good one under
 * other V8 flags, e.g. --trace-gc: the launcher skips the blob whenever NODE_OPTIONS is set). So: the blob is written aside
 * and renamed (never seen half-written), and the shell leaves a marker BLOB.<pid>.starting that the snapshot
 * process deletes first thing. A marker whose process is gone means a start from this blob died before coming up:
 * the shell then starts the ordinary way, and that kernel probes the blob in the background (a node started from
 * it that exits at once) and deletes it if the probe fails; the next start rebuilds it. A kernel killed in its first
 * ~0.3 s leaves a marker too: that costs one probe, not the blob.
 * TSFUTURES_SNAPSHOT=0 turns it all off (no blob used, none built).
 *
 * Builds run niced and detached (one per blob at a time: a lock file), started by a kernel that did not start from
 * a fresh blob, a few seconds after it is up, or by `tsfutures install`. Nothing in .ci/run needs a blob.
 * Before each build, old blobs and code caches of other checkouts and nodes go (prune.ts: the 3 most recently used
 * of each stay).
 *
 * Start-up from the blob (build-entry.ts's main function): first shell, stdin and iopub, bound on the main thread
 * (session.ts prestartSession), then the kernel and its engine, and only then the io thread (control, heartbeat): a
 * worker of a blob process deserialises its share of the blob, and started earlier it starves the engine on 2 cores.
 * Workers of a blob process need an old generation of ~19 MB before their first line: smaller resourceLimits abort
 * the whole process, so build-entry.ts raises them.
 * The blob is built from a minified typescript.js (strip-typescript.ts), since the compiler's source is resident once
 * per isolate and once in the blob's bytes. The V8 flags are part of the blob's file name (blobPath), so changing
 * them builds a new blob instead of failing one start on the old one.
 * What each of these choices measured, and what was tried without gain: docs/performance.md, "Start-up snapshot".
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kernelV8Flags as launcherV8Flags, launcherPath } from '../process/launcher';
import { PACKAGE_ROOT } from '../install/package-root';
import { isAlive, pruneCache } from './prune';

const ROOT = PACKAGE_ROOT;
const FROM_SNAPSHOT = Symbol.for('tsfutures.fromSnapshot');
const STALE_SNAPSHOT = Symbol.for('tsfutures.staleSnapshot');
/**
 * The size a blob is padded to with zeros, which node reads and ignores. Node 20 reads the blob whole into a buffer,
 * copies what it keeps and frees the buffer. Under a malloc mmap threshold above the buffer's size (kernel.json's
 * 32 MB, so that results up to that size land in memory already faulted in) the buffer came from the heap and stayed
 * as a resident hole of the blob's size; at least 32 MB (glibc's largest threshold), it is always mapped and unmapped.
 */
const BLOB_MIN_BYTES = 32 * 1024 * 1024 + 4096;
/** A build older than this is taken as dead (its lock is ignored). */
const STALE_BUILD_MS = 120_000;
/** Set for a probe: the snapshot process exits 0 as soon as it runs (build-entry.ts). */
export const PROBE_ENV = 'TSFUTURES_SNAPSHOT_PROBE';
/** Passed to the builder: the key the blob is built for (build-entry.ts bakes it in). */
export const KEY_ENV = 'TSFUTURES_SNAPSHOT_KEY';
/** Passed to the builder: typescript.js minified (strip-typescript.ts), if written. */
export const TS_SOURCE_ENV = 'TSFUTURES_SNAPSHOT_TS_SOURCE';
const TS_FILE = path.join(ROOT, 'node_modules', 'typescript', 'lib', 'typescript.js');
/** The shell script the kernelspec runs. */
export const LAUNCHER = launcherPath(ROOT);

export function snapshotDisabled(): boolean {
  return process.env.TSFUTURES_SNAPSHOT === '0';
}

function cacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tsfutures');
}

/** The blob for this checkout and node binary as kernel.json names it; the launcher adds the V8 flags (blobPath). */
export function blobBase(node: string = process.execPath): string {
  const id = createHash('sha1').update(`${ROOT}\0${node}`).digest('hex').slice(0, 12);
  return path.join(cacheDir(), `kernel-${id}.blob`);
}

/**
 * The blob a kernel of this checkout and node starts from: the base name with the V8 flags it is built under before
 * `.blob`, as the launcher spells it (`${blob%.blob}$v8_flags.blob`). Changing the flags then means another blob
 * (built on the first start), never a start on one built under other flags, which node refuses (exit 14: a failed
 * kernel start).
 */
export function blobPath(node: string = process.execPath): string {
  return `${blobBase(node).replace(/\.blob$/, '')}${kernelV8Flags().join(' ')}.blob`;
}

/**
 * The V8 flags every kernel process runs with (launcher.ts). A blob loads only under the V8 flags it was built with
 * (else node exits 14), so the builder and the probe run under these too.
 */
export function kernelV8Flags(): string[] {
  return launcherV8Flags(ROOT);
}

/** Files under `dir` ending in `suffix`, sorted (a plain walk: readdirSync's { recursive } is ~4x slower on node 20). */
function listFiles(dir: string, suffix: string, out: string[] = []): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) listFiles(full, suffix, out);
    else if (e.name.endsWith(suffix)) out.push(full);
  }
  return out;
}

/** Our files the snapshot holds or is built by (engine code, runtime declarations, the compiler's stripping). */
function keyedFiles(): string[] {
  const dist = path.join(ROOT, 'dist');
  return [
    path.join(ROOT, 'package.json'),
    ...listFiles(path.join(dist, 'kernel', 'cells'), '.js'),
    // Loaded into the blob too, by cells/project.js.
    path.join(dist, 'kernel', 'install', 'package-root.js'),
    path.join(dist, 'kernel', 'snapshot', 'build-entry.js'),
    path.join(dist, 'kernel', 'snapshot', 'strip-typescript.js'),
    ...listFiles(path.join(dist, 'runtime'), '.d.ts'),
  ];
}

/**
 * What a blob must have been built from to be used: node, the compiler (by size and mtime: 9 MB) and our files
 * by contents (every `tsc` run rewrites dist/ with new mtimes; hashing ~0.5 MB is ~1 ms).
 */
export function snapshotKey(): string {
  const hash = createHash('sha1').update(`${process.version}\0${process.arch}\0`);
  const compiler = fs.statSync(TS_FILE);
  hash.update(`${compiler.size}:${compiler.mtimeMs}\0`);
  for (const file of keyedFiles()) hash.update(fs.readFileSync(file)).update(`\0${file}\0`);
  return hash.digest('hex');
}

/** True in a process started from a blob whose key matched (build-entry.ts). */
export function runningFromSnapshot(): boolean {
  return (globalThis as Record<symbol, unknown>)[FROM_SNAPSHOT] === true;
}

/** Markers of starts from `blob` whose process is gone: they died before coming up (see the header). */
function deadMarkers(blob: string): string[] {
  const prefix = `${path.basename(blob)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(blob));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && n.endsWith('.starting'))
    .filter((n) => !isAlive(Number(n.slice(prefix.length, -'.starting'.length))))
    .map((n) => path.join(path.dirname(blob), n));
}

/**
 * Writes the blob in the background (niced, detached: it outlives a short kernel), unless one is being built.
 * With `probeFirst` (dead markers), the existing blob is first started once; only if that fails is it rebuilt.
 */
export function buildSnapshot(blob: string = blobPath(), probeFirst: string[] = []): void {
  const dir = path.dirname(blob);
  // Two plain mkdirs, not { recursive: true } (see typescript-code.ts).
  for (const d of [path.dirname(dir), dir]) if (!fs.existsSync(d)) fs.mkdirSync(d);
  const lock = `${blob}.building`;
  try {
    if (Date.now() - fs.statSync(lock).mtimeMs < STALE_BUILD_MS) return;
    fs.unlinkSync(lock);
  } catch { /* no build running */ }
  fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
  // A new blob is about to be written: old ones (other checkouts, other nodes) and old code caches go.
  pruneCache(dir, [blob], STALE_BUILD_MS);
  // The builder runs its entry without `exports` (Node 20's mksnapshot): a copy that defines it.
  const entry = `${blob}.entry.js`;
  fs.writeFileSync(entry, `var exports = {};${fs.readFileSync(path.join(__dirname, 'build-entry.js'), 'utf8')}`);
  const partial = `${blob}.${process.pid}`;
  const stripped = `${partial}.typescript.js`;
  // $0 node, $1 partial, $2 entry, $3 blob, $4 lock, $5 V8 flags (one word each), $6 strip-typescript.js,
  // $7 typescript.js, $8 its stripped copy, then the dead markers. A probe that passes keeps the blob; one that fails
  // (or none) rebuilds it, from the stripped compiler if stripping worked (else build-entry.ts loads the original).
  // Padded to BLOB_MIN_BYTES, kept unpadded if a start from the padded blob fails (a node that checks the length).
  // Each step is bounded (coreutils' timeout): a stripping that hung (esbuild's synchronous call, its service gone)
  // was seen left behind for an hour; a bounded one ends, and the blob is built from the original compiler.
  // Written aside and renamed: a kernel starting meanwhile finds a whole blob or none. In a subshell left behind:
  // not the kernel's descendant, so the kernel's shutdown lets it finish.
  const script =
    '(n=$0 p=$1 e=$2 b=$3 l=$4 f=$5 s=$6 t=$7 c=$8; shift 8; ' +
    'if [ $# -gt 0 ] && [ -f "$b" ] && ' + `${PROBE_ENV}=1 "$n" $f --snapshot-blob "$b" </dev/null >/dev/null 2>&1; then :; ` +
    'else rm -f "$b"; timeout 120 nice -n 19 "$n" "$s" "$t" "$c" >/dev/null 2>&1 || rm -f "$c"; ' +
    'timeout 600 nice -n 19 "$n" $f --snapshot-blob "$p" --build-snapshot "$e" >/dev/null 2>&1 && s=$(wc -c <"$p") && ' +
    `truncate -s ">${BLOB_MIN_BYTES}" "$p" && { ${PROBE_ENV}=1 "$n" $f --snapshot-blob "$p" </dev/null >/dev/null 2>&1 || truncate -s "$s" "$p"; } && ` +
    'mv "$p" "$b"; fi; ' +
    'rm -f "$p" "$c" "$e" "$l" "$@") &';
  const args = [partial, entry, blob, lock, kernelV8Flags().join(' '), path.join(__dirname, 'strip-typescript.js'), TS_FILE, stripped];
  const child = spawn('/bin/sh', ['-c', script, process.execPath, ...args, ...probeFirst], {
    detached: true,
    stdio: 'ignore',
    // No NODE_OPTIONS: V8 flags are baked into the blob, and the launcher uses it only without NODE_OPTIONS.
    env: { ...process.env, NODE_OPTIONS: '', TSFUTURES_SNAPSHOT_ROOT: ROOT, [KEY_ENV]: snapshotKey(), [TS_SOURCE_ENV]: stripped },
  });
  child.unref();
}

/**
 * Called by a running kernel (cli.ts, a few seconds after start-up) that did not start from a fresh blob: builds a
 * missing or outdated blob, or probes one a start died on.
 */
export function maintainSnapshot(): void {
  // A kernel with another engine (the protocol tests' fake one) has no use for a snapshot of the real one.
  if (snapshotDisabled() || runningFromSnapshot() || process.env.TSFUTURES_ENGINE) return;
  try {
    const blob = blobPath();
    if (!fs.existsSync(blob)) return buildSnapshot(blob);
    const dead = deadMarkers(blob);
    // Exists but its key did not match (we are not running from it): rebuilt; a start died on it: probed.
    if (dead.length || (globalThis as Record<symbol, unknown>)[STALE_SNAPSHOT]) buildSnapshot(blob, dead);
  } catch { /* an unwritable cache: every start is in-process, as without snapshots */ }
}
