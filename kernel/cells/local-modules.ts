import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import ts = require('typescript');
import { runtimeModule } from './runtime-location';

/**
 * The notebook's own TypeScript modules (`import { f } from "./helpers"` with a helpers.ts beside the notebook),
 * compiled to CommonJS on first use and again whenever the file, or a local module it imports, changed on disk:
 * a user edits the module and re-runs the cell, as with tslab. Node cannot require a .ts file itself.
 * Their imports of anything else (packages, node: modules, .js files) go back through the cells' loader.
 */
export const TS_SOURCE = /\.(?:ts|tsx|mts|cts)$/;
const PROBED_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json'];
/** TypeScript's convention: `./x.js` names the module compiled from x.ts. */
const COMPILED_TO_SOURCE: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

export function isRelativeSpecifier(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..' || path.isAbsolute(specifier);
}

const isFile = (f: string): boolean => fs.statSync(f, { throwIfNoEntry: false })?.isFile() ?? false;

/** The file a relative specifier names, probed as TypeScript's resolver does (extensions, then index files). */
export function resolveLocalFile(specifier: string, fromDir: string): string | undefined {
  const base = path.resolve(fromDir, specifier);
  if (isFile(base)) return base;
  for (const [compiled, sources] of Object.entries(COMPILED_TO_SOURCE)) {
    if (!base.endsWith(compiled)) continue;
    const found = sources.map((ext) => base.slice(0, -compiled.length) + ext).find(isFile);
    if (found) return found;
  }
  return [...PROBED_EXTENSIONS.map((ext) => base + ext), ...PROBED_EXTENSIONS.map((ext) => path.join(base, `index${ext}`))].find(isFile);
}

function stampOf(file: string): string | undefined {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat && `${stat.mtimeMs}:${stat.size}`;
}

interface CompiledModule {
  /** The file's modification time and size when compiled: either changing means it was edited. */
  stamp: string;
  module: { exports: unknown };
  /** The local TypeScript modules it imported: a change to one of them recompiles this one too. */
  deps: string[];
}

export class LocalModules {
  private readonly compiled = new Map<string, CompiledModule>();

  /**
   * `load(specifier, fromDir)` is the cells' loader, for what a local module imports that is not itself a local
   * TypeScript module; `obtained` is where the loader sees every module (cell-modules.ts), local ones included.
   * `compilerOptions()` are the cells' (jsx factory, decorators), read at each compile.
   */
  constructor(
    private readonly load: (specifier: string, fromDir: string) => unknown,
    private readonly obtained: (specifier: string, fromDir: string, exports: unknown) => unknown,
    private readonly compilerOptions: () => ts.CompilerOptions,
  ) {}

  /** The exports of a .ts/.tsx/.mts/.cts file, compiled now if it (or a local module it imports) changed. */
  require(file: string): unknown {
    const known = this.compiled.get(file);
    if (known && this.isFresh(file, new Set())) return known.module.exports;
    const source = fs.readFileSync(file, 'utf8');
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { ...this.compilerOptions(), module: ts.ModuleKind.CommonJS, sourceMap: false, inlineSourceMap: true, inlineSources: true },
    });
    const entry: CompiledModule = { stamp: stampOf(file)!, module: { exports: {} }, deps: [] };
    // Kept before it runs, so an import cycle between local modules gets the partial exports, as Node gives.
    this.compiled.set(file, entry);
    const dir = path.dirname(file);
    const localRequire = (specifier: string): unknown => {
      const local = isRelativeSpecifier(specifier) ? resolveLocalFile(specifier, dir) : undefined;
      if (local && TS_SOURCE.test(local)) {
        entry.deps.push(local);
        return this.obtained(specifier, dir, this.require(local));
      }
      return this.load(specifier, dir);
    };
    // Its functions are shipped to pool workers by source: the runtime finds what they import in this code.
    registerModuleSource()(file, outputText, localRequire, () => entry.module.exports);
    try {
      const run = vm.compileFunction(outputText, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
      run.call(entry.module.exports, entry.module.exports, localRequire, entry.module, file, dir);
    } catch (error) {
      this.compiled.delete(file);
      throw error;
    }
    return entry.module.exports;
  }

  private isFresh(file: string, seen: Set<string>): boolean {
    if (seen.has(file)) return true;
    seen.add(file);
    const entry = this.compiled.get(file);
    return !!entry && stampOf(file) === entry.stamp && entry.deps.every((dep) => this.isFresh(dep, seen));
  }
}

type RegisterModuleSource = (filename: string, text: string, load: (specifier: string) => unknown, exports: () => unknown) => void;
let registry: RegisterModuleSource | undefined;
/** The runtime's registry of module sources (runtime/futures/module-sources.ts); without a runtime nothing ships. */
function registerModuleSource(): RegisterModuleSource {
  registry ??= runtimeModule<{ registerModuleSource: RegisterModuleSource }>('futures/module-sources')?.registerModuleSource ?? (() => {});
  return registry;
}
