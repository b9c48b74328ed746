/**
 * Keeps the cache directory ($XDG_CACHE_HOME/tsfutures) from filling up: every checkout and node binary has its own
 * start-up blob (index.ts blobPath, 32 MB with its padding) and every typescript.js its own code cache
 * (kernel/cells/typescript-code.ts, ~3.9 MB), and nothing else ever deletes an old one (measured on a developer
 * machine: 5 blobs and 10 code caches in a day, from CI clones and test copies). Run whenever a blob is about to be
 * written (index.ts buildSnapshot).
 *
 * Kept: the KEPT most recently used blobs and code caches, the ones named in `keep` (this checkout's), and any blob a
 * start or a build is using. A blob's last use is its atime, which build-entry.ts sets at each start from it (mount
 * options make the kernel's own atime unreliable); a code cache's is its mtime (written once, read at each start).
 * Deleting a blob under a running kernel is harmless (node read it whole at start-up), but not under a start between
 * the launcher's test and node's read: so a blob with a live start's marker (BLOB.<pid>.starting) or a fresh build
 * lock stays. A dead start's marker only means the blob failed once: it goes with its blob (else the next start of
 * that checkout would still take it for a failed start and start the ordinary way once more).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** How many blobs, and how many code caches, a cache directory keeps besides the ones in use. */
export const KEPT = 3;

/** `kernel-ID.blob`, or `kernel-ID--v8-flag=x.blob` when the launcher sets V8 flags (index.ts blobPath). */
const BLOB_NAME = String.raw`kernel-[0-9a-f]+(?:-[^/]*?)?\.blob`;
const BLOB = new RegExp(`^${BLOB_NAME}$`);
const CODE_CACHE = /^typescript-.*\.v8cache$/;
/** What a build killed midway leaves: the partial blob, the stripped compiler, the entry copy, the lock (index.ts). */
const BUILD_LEFTOVER = new RegExp(String.raw`^${BLOB_NAME}\.(\d+|\d+\.typescript\.js|entry\.js|building)$`);
/** A start's marker (BLOB.<pid>.starting) or a build's lock (BLOB.building), the blob's name captured. */
const IN_USE = new RegExp(String.raw`^(${BLOB_NAME})\.(?:(\d+)\.starting|building)$`);

interface Entry {
  file: string;
  usedMs: number;
}

function entry(dir: string, name: string): Entry | undefined {
  try {
    const s = fs.statSync(path.join(dir, name));
    return { file: path.join(dir, name), usedMs: Math.max(s.atimeMs, s.mtimeMs) };
  } catch {
    return undefined; // deleted meanwhile (another kernel pruning)
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function remove(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch { /* gone already */ }
}

/** Deletes all but the KEPT most recently used of `entries`, never one in `keep`; returns the deleted ones. */
function pruneOldest(entries: Entry[], keep: Set<string>): string[] {
  const others = entries.filter((e) => !keep.has(e.file)).sort((a, b) => b.usedMs - a.usedMs);
  const old = others.slice(KEPT).map((e) => e.file);
  old.forEach(remove);
  return old;
}

/**
 * Prunes `dir` (see the header). `keep`: full paths never deleted. `buildStaleMs`: a build lock or leftover older than
 * this belongs to a dead build.
 */
export function pruneCache(dir: string, keep: string[], buildStaleMs: number): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  const kept = new Set(keep);
  const markers = new Map<string, string[]>(); // blob -> its dead starts' markers
  // A blob a start or a build is using: a live start's marker, or a lock younger than a build can take.
  for (const name of names) {
    const m = IN_USE.exec(name);
    if (!m) continue;
    const blob = path.join(dir, m[1]);
    if (m[2] === undefined) {
      const lock = entry(dir, name);
      if (lock && now - lock.usedMs < buildStaleMs) kept.add(blob);
    } else if (isAlive(Number(m[2]))) kept.add(blob);
    else markers.set(blob, [...(markers.get(blob) ?? []), path.join(dir, name)]);
  }
  const present = (re: RegExp) => names.filter((n) => re.test(n)).map((n) => entry(dir, n)).filter((e): e is Entry => !!e);
  for (const blob of pruneOldest(present(BLOB), kept)) markers.get(blob)?.forEach(remove);
  pruneOldest(present(CODE_CACHE), kept);
  for (const e of present(BUILD_LEFTOVER)) if (now - e.usedMs > buildStaleMs) remove(e.file);
}
