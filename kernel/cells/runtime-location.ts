import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../install/package-root';

/**
 * Where the tsfutures runtime lives, for both halves of the engine: the type checker wants its declarations
 * (dist/runtime/index.d.ts when built, else the sources), the cells' require wants its value.
 * The engine runs either compiled (dist/kernel/cells) or from source under jest (kernel/cells), so both are probed.
 */

/** Module names a cell may import that mean "the runtime". */
export const RUNTIME_MODULES: ReadonlySet<string> = new Set(['tsfutures', 'concurrent.futures', 'concurrent']);

/** tslab's display module, which the kernel provides itself (kernel/output/tslab.ts) so notebooks written for tslab render. */
export const TSLAB_MODULE = 'tslab';

/** The file the type checker reads for one of kernel/output's modules: its declarations when built, else its source. */
function outputModuleTypesFile(name: string): string | undefined {
  const candidates = [path.join(PACKAGE_ROOT, 'dist', 'kernel', 'output', `${name}.d.ts`), path.join(PACKAGE_ROOT, 'kernel', 'output', `${name}.ts`)];
  return candidates.find((f) => fs.existsSync(f));
}

/** The file the type checker resolves `tslab` to. */
export function tslabTypesFile(): string | undefined {
  return outputModuleTypesFile('tslab');
}

/**
 * Gives cells the `Deno` namespace (kernel/output/deno.ts): its module as `shadows.Deno` (loaded when a cell first passes
 * it to its wrapper, not on the kernel's start-up path), and for the type checker `declare`s it as the module's
 * type (its declarations when built, else its source). Returns whether it could.
 */
export function provideDeno(shadows: Record<string, unknown>, declare: (declaration: string) => void): boolean {
  try {
    const types = outputModuleTypesFile('deno')?.replace(/(?:\.d)?\.ts$/, '');
    if (!types) return false;
    let value: unknown;
    Object.defineProperty(shadows, 'Deno', { get: () => (value ??= require(path.resolve(__dirname, '..', 'output', 'deno'))), enumerable: true, configurable: true });
    declare(`declare const Deno: typeof import(${JSON.stringify(types)});`);
    return true;
  } catch (error) {
    process.emitWarning(`tsfutures: the Deno namespace is not available: ${String(error)}`);
    return false;
  }
}

/** The file the type checker resolves the runtime modules to, or undefined when the runtime is not there yet. */
export function runtimeTypesFile(): string | undefined {
  const candidates = [
    path.join(PACKAGE_ROOT, 'dist', 'runtime', 'index.d.ts'),
    path.join(PACKAGE_ROOT, 'runtime', 'index.ts'),
  ];
  return candidates.find((f) => fs.existsSync(f));
}

/** A module of the runtime (`futures/shipping`), the very instance loadRuntime's exports use; undefined without one. */
export function runtimeModule<T>(file: string): T | undefined {
  try {
    return require(path.resolve(__dirname, '..', '..', 'runtime', file)) as T;
  } catch {
    return undefined;
  }
}

/** The runtime's exports, loaded once; {} (and the reason) when it cannot be loaded, so cells still run. */
export function loadRuntime(): { exports: Record<string, unknown>; error?: unknown } {
  try {
    // Relative to this file: dist/kernel/cells -> dist/runtime, kernel/cells -> runtime (jest transpiles it).
    return { exports: require(path.resolve(__dirname, '..', '..', 'runtime')) as Record<string, unknown> };
  } catch (error) {
    return { exports: {}, error };
  }
}
