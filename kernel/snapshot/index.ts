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
 * (session.ts prestartSession), then the kernel and its engine, and only then the io thread (control, heartbeat).
 * Measured: a worker thread of a blob process deserialises the blob's isolate part (node hands workers the process's
 * snapshot: ~17 MB heap at its first GC vs ~3 MB ordinarily, ~60 ms to come up vs ~22), and with the engine loading
 * meanwhile both starved on 2 cores (bound ~230 ms after the thread's start, engine ~160 ms instead of ~95). Until
 * 2026-11-26 the io thread owned all five sockets: bound at ~200 ms, where now the main thread binds at ~150 (see
 * session.ts). iopub is an XPUB that welcomes each subscription (JEP 65): the client no longer loses its first
 * kernel_info's busy/idle and waits ~300 ms.
 * Workers of a blob process need an old generation of ~19 MB before their first line: smaller resourceLimits abort
 * the whole process, so build-entry.ts raises them (the timeline ticker's 8 MB killed the kernel).
 *
 * Measured 2026-11-25, 2 cores shared with other helpers' tests (load 3-4), MALLOC_ARENA_MAX=2 (kernel.json env,
 * no effect on the blob: it is not a V8 flag; kernels ran 'fresh' with it).
 * `KERNELS=tsfutures,tsfutures-plain,python3 node dist/bench/kernel/startup.js 10 --trace` (launch -> first `1+1`
 * reply, medians of 10): from the blob 592 -> 450 ms (q1 442, q3 463), ordinary 753 -> 798, ipykernel 648 / 686
 * (0.91x -> 0.66x). Steps from the blob: deserialised 151 ms, io thread created 157, running 217, bound 229, engine
 * created 333 (require of kernel/cells ~45 ms, of which ~30 is __importStar copying typescript's 2248 exports once
 * per `import * as ts` module, and createEngine ~45), kernel_info reply 383, 1+1 reply 449.
 * `KERNELS=tsfutures,python3 npm run bench:kernel`: start-up 425 ms vs ipykernel 752 (0.57x), RSS then 210 MiB.
 * Not done: reusing the warm-up's compiled engine modules saves nothing: node builds blobs with
 * FunctionCodeHandling::kClear, so no function keeps bytecode (measured engine 96 vs 97 ms with and without).
 *
 * Memory (issue #3: RSS of the process tree after 400 declaring cells + 50 x `1+1` <= 150 MiB). Measured 2026-11-25
 * (session 3), 2 cores shared with other helpers' tests (load 1-4), each variant a copy of the checkout (`git archive`,
 * node_modules/typescript copied, not linked: a linked one resolves to a second compiler) with its own
 * XDG_CACHE_HOME and a blob built by buildSnapshot, variants interleaved, 3 rounds of
 * `KERNELS=tsfutures,python3 node dist/bench/kernel/index.js`: before (41ea35d) 200-202 MiB, blob 24.0 MB; after
 * 187-189 MiB, blob 21.6 MB; start-up (390-430 ms) and declare (0.8-1.4x ipykernel with the load) unchanged within
 * noise. The ordinary start (TSFUTURES_SNAPSHOT=0) 159-168 MiB: the blob now costs ~25 MiB (was ~37) for ~250-550 ms.
 * Where a blob-started kernel's 186 MiB go (/proc/PID/smaps after the same cells): node's binary 36 (file-backed),
 * V8 pages of the main and the io thread's heaps 94, typescript.js's source 2 x 6.4 (one copy per isolate), the blob's
 * bytes 17.4 (node keeps them for the process's life: workers and vm contexts are created from them), glibc's heap ~8.
 * The io thread's copy cannot be avoided: node 20 hands every Worker the process's snapshot (node_worker.cc), and V8
 * puts all of a snapshot's strings and function infos in the part every isolate deserialises (the io thread's heap
 * snapshot, `worker.getHeapSnapshot()` from a cell: 17.5 MB, typescript.js's source 8.8 of it before stripping).
 * What pays:
 * - The blob is built from typescript.js without comments and whitespace (strip-typescript.ts, esbuild's
 *   minifyWhitespace, 9.1 -> 6.7 MB; identifiers and syntax untouched), as the source is resident three times (blob
 *   bytes, main heap, io thread): blob 23.4 -> 21.0 MB, RSS -7 MiB (198-203 -> 192-196, `node bmem.js 400`, a copy of
 *   the lead's /tmp/lead/bmem.js). Costs ~0.8 s more per background build (the builder itself takes 1.1-1.4 s) and a
 *   dependency: esbuild, ~11.5 MB installed (its JavaScript ~0.1 MB, one platform binary). Without it (or if it
 *   fails) the blob is built from the original.
 *   Session 4 (lead, quiet machine, `node bmem.js 400` x3): local names minified too (9.1 -> 3.8 MB): blob 21.6 ->
 *   18.5 MB, RSS 163-167 -> 153-155 MiB, main heap's large objects 10.6 -> 7.7 MB; start-up and declare unchanged.
 * - The merged lib's text once per process and one byte a character (cells/lib.ts; a heap snapshot showed it twice,
 *   two-byte, plus two copies of lib.es5.d.ts kept by a sliced lib name): blob 18.5 -> 18.3 MB, RSS 150-153 MiB.
 * - The merged lib parsed without its JSDoc (documents.ts isLeanFile; inspect reads lib docs on demand, libDocs.ts):
 *   blob 18.3 -> 17.2 MB, RSS 147-149 MiB (bench, 3 runs); the smaller blob deserialises sooner, the io thread binds
 *   at ~190 ms instead of ~200-207, and the client's zeromq reconnect (every 100 ms after its first try, ~5 ms from
 *   launch) then finds the sockets at ~205 instead of ~305: start-up 385 -> 255-260 ms in most starts (medians of
 *   10: 319 ms, q1 305, q3 363).
 * Tried, session 4, no gain: --heap-growing-percent=30/50 (old space committed stays ~45 MB for ~27-32 used),
 * --max-semi-space-size=3 (same as 4), MALLOC_MMAP_THRESHOLD_/MALLOC_TOP_PAD_, a Worker resourceLimits young
 * generation for the io thread (the process-wide flag overrides it), a blob without the warm-up's checker (-1 MiB).
 * --optimize-for-size: 134-138 MiB but declare +0.4-0.6 ms (1 MB semi-spaces: 4x the scavenges, each promoting
 * the ~0.35 MB a cell's checker has alive at that moment); --max-semi-space-size=1 alone 142-146 MiB, declare 1.04x.
 * - MALLOC_TRIM_THRESHOLD_=131072 (kernel.json's env, next to MALLOC_ARENA_MAX): glibc no longer raises its trim
 *   threshold as large blocks come and go, and hands freed heap back: RSS -6 MiB (191-195 -> 183-187 in bmem runs),
 *   latency unchanged.
 * A smaller young generation (--max-semi-space-size, default 16 MB a semi-space; the launcher's v8_flags): set to 4.
 * The helper's rounds above (before the merged lib and the inert-cell change) found 2 / 4 / 8 MB at 157-160 / 162-165 /
 * 169-171 MiB against 185-190 for 0.7-1.6 ms more a declaring cell. Lead, same day, after those changes, quiet
 * machine, blob starts, 3 runs each of `KERNELS=tsfutures,python3 npm run bench:kernel`: none 188-192 MiB, declare
 * 0.80-0.82x ipykernel; 8 MB 173-175 MiB, 0.84-0.93x; 4 MB 165-167 MiB, 0.91-0.96x; 2 MB 160-161 MiB, 0.90-1.02x.
 * 4 MB keeps the round trip under ipykernel's in every run for 24 MiB; 2 MB did not. The flags are part of the blob's
 * file name (blobPath), so changing them builds a new blob instead of failing one start on the old one.
 * (Earlier design, a relaunching node: 795 vs 813 ms in-process; its own node start ate the gain.)
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kernelV8Flags as launcherV8Flags, launcherPath } from '../launcher';
import { PACKAGE_ROOT } from '../package-root';
import { isAlive, pruneCache } from './prune';

const ROOT = PACKAGE_ROOT;
const FROM_SNAPSHOT = Symbol.for('tsfutures.fromSnapshot');
const STALE_SNAPSHOT = Symbol.for('tsfutures.staleSnapshot');
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
    path.join(dist, 'kernel', 'package-root.js'),
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
  // Two plain mkdirs, not { recursive: true } (see typescriptCode.ts).
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
  // Written aside and renamed: a kernel starting meanwhile finds a whole blob or none. In a subshell left behind:
  // not the kernel's descendant, so the kernel's shutdown lets it finish.
  const script =
    '(n=$0 p=$1 e=$2 b=$3 l=$4 f=$5 s=$6 t=$7 c=$8; shift 8; ' +
    'if [ $# -gt 0 ] && [ -f "$b" ] && ' + `${PROBE_ENV}=1 "$n" $f --snapshot-blob "$b" </dev/null >/dev/null 2>&1; then :; ` +
    'else rm -f "$b"; nice -n 19 "$n" "$s" "$t" "$c" >/dev/null 2>&1 || rm -f "$c"; ' +
    'nice -n 19 "$n" $f --snapshot-blob "$p" --build-snapshot "$e" >/dev/null 2>&1 && mv "$p" "$b"; fi; ' +
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
