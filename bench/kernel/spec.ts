import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { builtinTsfuturesSpec, readKernelSpec, type KernelSpec } from '../../nbval/client/kernelspecs';
import { kernelJson } from '../../kernel/install/kernelspec';
import { PACKAGE_ROOT } from '../../kernel/install/package-root';

const IPYKERNEL_DIR = '/usr/share/jupyter/kernels/python3';
const TSLAB_BIN = path.join(PACKAGE_ROOT, 'node_modules', 'tslab', 'bin', 'tslab');

/** Our kernel as `tsfutures install` would start it (kernel.json's argv), not the built-in fallback spec. */
export function installedSpec(): KernelSpec {
  return { ...builtinTsfuturesSpec(), argv: kernelJson().argv };
}

/** Debian's ipykernel (python3-ipykernel), if installed. */
export function ipykernelSpec(): KernelSpec | undefined {
  return existsSync(path.join(IPYKERNEL_DIR, 'kernel.json')) ? readKernelSpec('python3', IPYKERNEL_DIR) : undefined;
}

/**
 * tslab from node_modules, as its own kernel.json (node_modules/tslab/python/install.py) starts it; type-checking is
 * on by default.
 */
export function tslabSpec(): KernelSpec | undefined {
  if (!existsSync(TSLAB_BIN)) return undefined;
  return { ...builtinTsfuturesSpec(), name: 'tslab', argv: [process.execPath, TSLAB_BIN, 'kernel', '--config-path', '{connection_file}'] };
}
