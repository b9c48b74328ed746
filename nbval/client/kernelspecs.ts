/**
 * Finds kernelspecs by name in the directories jupyter_client searches, in its order of precedence.
 * Our own kernel also works without any Jupyter installation: `tsfutures` falls back to a built-in spec
 * that runs this checkout's bin/tsfutures.js.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { jupyterPath } from '../../kernel/install/jupyter-paths';
import { PACKAGE_ROOT } from '../../kernel/install/package-root';
import { kernelV8Flags } from '../../kernel/process/launcher';
import { javascriptKernelJson, javascriptKernelName } from '../../kernel/install/kernelspec-js';

export interface KernelSpec {
  name: string;
  /** The kernelspec directory, or null for the built-in spec. */
  resourceDir: string | null;
  argv: string[];
  display_name: string;
  language: string;
  interrupt_mode: 'signal' | 'message';
  env: Record<string, string>;
  metadata: Record<string, unknown>;
}

export const TSFUTURES_KERNEL = 'tsfutures';
/** Its JavaScript twin (kernelspec-js.ts), for notebooks whose metadata says javascript. */
export const TSFUTURES_JS_KERNEL = javascriptKernelName(TSFUTURES_KERNEL);

/** Kernelspec directories, highest precedence first (jupyter_client's jupyter_path('kernels')). */
export function kernelSpecDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  return jupyterPath('kernels', env);
}

/** name (lower-case) → directory, first found wins, like jupyter_client's find_kernel_specs. */
export function findKernelSpecs(env: NodeJS.ProcessEnv = process.env): Map<string, string> {
  const found = new Map<string, string>();
  for (const dir of kernelSpecDirs(env)) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      const name = entry.toLowerCase();
      if (!found.has(name) && existsSync(path.join(dir, entry, 'kernel.json'))) found.set(name, path.join(dir, entry));
    }
  }
  return found;
}

export function readKernelSpec(name: string, dir: string): KernelSpec {
  const json = JSON.parse(readFileSync(path.join(dir, 'kernel.json'), 'utf8'));
  if (!Array.isArray(json.argv) || json.argv.length === 0) throw new Error(`kernelspec ${dir} has no argv`);
  return {
    name,
    resourceDir: dir,
    argv: json.argv.map(String),
    display_name: json.display_name ?? name,
    language: json.language ?? '',
    interrupt_mode: json.interrupt_mode === 'message' ? 'message' : 'signal',
    env: json.env ?? {},
    metadata: json.metadata ?? {},
  };
}

/**
 * This checkout's kernel.json (display name, language, env such as MALLOC_ARENA_MAX: kernelspec.ts), started the
 * plain way instead of through its snapshot launcher.
 */
export function builtinTsfuturesSpec(): KernelSpec {
  return {
    ...readKernelSpec(TSFUTURES_KERNEL, PACKAGE_ROOT),
    resourceDir: null,
    // The installed kernel's V8 flags (launcher.ts), without its start-up snapshot.
    argv: [process.execPath, ...kernelV8Flags(PACKAGE_ROOT), path.join(PACKAGE_ROOT, 'bin', 'tsfutures.js'), 'kernel', '-f', '{connection_file}'],
  };
}

/** The built-in spec's JavaScript twin: cells are JavaScript (kernel/cells/language.ts). */
export function builtinJavascriptSpec(): KernelSpec {
  return { ...javascriptKernelJson(builtinTsfuturesSpec()), name: TSFUTURES_JS_KERNEL };
}

export class NoSuchKernel extends Error {
  override name = 'NoSuchKernel';
  constructor(readonly kernelName: string) {
    super(`No such kernel named ${kernelName} (searched ${kernelSpecDirs().join(', ')})`);
  }
}

/** The spec for `name`; the built-in one for tsfutures when none is installed. */
export function getKernelSpec(name: string, env: NodeJS.ProcessEnv = process.env): KernelSpec {
  const dir = findKernelSpecs(env).get(name.toLowerCase());
  if (dir) return readKernelSpec(name, dir);
  if (name.toLowerCase() === TSFUTURES_KERNEL) return builtinTsfuturesSpec();
  if (name.toLowerCase() === TSFUTURES_JS_KERNEL) return builtinJavascriptSpec();
  throw new NoSuchKernel(name);
}

/** Whether a real (installed) kernelspec exists, i.e. Jupyter itself can start this kernel. */
export function isKernelSpecInstalled(name: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return findKernelSpecs(env).has(name.toLowerCase());
}
