import * as path from 'node:path';
import ts = require('typescript');
import { createDocumentRegistry } from './documents';
import { LIB_FILE, libText, resolveLibrary } from './lib';
import { NODE_LITE_TYPES } from './nodeLite';
import { EMIT_OPTIONS } from './transform';
import { PACKAGE_ROOT } from '../package-root';
import { RUNTIME_MODULES, runtimeTypesFile, TSLAB_MODULE, tslabTypesFile } from './runtimeLocation';

/**
 * The notebook as a TypeScript project kept in one LanguageService, so every cell reuses the previous program
 * (parsed lib files, earlier cells) instead of building a new one.
 *
 * Files are virtual and live in the notebook's directory (so `./x` and node_modules resolve from there):
 * - the cell being checked, `__tsfutures_cell_checked.ts`; once it passed and defines names, a copy of it as
 *   `__tsfutures_cell_N.ts`, which the global script then references;
 * - global declaration scripts (not modules; chunks of one list, see declarations.ts CHUNK_SIZE) naming everything
 *   visible to the next cell (runtime exports, notebook globals, earlier cells' top-level names), and one module
 *   of global aliases for the names that are namespaces too (`import * as fs`: `fs.Stats` in a later cell);
 * - until a cell needs @types/node, a script of Node's common globals (nodeLite.ts);
 * - a scratch module holding the code being completed/inspected.
 * The program's roots are only these: earlier cells enter it through `import("./cell")` types in the script,
 * so a cell whose names were all redefined later drops out of the program.
 */
export const CELL_PREFIX = '__tsfutures_cell_';
const GLOBALS_PREFIX = '__tsfutures_globals_';
const SCRATCH_NAME = '__tsfutures_scratch.ts';
const NODE_LITE_NAME = '__tsfutures_node_lite.d.ts';
const NAMESPACES_NAME = '__tsfutures_namespaces.ts';

/** The @types folder holding @types/node as Node resolves it from this package: an installed tsfutures finds it
 *  hoisted into the project's node_modules, a checkout in its own. */
function nodeTypesRoot(): string {
  try {
    return path.dirname(path.dirname(require.resolve('@types/node/package.json', { paths: [PACKAGE_ROOT] })));
  } catch {
    return path.join(PACKAGE_ROOT, 'node_modules', '@types');
  }
}

export const COMPILER_OPTIONS: ts.CompilerOptions = {
  // The cells that pass are emitted from this program too (transform.ts emitCheckedCell); nothing is written.
  ...EMIT_OPTIONS,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  // Node 20 has ES2023 plus Symbol.dispose/asyncDispose; no DOM: one merged file of those lib files as the default
  // library, and `/// <reference lib>`s into it resolve to it (lib.ts says why). @types/node gives console, process,
  // require, timers (once a cell needs it: until then nodeLite.ts declares the common globals, see useNodeTypes).
  libReplacement: true,
  types: ['node'],
  typeRoots: [nodeTypesRoot()],
  // strict, except implicit any: notebook code often leaves parameters unannotated, as Python does.
  strict: true,
  noImplicitAny: false,
  skipLibCheck: true,
  esModuleInterop: true,
  allowSyntheticDefaultImports: true,
  resolveJsonModule: true,
};

/** Before any cell needs @types/node: the same options without it (the lite script stands in). */
const LITE_OPTIONS: ts.CompilerOptions = { ...COMPILER_OPTIONS, types: [] };

/**
 * A snapshot that tells the service which span changed since the previous one, so it re-parses only that span:
 * a cell usually adds a line to the last global script chunk (up to CHUNK_SIZE declarations) or changes the
 * checked cell, and the rest of the file's syntax tree is reused.
 */
class EditedSnapshot implements ts.IScriptSnapshot {
  constructor(readonly text: string) {}
  getText(start: number, end: number): string {
    return this.text.substring(start, end);
  }
  getLength(): number {
    return this.text.length;
  }
  getChangeRange(old: ts.IScriptSnapshot): ts.TextChangeRange | undefined {
    if (!(old instanceof EditedSnapshot)) return undefined;
    const a = old.text;
    const b = this.text;
    const max = Math.min(a.length, b.length);
    let start = 0;
    while (start < max && a.charCodeAt(start) === b.charCodeAt(start)) start++;
    let end = 0;
    while (end < max - start && a.charCodeAt(a.length - 1 - end) === b.charCodeAt(b.length - 1 - end)) end++;
    return ts.createTextChangeRange(ts.createTextSpan(start, a.length - start - end), b.length - start - end);
  }
}

interface VirtualFile {
  text: string;
  version: number;
  snapshot: ts.IScriptSnapshot;
}

export class CellProject {
  readonly cwd: string;
  /** The global declaration scripts, one per chunk (setGlobalScripts). */
  private readonly globalsFiles: string[] = [];
  readonly scratchFile: string;
  readonly checkedFile: string;
  readonly nodeLiteFile: string;
  readonly namespacesFile: string;
  private nodeTypes = false;
  private readonly files = new Map<string, VirtualFile>();
  private readonly diskSnapshots = new Map<string, ts.IScriptSnapshot | undefined>();
  private projectVersion = 0;
  private readonly runtimeTypes = runtimeTypesFile();
  private readonly resolutionCache: ts.ModuleResolutionCache;
  /**
   * Disk lookups (fileExists/readFile/directoryExists) and module resolutions, remembered: every cell is a
   * new program, and without these each one re-stats and re-parses package.json files (measured: ~3/4 of a cell's
   * check time). The notebook can install packages mid-session, so forgetDisk() drops them when an import fails.
   */
  private disk = new Map<string, unknown>();
  private resolved = new Map<string, ts.ResolvedModuleWithFailedLookupLocations>();
  readonly service: ts.LanguageService;

  constructor(cwd: string) {
    this.cwd = cwd;
    this.scratchFile = path.join(cwd, SCRATCH_NAME);
    this.checkedFile = path.join(cwd, `${CELL_PREFIX}checked.ts`);
    this.setGlobalScripts(['']);
    this.setFile(this.scratchFile, 'export {};');
    this.setFile(this.checkedFile, 'export {};');
    this.namespacesFile = path.join(cwd, NAMESPACES_NAME);
    this.setFile(this.namespacesFile, 'export {};');
    this.nodeLiteFile = path.join(cwd, NODE_LITE_NAME);
    this.setFile(this.nodeLiteFile, NODE_LITE_TYPES);
    this.resolutionCache = ts.createModuleResolutionCache(cwd, (f) => f, COMPILER_OPTIONS);
    this.service = ts.createLanguageService(this.createHost(), createDocumentRegistry(ts.sys.useCaseSensitiveFileNames, cwd));
  }

  cellFileName(n: number): string {
    return path.join(this.cwd, `${CELL_PREFIX}${n}.ts`);
  }

  /** The specifier the global script uses to reach a cell's module. */
  cellSpecifier(n: number): string {
    return `./${CELL_PREFIX}${n}`;
  }

  /** Sets the global declaration scripts' texts (declarations.ts chunkTexts); a new chunk becomes a new root file. */
  setGlobalScripts(texts: readonly string[]): void {
    texts.forEach((text, i) => {
      this.globalsFiles[i] ??= path.join(this.cwd, `${GLOBALS_PREFIX}${i}.d.ts`);
      this.setFile(this.globalsFiles[i], text);
    });
  }

  isGlobalScript(fileName: string): boolean {
    return this.globalsFiles.includes(fileName);
  }

  /** One of the notebook's own files (cells, global script, scratch): its declarations change during a session. */
  isVirtual(fileName: string): boolean {
    return this.files.has(fileName);
  }

  setFile(fileName: string, text: string): void {
    const old = this.files.get(fileName);
    if (old && old.text === text) return;
    this.files.set(fileName, { text, version: (old?.version ?? 0) + 1, snapshot: new EditedSnapshot(text) });
    this.projectVersion++;
  }

  /** The cell being checked, always under the same file name: a cell that defines nothing (`1+1`) then changes
   *  only that file's text, and TypeScript reuses the whole previous program structure (the cheapest update). */
  setCheckedCell(text: string): void {
    this.setFile(this.checkedFile, text);
  }

  /** Whether the program has the full @types/node (else the lite globals of nodeLite.ts). */
  get hasNodeTypes(): boolean {
    return this.nodeTypes;
  }

  /**
   * From now on the program has the full @types/node instead of the lite globals (for good: a session that used
   * Node's modules once will again). One-time cost ~0.5 s (parsing @types/node); lib files are not re-parsed.
   */
  useNodeTypes(): void {
    if (this.nodeTypes) return;
    this.nodeTypes = true;
    this.files.delete(this.nodeLiteFile);
    this.projectVersion++;
  }

  forgetDisk(): void {
    this.disk = new Map();
    this.resolved = new Map();
    this.resolutionCache.clear();
    this.projectVersion++;
  }

  private remember<T>(kind: string, key: string, compute: () => T): T {
    const k = kind + key;
    if (this.disk.has(k)) return this.disk.get(k) as T;
    const v = compute();
    this.disk.set(k, v);
    return v;
  }

  private fileExists(f: string): boolean {
    return this.files.has(f) || f === LIB_FILE || this.remember('f', f, () => ts.sys.fileExists(f));
  }

  private readFile(f: string): string | undefined {
    return this.files.get(f)?.text ?? (f === LIB_FILE ? libText() : this.remember('r', f, () => ts.sys.readFile(f)));
  }

  private directoryExists(d: string): boolean {
    return this.remember('d', d, () => ts.sys.directoryExists(d));
  }

  program(): ts.Program {
    const program = this.service.getProgram();
    if (!program) throw new Error('TypeScript language service has no program');
    return program;
  }

  private createHost(): ts.LanguageServiceHost {
    const sys = ts.sys;
    const host: ts.LanguageServiceHost & {
      getModuleResolutionCache(): ts.ModuleResolutionCache;
      /** Not in the public typings; the service hands it to the program (used with libReplacement, see lib.ts). */
      resolveLibrary(name: string, from: string, options: ts.CompilerOptions, libFileName: string): ts.ResolvedModuleWithFailedLookupLocations;
    } = {
      getProjectVersion: () => String(this.projectVersion),
      getScriptFileNames: () =>
        this.nodeTypes
          ? [...this.globalsFiles, this.namespacesFile, this.scratchFile, this.checkedFile]
          : [this.nodeLiteFile, ...this.globalsFiles, this.namespacesFile, this.scratchFile, this.checkedFile],
      getScriptVersion: (f) => String(this.files.get(f)?.version ?? 0),
      getScriptSnapshot: (f) => {
        const v = this.files.get(f);
        if (v) return v.snapshot;
        // Lib, @types and package files do not change during a session: read each once.
        if (!this.diskSnapshots.has(f)) {
          const text = f === LIB_FILE ? libText() : sys.readFile(f);
          this.diskSnapshots.set(f, text === undefined ? undefined : ts.ScriptSnapshot.fromString(text));
        }
        return this.diskSnapshots.get(f);
      },
      getCurrentDirectory: () => this.cwd,
      getCompilationSettings: () => (this.nodeTypes ? COMPILER_OPTIONS : LITE_OPTIONS),
      getDefaultLibFileName: () => LIB_FILE,
      resolveLibrary: (_name, _from, _options, libFileName) => resolveLibrary(libFileName),
      fileExists: (f) => this.fileExists(f),
      readFile: (f) => this.readFile(f),
      directoryExists: (d) => this.directoryExists(d),
      getDirectories: (d) => this.remember('g', d, () => sys.getDirectories(d)),
      realpath: (f) => this.remember('p', f, () => sys.realpath?.(f) ?? f),
      useCaseSensitiveFileNames: () => sys.useCaseSensitiveFileNames,
      // Lets the program reuse our cache for package.json scope lookups too (each file, each program otherwise).
      getModuleResolutionCache: () => this.resolutionCache,
      resolveModuleNameLiterals: (literals, containingFile, redirected, options) =>
        literals.map((lit) => {
          const key = `${containingFile}\0${lit.text}`;
          const known = this.resolved.get(key);
          if (known) return known;
          // Failures too: @types/node imports ambient modules ("node:events") that never resolve to a file.
          const found = this.resolveModule(lit.text, containingFile, options, redirected);
          this.resolved.set(key, found);
          return found;
        }),
    };
    return host;
  }

  private resolveModule(
    name: string,
    containingFile: string,
    options: ts.CompilerOptions,
    redirected: ts.ResolvedProjectReference | undefined,
  ): ts.ResolvedModuleWithFailedLookupLocations {
    if (RUNTIME_MODULES.has(name) && this.runtimeTypes) {
      const extension = this.runtimeTypes.endsWith('.d.ts') ? ts.Extension.Dts : ts.Extension.Ts;
      return { resolvedModule: { resolvedFileName: this.runtimeTypes, extension, isExternalLibraryImport: false } };
    }
    const tslabTypes = name === TSLAB_MODULE ? tslabTypesFile() : undefined;
    if (tslabTypes) {
      const extension = tslabTypes.endsWith('.d.ts') ? ts.Extension.Dts : ts.Extension.Ts;
      return { resolvedModule: { resolvedFileName: tslabTypes, extension, isExternalLibraryImport: false } };
    }
    const host: ts.ModuleResolutionHost = {
      fileExists: (f) => this.fileExists(f),
      readFile: (f) => this.readFile(f),
      directoryExists: (d) => this.directoryExists(d),
      realpath: (f) => this.remember('p', f, () => ts.sys.realpath?.(f) ?? f),
    };
    const found = ts.resolveModuleName(name, containingFile, options, host, this.resolutionCache, redirected);
    if (found.resolvedModule || path.dirname(containingFile) === PACKAGE_ROOT) return found;
    // Not installed next to the notebook: fall back to the kernel's own packages (as the cells' require does).
    return ts.resolveModuleName(name, path.join(PACKAGE_ROOT, '__cell.ts'), options, host);
  }
}
