/**
 * Installing the kernelspec: kernels/<name>/ with kernel.json (from the repo's kernel.json template) and the logos,
 * and its JavaScript twin kernels/<name>-js/ (kernelspec-js.ts), under the Jupyter data dir that jupyter_client would use for the same flags as `jupyter kernelspec install`.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { jupyterDataDir, SYSTEM_DATA_DIR } from './jupyter-paths';
import { javascriptKernelJson, javascriptKernelName } from './kernelspec-js';
import { PACKAGE_ROOT as ROOT } from './package-root';

const LOGOS = ['logo-32x32.png', 'logo-64x64.png', 'logo-svg.svg'];
export const DEFAULT_NAME = 'tsfutures';

export type Scope = { kind: 'system' } | { kind: 'user' } | { kind: 'sys-prefix' } | { kind: 'prefix'; dir: string };

/** sys.prefix of /usr/bin/python3 (the Python whose Jupyter we serve); Debian's is /usr. */
function pythonSysPrefix(): string {
  const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
  try {
    return execFileSync('/usr/bin/python3', ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' }).trim();
  } catch {
    return '/usr';
  }
}

/** jupyter_client: --user → data dir; --prefix P → P/share/jupyter; --sys-prefix → sys.prefix/share/jupyter;
 *  no flag → the first system path, /usr/local/share/jupyter. */
export function kernelsDir(scope: Scope): string {
  switch (scope.kind) {
    case 'user':
      return path.join(jupyterDataDir(), 'kernels');
    case 'prefix':
      return path.join(path.resolve(scope.dir), 'share', 'jupyter', 'kernels');
    case 'sys-prefix':
      return path.join(pythonSysPrefix(), 'share', 'jupyter', 'kernels');
    case 'system':
      return path.join(SYSTEM_DATA_DIR, 'kernels');
  }
}

/** jupyter_client's rule for kernel names. */
export function validName(name: string): boolean {
  return /^[a-z0-9._-]+$/i.test(name);
}

/**
 * kernel.json for this checkout: the launcher script, which starts node from the start-up snapshot when its blob
 * is there and usable, else the ordinary way (snapshot/index.ts). Its env sets MALLOC_ARENA_MAX=2: glibc gives each
 * thread that mallocs (V8's compiler and GC helpers, the io thread, zeromq) an arena of its own, up to 8 per core,
 * and memory freed in one stays mapped. And MALLOC_TRIM_THRESHOLD_=131072: glibc returns freed memory at the top of
 * its heap beyond 128 kB (its default, which it raises up to 64 MB as large blocks come and go, keeping them
 * resident). And GLIBC_TUNABLES=glibc.malloc.hugetlb=1: large blocks (a 128 MB result from a process pool's worker)
 * are backed by transparent huge pages, one page fault per 2 MB instead of per 4 KB, which in a VM cost ~20 us each
 * and dominated receiving big data (runtime/futures/big-payloads.ts gives its workers the same); with
 * glibc.malloc.mmap_threshold=33554432, results up to 32 MB land in heap memory already faulted in (the start-up blob
 * is padded past it, so that node's read of the blob leaves no hole: snapshot/index.ts BLOB_MIN_BYTES). What each saves:
 * docs/performance.md, "Kernel memory" and "Big data to and from process workers".
 */
export function kernelJson(): { argv: string[] } & Record<string, unknown> {
  const template = JSON.parse(readFileSync(path.join(ROOT, 'kernel.json'), 'utf8')) as { argv: string[] };
  const { LAUNCHER, blobBase } = require('../snapshot') as typeof import('../snapshot');
  // The node running the installer, by absolute path: the notebook server's PATH may not have it.
  const fill: Record<string, string> = { node: process.execPath, '{launcher}': LAUNCHER, '{blob}': blobBase(process.execPath) };
  template.argv = template.argv.map((a) => fill[a] ?? a);
  return template;
}

/** Installs the TypeScript kernelspec `name` and the JavaScript one beside it (kernelspec-js.ts); returns the first's directory. */
export function install(scope: Scope, name = DEFAULT_NAME): string {
  const dir = path.join(kernelsDir(scope), name.toLowerCase());
  const json = kernelJson();
  writeSpec(dir, json);
  writeSpec(path.join(kernelsDir(scope), javascriptKernelName(name).toLowerCase()), javascriptKernelJson(json));
  // Built now, in the background, so that even the first kernel starts from it (else the first start builds it).
  const snapshot = require('../snapshot') as typeof import('../snapshot');
  snapshot.maintainSnapshot();
  return dir;
}

function writeSpec(dir: string, json: object): void {
  // Explicit modes: under a loose umask (000, 002) a world-writable kernel.json would let anyone change what runs.
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(path.join(dir, 'kernel.json'), JSON.stringify(json, null, 2) + '\n', { mode: 0o644 });
  chmodSync(path.join(dir, 'kernel.json'), 0o644); // mode only applies when the file is created
  for (const logo of LOGOS) {
    copyFileSync(path.join(ROOT, 'kernel', 'kernelspec', logo), path.join(dir, logo));
    chmodSync(path.join(dir, logo), 0o644);
  }
}

/** Removes the kernelspec and its JavaScript twin; returns the removed directory, or undefined when there was none. */
export function uninstall(scope: Scope, name = DEFAULT_NAME): string | undefined {
  const dir = path.join(kernelsDir(scope), name.toLowerCase());
  rmSync(path.join(kernelsDir(scope), javascriptKernelName(name).toLowerCase()), { recursive: true, force: true });
  if (!existsSync(dir)) return undefined;
  rmSync(dir, { recursive: true, force: true });
  return dir;
}
