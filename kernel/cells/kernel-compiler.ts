import Module from 'node:module';
import * as path from 'node:path';

/**
 * The kernel's compiler (typescript-source.ts: typescript.js without the sections the kernel never runs) is for the
 * kernel's own modules only. It is not put in require.cache under typescript.js's name, where any require of that
 * file would get it: a cell's `import * as ts from "typescript"` or a package that requires typescript (ts-morph)
 * resolves to that very file whenever the notebook's folder finds the kernel's typescript (a notebook in this
 * checkout, a project where npm hoisted one typescript for both). Those get the whole compiler, loaded as usual.
 */

/** This package's compiled files (dist/kernel, dist/runtime): their `require('typescript')` gets the kernel's. */
const OWN_FILES = path.dirname(path.dirname(__dirname)) + path.sep;

type Load = (request: string, parent: Module | undefined, isMain: boolean) => unknown;

let kernelCompiler: Module | undefined;

/** Makes `mod` what this package's modules get for `require('typescript')` from now on. */
export function useAsKernelCompiler(mod: Module): void {
  if (!kernelCompiler) {
    const loader = Module as unknown as { _load: Load };
    const load = loader._load;
    // Module._load is what require() calls (require.resolve is not, so it still names typescript.js).
    loader._load = function (this: unknown, request, parent, isMain) {
      if (request === 'typescript' && kernelCompiler && parent?.filename?.startsWith(OWN_FILES)) return kernelCompiler.exports;
      return load.call(this, request, parent, isMain);
    };
  }
  kernelCompiler = mod;
}

/** True once the kernel's modules have their compiler (typescript-code.ts then leaves it as it is). */
export function hasKernelCompiler(): boolean {
  return kernelCompiler !== undefined;
}
