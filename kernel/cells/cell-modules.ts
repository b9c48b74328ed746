import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinModules, createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import ts = require('typescript');
import { exports as exportsTarget } from 'resolve.exports';
import { satisfies, validRange } from 'semver';
import { isRelativeSpecifier, LocalModules, resolveLocalFile, TS_SOURCE } from './local-modules';
import { parseNpmSpecifier } from './npm-specifier';
import { RUNTIME_MODULES, runtimeModule, TSLAB_MODULE } from './runtime-location';

/**
 * How cells get modules: `import`, `import x = require()`, `require()` and `import()` in a cell (transform.ts turns
 * them into `__tsf.require` / `__tsf.import`) all come here, and modules resolve as Node would from the notebook's
 * folder (the kernel's cwd). Only the runtime's own names (`tsfutures`, `concurrent.futures`) come from the kernel:
 * a notebook must not see the kernel's dependencies, or it would work for its author and nowhere else.
 * - local `.ts`/`.tsx`/`.mts` modules: compiled, and recompiled when edited (local-modules.ts);
 * - packages: CommonJS and ES modules alike (an ESM-only package's `import` condition is honoured);
 * - `npm:name@version` (Deno): the installed `name`, if its version satisfies the range (npm-specifier.ts).
 * Every module a cell obtains passes through `obtained` with its specifier and the folder it was resolved from.
 */
export interface ObtainedModule {
  /** As the cell wrote it, `npm:` prefix and version stripped. */
  specifier: string;
  /** The folder the specifier was resolved from: the notebook's, or a local module's for what that imports. */
  fromDir: string;
  exports: unknown;
}

const BUILTINS = new Set(builtinModules);
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]);
/** Node's own require, for builtins (the same module objects the kernel uses). */
const nodeRequire = createRequire(__filename);
/** A real dynamic import, kept out of the compiler's reach (a CommonJS build would turn `import()` into require). */
const nativeImport = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;

export class CellModules {
  private readonly local: LocalModules;

  constructor(
    private readonly cwd: string,
    private readonly runtime: Record<string, unknown>,
    compilerOptions: () => ts.CompilerOptions,
  ) {
    this.local = new LocalModules(
      (specifier, fromDir) => this.require(specifier, fromDir),
      (specifier, fromDir, exports) => this.obtained(specifier, fromDir, exports),
      compilerOptions,
    );
  }

  /** The module a static import or require() of `specifier` gets, resolved from `fromDir` (the notebook's folder). */
  require(specifier: string, fromDir: string = this.cwd): unknown {
    if (RUNTIME_MODULES.has(specifier)) return this.obtained(specifier, fromDir, this.runtime);
    if (specifier === TSLAB_MODULE) return this.obtained(specifier, fromDir, require(path.resolve(__dirname, '..', 'output', 'tslab')));
    const bare = this.npmPackage(specifier, fromDir);
    if (isBuiltin(bare)) return this.obtained(bare, fromDir, nodeRequire(bare));
    if (isRelativeSpecifier(bare)) {
      const file = resolveLocalFile(bare, fromDir);
      if (!file) throw notFound(bare, fromDir);
      return this.obtained(bare, fromDir, TS_SOURCE.test(file) ? this.local.require(file) : requireFrom(fromDir)(file));
    }
    return this.obtained(bare, fromDir, requireFrom(fromDir)(this.resolvePackage(bare, fromDir)));
  }

  /**
   * What `import(specifier)` gives a cell: the module's namespace. Loaded through require when it can be (ES
   * modules too, on Node >= 20.19: the same module instance, and no dependence on vm's dynamic import hook), through
   * Node's import() when it must be (a module with top-level await).
   */
  async import(specifier: string, fromDir: string = this.cwd): Promise<unknown> {
    try {
      return namespaceOf(this.require(specifier, fromDir));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ERR_REQUIRE_ASYNC_MODULE' && code !== 'ERR_REQUIRE_ESM') throw error;
      const bare = this.npmPackage(specifier, fromDir);
      const file = isRelativeSpecifier(bare) ? resolveLocalFile(bare, fromDir) : this.resolvePackage(bare, fromDir);
      return this.obtained(bare, fromDir, await nativeImport(pathToFileURL(file!).href));
    }
  }

  /**
   * The one place every module a cell (or a local module) imports passes through, whatever the kind of import:
   * the specifier, the folder it was resolved from, and the module's exports.
   */
  private obtained(specifier: string, fromDir: string, exports: unknown): unknown {
    // Pool workers get imported values by reference (specifier + export path, resolved from the same folder), as
    // pickle sends module functions; a local TypeScript module is compiled in memory here, so its functions travel
    // by source instead.
    if (!(isRelativeSpecifier(specifier) && TS_SOURCE.test(resolveLocalFile(specifier, fromDir) ?? ''))) {
      registerModule()(specifier, fromDir, exports);
    }
    return ({ specifier, fromDir, exports } satisfies ObtainedModule).exports;
  }

  /** For `npm:name@range/sub`: `name/sub`, once the installed `name` is found to satisfy the range. */
  private npmPackage(specifier: string, fromDir: string): string {
    const npm = parseNpmSpecifier(specifier);
    if (!npm) return specifier;
    if (npm.range === undefined) return npm.bare;
    const manifest = packageManifest(npm.name, fromDir);
    if (!manifest) throw notFound(npm.bare, fromDir, `${specifier}: package '${npm.name}' is not installed in ${fromDir} or above (npm install ${npm.name}@${npm.range})`);
    const installed = String(manifest.json.version);
    if (validRange(npm.range) === null || !satisfies(installed, npm.range)) {
      throw new Error(`${specifier}: the installed ${npm.name} is version ${installed} (${manifest.dir}), not ${npm.range}`);
    }
    return npm.bare;
  }

  /**
   * The file Node loads for a package specifier: require's resolution, or, for a package whose `exports` offer only
   * an `import` condition (ESM-only), the file that condition names.
   */
  private resolvePackage(specifier: string, fromDir: string): string {
    try {
      return requireFrom(fromDir).resolve(specifier);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED' && code !== 'MODULE_NOT_FOUND') throw error;
      const name = specifier.startsWith('@') ? specifier.split('/', 2).join('/') : specifier.split('/')[0];
      const manifest = packageManifest(name, fromDir);
      const target = manifest && exportsTarget(manifest.json, specifier, { conditions: ['node', 'import'] })?.[0];
      if (!manifest || !target) throw error;
      return path.join(manifest.dir, target);
    }
  }
}

type RegisterModule = (specifier: string, fromDir: string | null, exports: unknown) => void;
let registry: RegisterModule | undefined;
/** The runtime's registry of imported modules (runtime/futures/references.ts), the one the pools consult. */
function registerModule(): RegisterModule {
  // Without a runtime (a partial build) nothing ships anyway.
  registry ??= runtimeModule<{ registerModule: RegisterModule }>('futures/references')?.registerModule ?? (() => {});
  return registry;
}

function requireFrom(dir: string): NodeJS.Require {
  return createRequire(path.join(dir, '__tsfutures_cell__.js'));
}

/** The package.json of the installed package `name` that Node would find from `fromDir`. */
function packageManifest(name: string, fromDir: string): { dir: string; json: Record<string, unknown> } | undefined {
  for (const modules of requireFrom(fromDir).resolve.paths(name) ?? []) {
    const dir = path.join(modules, name);
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return { dir, json: JSON.parse(fs.readFileSync(file, 'utf8')) };
  }
  return undefined;
}

/** An ES module's namespace as it is; CommonJS exports as Node's import() shows them (`default` = module.exports). */
function namespaceOf(exports: unknown): unknown {
  if (exports === null || (typeof exports !== 'object' && typeof exports !== 'function')) return { default: exports };
  if (Object.prototype.toString.call(exports) === '[object Module]' || (exports as { __esModule?: boolean }).__esModule) return exports;
  return Object.freeze({ ...(exports as object), default: exports });
}

function notFound(specifier: string, fromDir: string, message = `Cannot find module '${specifier}' from ${fromDir}`): Error {
  return Object.assign(new Error(message), { code: 'MODULE_NOT_FOUND' });
}
