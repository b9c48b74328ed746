import ts = require('typescript');
import { LIB_FILE } from './lib';

/**
 * The language service's document registry, with the JSDoc of typing packages left unparsed.
 *
 * @types/node is 2.2 MB of declarations, most of it doc comments; parsing those comments into JSDoc nodes is a
 * large share of the engine's start-up (measured below) and of its heap. Type-checking TypeScript never reads them
 * (only @see/@link, for editors). What is lost: inspect/completion docs of Node APIs. The merged ES lib is lean
 * too, its docs read on demand (lib-docs.ts). The cells and the runtime keep theirs (inspect shows a cell
 * function's doc comment).
 */
const LEAN = ts.JSDocParsingMode.ParseNone;

/** Declaration files whose doc comments are not parsed: typing packages, and the merged ES lib (lib-docs.ts). */
export function isLeanFile(fileName: string): boolean {
  return fileName === LIB_FILE || fileName.includes('/node_modules/@types/') || fileName.includes('/node_modules/undici-types/');
}

/** Where a start-up snapshot leaves a registry with the lib files already parsed (kernel/snapshot/build-entry.ts). */
const WARM_REGISTRY = Symbol.for('tsfutures.documentRegistry');

/**
 * Options that change nothing in a parsed and bound declaration file: the binder's diagnostics (which skipLibCheck,
 * always on for cells, hides in declaration files) and JSX (only .tsx/.jsx files have any). TypeScript keys its
 * registry by them all, so a notebook whose tsconfig.json sets one of them re-parsed the lib, @types/node and the
 * runtime's declarations beside the snapshot's copies, which stay alive: declaration files share one key instead.
 */
const DECLARATION_NEUTRAL: ts.CompilerOptions = {
  alwaysStrict: true,
  noFallthroughCasesInSwitch: undefined,
  allowUnusedLabels: undefined,
  allowUnreachableCode: undefined,
  jsx: undefined,
  jsxImportSource: undefined,
};

const isDeclarationFile = (fileName: string) => /\.d\.[cm]?ts$/.test(fileName);

export function createDocumentRegistry(useCaseSensitiveFileNames: boolean, cwd: string): ts.DocumentRegistry {
  // Taken once: the first engine of a process started from the snapshot skips parsing what the snapshot parsed.
  const g = globalThis as Record<symbol, ts.DocumentRegistry | undefined>;
  const warm = g[WARM_REGISTRY];
  if (warm) {
    delete g[WARM_REGISTRY];
    return warm;
  }
  const full = ts.createDocumentRegistry(useCaseSensitiveFileNames, cwd);
  const lean = ts.createDocumentRegistry(useCaseSensitiveFileNames, cwd, LEAN);
  const pick = (fileName: string) => (isLeanFile(fileName) ? lean : full);
  // The service passes options built with its own (default) JSDoc mode; the lean registry insists on its own.
  const options = (fileName: string, o: ts.CreateSourceFileOptions | ts.ScriptTarget | undefined) =>
    isLeanFile(fileName) && typeof o === 'object' ? { ...o, jsDocParsingMode: LEAN } : o;
  // A service's key -> the key its declaration files are filed under (release passes only the key). The service
  // uses the ...WithKey calls; the others, kept for the interface, file everything under the settings' own key.
  const declarationKeys = new Map<ts.DocumentRegistryBucketKey, ts.DocumentRegistryBucketKey>();
  const keyFor = (fileName: string, settings: ts.CompilerOptions | ts.MinimalResolutionCacheHost, key: ts.DocumentRegistryBucketKey) => {
    if (!isDeclarationFile(fileName)) return key;
    let shared = declarationKeys.get(key);
    if (!shared) {
      const compilerOptions = typeof settings.getCompilationSettings === 'function' ? (settings as ts.MinimalResolutionCacheHost).getCompilationSettings() : (settings as ts.CompilerOptions);
      shared = full.getKeyForCompilationSettings({ ...compilerOptions, ...DECLARATION_NEUTRAL });
      declarationKeys.set(key, shared);
    }
    return shared;
  };
  const latest = new LatestDocuments();
  return {
    acquireDocument: (fileName, settings, snapshot, version, kind, o) =>
      (latest.forgetAll(), pick(fileName).acquireDocument(fileName, settings, snapshot, version, kind, options(fileName, o))),
    acquireDocumentWithKey: (fileName, path, settings, key, snapshot, version, kind, o) =>
      latest.record(path, key, version, kind, o, () => pick(fileName).acquireDocumentWithKey(fileName, path, settings, keyFor(fileName, settings, key), snapshot, version, kind, options(fileName, o))),
    updateDocument: (fileName, settings, snapshot, version, kind, o) =>
      (latest.forgetAll(), pick(fileName).updateDocument(fileName, settings, snapshot, version, kind, options(fileName, o))),
    updateDocumentWithKey: (fileName, path, settings, key, snapshot, version, kind, o) =>
      latest.unchanged(path, key, version, kind, o) ??
      latest.record(path, key, version, kind, o, () => pick(fileName).updateDocumentWithKey(fileName, path, settings, keyFor(fileName, settings, key), snapshot, version, kind, options(fileName, o))),
    getKeyForCompilationSettings: (settings) => full.getKeyForCompilationSettings(settings),
    releaseDocument: (fileName, settings, kind?: ts.ScriptKind, format?: ts.ResolutionMode) =>
      (latest.forgetAll(), pick(fileName).releaseDocument(fileName, settings, kind!, format)),
    releaseDocumentWithKey: (path, key, kind?: ts.ScriptKind, format?: ts.ResolutionMode) => {
      latest.forget(path);
      pick(path).releaseDocumentWithKey(path, isDeclarationFile(path) ? declarationKeys.get(key) ?? key : key, kind!, format);
    },
    reportStats: () => `${full.reportStats()}\n${lean.reportStats()}`,
  };
}

/**
 * The document each path was last acquired or updated to, so that asking again for the same version answers at once.
 * Every new program asks the registry for each of its files (the lib, the runtime's and @types' declaration files)
 * though only the cells' files changed; TypeScript's registry then builds the bucket's key string, a `Debug.assert`
 * message and the options for each of them (docs/performance.md, "The cell engine"). Its answer for an unchanged
 * version is the entry's SourceFile as it was, and an entry changes only through this registry, which records each
 * change of a path here (a release forgets the path): so the answer below is the registry's own.
 */
class LatestDocuments {
  private readonly byPath = new Map<ts.Path, LatestDocument>();

  /** The SourceFile the registry would return for this update, when nothing changed since the last. */
  unchanged(path: ts.Path, key: ts.DocumentRegistryBucketKey, version: string, kind: ts.ScriptKind | undefined, o: SourceFileOptions): ts.SourceFile | undefined {
    const last = this.byPath.get(path);
    if (!last || last.key !== key || last.version !== version || last.kind !== kind || typeof o !== 'object' || last.format !== o.impliedNodeFormat) return undefined;
    return last.file;
  }

  /** The registry's answer to a call that may change the path's entry, recorded once it returned. */
  record(path: ts.Path, key: ts.DocumentRegistryBucketKey, version: string, kind: ts.ScriptKind | undefined, o: SourceFileOptions, call: () => ts.SourceFile): ts.SourceFile {
    this.byPath.delete(path);
    const file = call();
    // Without a kind or a format the registry works them out from the file: the next update asks it again.
    if (kind !== undefined && typeof o === 'object') this.byPath.set(path, { key, version, kind, format: o.impliedNodeFormat, file });
    return file;
  }

  forget(path: ts.Path): void {
    this.byPath.delete(path);
  }

  /** Before a call that names a file but not its path (the language service does not make them). */
  forgetAll(): void {
    this.byPath.clear();
  }
}

interface LatestDocument {
  key: ts.DocumentRegistryBucketKey;
  version: string;
  kind: ts.ScriptKind;
  /** The module format the registry files the document under, with the key. */
  format: ts.ResolutionMode;
  file: ts.SourceFile;
}

type SourceFileOptions = ts.CreateSourceFileOptions | ts.ScriptTarget | undefined;
