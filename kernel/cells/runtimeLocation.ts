import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { PACKAGE_ROOT } from '../package-root';

/**
 * Where the tsfutures runtime lives, for both halves of the engine: the type checker wants its declarations
 * (dist/runtime/index.d.ts when built, else the sources), the cells' require wants its value.
 * The engine runs either compiled (dist/kernel/cells) or from source under jest (kernel/cells), so both are probed.
 */

/** Module names a cell may import that mean "the runtime". */
export const RUNTIME_MODULES: ReadonlySet<string> = new Set(['tsfutures', 'concurrent.futures', 'concurrent']);

/** The file the type checker resolves the runtime modules to, or undefined when the runtime is not there yet. */
export function runtimeTypesFile(): string | undefined {
  const candidates = [
    path.join(PACKAGE_ROOT, 'dist', 'runtime', 'index.d.ts'),
    path.join(PACKAGE_ROOT, 'runtime', 'index.ts'),
  ];
  return candidates.find((f) => fs.existsSync(f));
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

type RegisterModule = (specifier: string, fromDir: string | null, exports: unknown) => void;

/**
 * The runtime's registry of what cells import: pool workers get imported values by reference (specifier + export
 * path, resolved from the notebook's folder), as pickle sends module functions. A no-op without a runtime.
 */
function moduleRegistry(): RegisterModule {
  try {
    const references = require(path.resolve(__dirname, '..', '..', 'runtime', 'futures', 'references')) as { registerModule: RegisterModule };
    return references.registerModule;
  } catch {
    return () => {};
  }
}

/** The require cells use: runtime names first, then packages from the notebook's directory, then from ours. */
export function createCellRequire(cwd: string, runtime: Record<string, unknown>): NodeJS.Require {
  const fromNotebook = createRequire(path.join(cwd, '__tsfutures_cell__.js'));
  const fromPackage = createRequire(path.join(PACKAGE_ROOT, 'package.json'));
  const registerModule = moduleRegistry();
  const cellRequire = ((id: string) => {
    const exports = load(id);
    registerModule(id, cwd, exports);
    return exports;
  }) as NodeJS.Require;
  const load = (id: string): unknown => {
    if (RUNTIME_MODULES.has(id)) return runtime;
    try {
      return fromNotebook(id);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
      try {
        return fromPackage(id);
      } catch {
        throw error;
      }
    }
  };
  return Object.assign(cellRequire, {
    resolve: fromNotebook.resolve,
    cache: fromNotebook.cache,
    extensions: fromNotebook.extensions,
    main: fromNotebook.main,
  });
}
