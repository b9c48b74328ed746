import * as fs from 'node:fs';
import * as path from 'node:path';
import ts = require('typescript');
import { createDocumentRegistry } from './documents';
import { LIB_FILE, libText, resolveLibrary } from './lib';
import { NODE_LITE_TYPES } from './node-lite';
import { cellCompilerOptions } from './compiler-options';
import type { CellLanguage } from './language';
import { parseNpmSpecifier } from './npm-specifier';
import { RUNTIME_MODULES, runtimeTypesFile, TSLAB_MODULE, tslabTypesFile } from './runtime-location';

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
 * - until a cell needs @types/node, a script of Node's common globals (node-lite.ts);
 * - a scratch module holding the code being completed/inspected.
 * The program's roots are only these: earlier cells enter it through `import("./cell")` types in the script,
 * so a cell whose names were all redefined later drops out of the program.
 */
export const CELL_PREFIX = '__tsfutures_cell_';
const GLOBALS_PREFIX = '__tsfutures_globals_';
const SCRATCH_NAME = '__tsfutures_scratch.ts';
const NODE_LITE_NAME = '__tsfutures_node_lite.d.ts';
const NAMESPACES_NAME = '__tsfutures_namespaces.ts';

/** Texts shorter than this (about two lines of a cell) are parsed whole: below it the incremental parse was no cheaper. */
const WHOLE_PARSE_BELOW = 200;

/**
 * A snapshot that tells the service which span changed since the previous one, so it re-parses only that span:
 * a cell usually adds a line to the last global script chunk (up to CHUNK_SIZE declarations), and the rest of the
 * file's syntax tree is reused. When most of the text changed it tells nothing and the file is parsed anew: the
 * incremental parser's bookkeeping over the old tree then reuses nothing and cost a small cell several times a
 * fresh parse (docs/performance.md, "The cell engine"). Nor does it for a short text (WHOLE_PARSE_BELOW): one
 * small cell after another (`const x1 = 1` then `const x2 = 2`) differs by a few characters in its middle, so the
 * one statement is re-parsed either way and the bookkeeping only adds to it; a longer cell run again after an edit
 * keeps the incremental parse, which then reuses its unchanged statements.
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
    if (!(old instanceof EditedSnapshot) || this.text.length < WHOLE_PARSE_BELOW) return undefined;
    const a = old.text;
    const b = this.text;
    const max = Math.min(a.length, b.length);
    let start = 0;
    while (start < max && a.charCodeAt(start) === b.charCodeAt(start)) start++;
    let end = 0;
    while (end < max - start && a.charCodeAt(a.length - 1 - end) === b.charCodeAt(b.length - 1 - end)) end++;
    const newLength = b.length - start - end;
    if (newLength > b.length / 2) return undefined;
    return ts.createTextChangeRange(ts.createTextSpan(start, a.length - start - end), newLength);
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
  /** The cell being checked: a .ts file, or a .tsx one for a cell written in JSX (setCheckedCell). */
  private checked: string;
  private readonly checkedTs: string;
  private readonly checkedTsx: string;
  /** The cells' options (compiler-options.ts), and the same without @types/node (the lite script stands in). */
  readonly compilerOptions: ts.CompilerOptions;
  private readonly liteOptions: ts.CompilerOptions;
  readonly nodeLiteFile: string;
  readonly namespacesFile: string;
  private nodeTypes = false;
  private readonly files = new Map<string, VirtualFile>();
  private readonly diskSnapshots = new Map<string, ts.IScriptSnapshot | undefined>();
  /** For the notebook's own modules (isNotebookSource): the stamp of the text in diskSnapshots. */
  private readonly snapshotStamps = new Map<string, string>();
  private projectVersion = 0;
  private readonly runtimeTypes = runtimeTypesFile();
  private readonly resolutionCache: ts.ModuleResolutionCache;
  /** The `types` and `/// <reference types>` resolutions, kept across programs as resolutionCache is (see typeReferences). */
  private readonly typeReferenceCache: ts.TypeReferenceDirectiveResolutionCache;
  /**
   * Disk lookups (fileExists/readFile/directoryExists) and module resolutions, remembered: every cell is a
   * new program, and without these each one re-stats and re-parses package.json files (measured: ~3/4 of a cell's
   * check time). The notebook can install packages mid-session, so forgetDisk() drops them when an import fails.
   */
  private disk = new Map<string, unknown>();
  private resolved = new Map<string, ts.ResolvedModuleWithFailedLookupLocations>();
  readonly service: ts.LanguageService;

  constructor(cwd: string, compilerOptions: ts.CompilerOptions = cellCompilerOptions(cwd), language: CellLanguage = 'typescript') {
    this.cwd = cwd;
    // JavaScript cells are .js files: TypeScript then reports syntax errors and the few that are errors in plain
    // JavaScript too (a redeclared `let`), not type errors, unless a tsconfig.json asks for checkJs. The outDir
    // only lets a .js file be emitted (else it would overwrite itself): nothing is written.
    if (language === 'javascript') compilerOptions = { ...compilerOptions, allowJs: true, outDir: path.join(cwd, `${CELL_PREFIX}emit`) };
    this.compilerOptions = compilerOptions;
    this.liteOptions = { ...compilerOptions, types: [] };
    this.scratchFile = path.join(cwd, SCRATCH_NAME);
    const [plain, jsx] = language === 'javascript' ? ['.js', '.jsx'] : ['.ts', '.tsx'];
    this.checkedTs = path.join(cwd, `${CELL_PREFIX}checked${plain}`);
    this.checkedTsx = path.join(cwd, `${CELL_PREFIX}checked${jsx}`);
    this.checked = this.checkedTs;
    this.setGlobalScripts(['']);
    this.setFile(this.scratchFile, 'export {};');
    this.setFile(this.checked, 'export {};');
    this.namespacesFile = path.join(cwd, NAMESPACES_NAME);
    this.setFile(this.namespacesFile, 'export {};');
    this.nodeLiteFile = path.join(cwd, NODE_LITE_NAME);
    this.setFile(this.nodeLiteFile, NODE_LITE_TYPES);
    this.resolutionCache = ts.createModuleResolutionCache(cwd, (f) => f, compilerOptions);
    this.typeReferenceCache = ts.createTypeReferenceDirectiveResolutionCache(cwd, (f) => f, undefined, this.resolutionCache.getPackageJsonInfoCache());
    this.service = ts.createLanguageService(this.createHost(), createDocumentRegistry(ts.sys.useCaseSensitiveFileNames, cwd));
  }

  get checkedFile(): string {
    return this.checked;
  }

  /** Cell n's copy, with the extension of the file it was checked in (a JSX cell's is .tsx). */
  cellFileName(n: number): string {
    return path.join(this.cwd, `${CELL_PREFIX}${n}${path.extname(this.checked)}`);
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
  setCheckedCell(text: string, jsx = false): void {
    const file = jsx ? this.checkedTsx : this.checkedTs;
    if (file !== this.checked) {
      // A new root file: the program is rebuilt once, when a notebook switches between JSX and plain cells.
      this.checked = file;
      this.projectVersion++;
    }
    this.setFile(file, text);
    // The service skips looking at files at all while the project version stays: an edited local module bumps it.
    for (const [local, stamp] of this.snapshotStamps) {
      if (this.diskVersion(local) !== stamp) {
        this.projectVersion++;
        break;
      }
    }
  }

  /** Whether the program has the full @types/node (else the lite globals of node-lite.ts). */
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

  /**
   * A file on disk's version: '0' for anything in node_modules or the TypeScript lib (they do not change during a
   * session), its modification time and size for the notebook's own modules, so an edited module is checked anew.
   */
  private diskVersion(f: string): string {
    if (!isNotebookSource(f)) return '0';
    const stat = fs.statSync(f, { throwIfNoEntry: false });
    return stat ? `${stat.mtimeMs}:${stat.size}` : '0';
  }

  /** The notebook's own module files in the program (its local .ts modules), not packages or the lib. */
  localSourceFiles(program: ts.Program): ts.SourceFile[] {
    // The runtime's sources are in the program when it is not built (jest): they are not the notebook's.
    const runtimeDir = this.runtimeTypes && path.dirname(this.runtimeTypes) + path.sep;
    return program.getSourceFiles().filter((f) => isNotebookSource(f.fileName) && !this.files.has(f.fileName) && !(runtimeDir && f.fileName.startsWith(runtimeDir)));
  }

  forgetDisk(): void {
    this.disk = new Map();
    this.resolved = new Map();
    this.resolutionCache.clear();
    this.typeReferenceCache.clear();
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
    // What the program's own compiler host offers a type reference's resolution, through the remembered lookups.
    const typeReferenceHost: ts.ModuleResolutionHost = {
      fileExists: (f) => this.fileExists(f),
      readFile: (f) => this.readFile(f),
      directoryExists: (d) => this.directoryExists(d),
      realpath: (f) => this.remember('p', f, () => sys.realpath?.(f) ?? f),
      getDirectories: (d) => this.remember('g', d, () => sys.getDirectories(d)),
      getCurrentDirectory: () => this.cwd,
      useCaseSensitiveFileNames: sys.useCaseSensitiveFileNames,
    };
    const host: ts.LanguageServiceHost & {
      getModuleResolutionCache(): ts.ModuleResolutionCache;
      /** Not in the public typings; the service hands it to the program (used with libReplacement, see lib.ts). */
      resolveLibrary(name: string, from: string, options: ts.CompilerOptions, libFileName: string): ts.ResolvedModuleWithFailedLookupLocations;
    } = {
      getProjectVersion: () => String(this.projectVersion),
      getScriptFileNames: () =>
        this.nodeTypes
          ? [...this.globalsFiles, this.namespacesFile, this.scratchFile, this.checked]
          : [this.nodeLiteFile, ...this.globalsFiles, this.namespacesFile, this.scratchFile, this.checked],
      getScriptVersion: (f) => this.files.get(f)?.version.toString() ?? this.diskVersion(f),
      getScriptSnapshot: (f) => {
        const v = this.files.get(f);
        if (v) return v.snapshot;
        // Lib, @types and package files do not change during a session: read each once. The notebook's own
        // modules may be edited: read again when their stamp changed (diskVersion).
        if (!this.diskSnapshots.has(f) || (isNotebookSource(f) && this.snapshotStamps.get(f) !== this.diskVersion(f))) {
          if (isNotebookSource(f)) this.snapshotStamps.set(f, this.diskVersion(f));
          const text = f === LIB_FILE ? libText() : sys.readFile(f);
          this.diskSnapshots.set(f, text === undefined ? undefined : ts.ScriptSnapshot.fromString(text));
        }
        return this.diskSnapshots.get(f);
      },
      getCurrentDirectory: () => this.cwd,
      getCompilationSettings: () => (this.nodeTypes ? this.compilerOptions : this.liteOptions),
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
      resolveTypeReferenceDirectiveReferences: resolveTypeReferences && ((references, containingFile, redirected, options, containingSourceFile) =>
        resolveTypeReferences(references, containingFile, redirected, options, containingSourceFile, typeReferenceHost, this.typeReferenceCache)),
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
    // Deno's `npm:name@version/sub` means the installed package (npm-specifier.ts; its version is checked on load).
    const bare = parseNpmSpecifier(name)?.bare ?? name;
    // From the notebook's folder only, as Node resolves for the cells (cell-modules.ts).
    return ts.resolveModuleName(bare, containingFile, options, host, this.resolutionCache, redirected);
  }
}

/** isNotebookSource's answers: the host asks for every file of every program (versions, snapshots). */
const notebookSources = new Map<string, boolean>();

/** A TypeScript source of the notebook's own (not a package's, not a declaration file, not the lib). */
function isNotebookSource(fileName: string): boolean {
  let known = notebookSources.get(fileName);
  if (known === undefined) {
    known = !fileName.includes('/node_modules/') && !fileName.endsWith('.d.ts') && fileName !== LIB_FILE && /\.(?:ts|tsx|mts|cts)$/.test(fileName);
    notebookSources.set(fileName, known);
  }
  return known;
}

type TypeReferenceResolver = (
  references: readonly (string | ts.FileReference)[],
  containingFile: string,
  redirected: ts.ResolvedProjectReference | undefined,
  options: ts.CompilerOptions,
  containingSourceFile: ts.SourceFile | undefined,
  host: ts.ModuleResolutionHost,
  cache: ts.TypeReferenceDirectiveResolutionCache,
) => readonly ts.ResolvedTypeReferenceDirectiveWithFailedLookupLocations[];

/**
 * The program's own resolution of type references (`types: ["node"]`, `/// <reference types>`), with a cache the
 * project keeps instead of the one createProgram would build for every program when the host has no resolver of its
 * own: one per declaring cell, for nothing, since the program reuses its resolutions (docs/performance.md, "The
 * cell engine"). The loader is TypeScript's internal one (present at run time, not in
 * its typings): without it the host leaves resolution to createProgram, as before.
 */
const resolveTypeReferences: TypeReferenceResolver | undefined = (() => {
  const internals = ts as unknown as {
    loadWithModeAwareCache?: (...args: unknown[]) => readonly ts.ResolvedTypeReferenceDirectiveWithFailedLookupLocations[];
    createTypeReferenceResolutionLoader?: unknown;
  };
  const { loadWithModeAwareCache, createTypeReferenceResolutionLoader } = internals;
  if (typeof loadWithModeAwareCache !== 'function' || typeof createTypeReferenceResolutionLoader !== 'function') return undefined;
  return (references, containingFile, redirected, options, containingSourceFile, host, cache) =>
    loadWithModeAwareCache(references, containingFile, redirected, options, containingSourceFile, host, cache, createTypeReferenceResolutionLoader);
})();
