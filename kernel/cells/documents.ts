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
  return {
    acquireDocument: (fileName, settings, snapshot, version, kind, o) =>
      pick(fileName).acquireDocument(fileName, settings, snapshot, version, kind, options(fileName, o)),
    acquireDocumentWithKey: (fileName, path, settings, key, snapshot, version, kind, o) =>
      pick(fileName).acquireDocumentWithKey(fileName, path, settings, keyFor(fileName, settings, key), snapshot, version, kind, options(fileName, o)),
    updateDocument: (fileName, settings, snapshot, version, kind, o) =>
      pick(fileName).updateDocument(fileName, settings, snapshot, version, kind, options(fileName, o)),
    updateDocumentWithKey: (fileName, path, settings, key, snapshot, version, kind, o) =>
      pick(fileName).updateDocumentWithKey(fileName, path, settings, keyFor(fileName, settings, key), snapshot, version, kind, options(fileName, o)),
    getKeyForCompilationSettings: (settings) => full.getKeyForCompilationSettings(settings),
    releaseDocument: (fileName, settings, kind?: ts.ScriptKind, format?: ts.ResolutionMode) =>
      pick(fileName).releaseDocument(fileName, settings, kind!, format),
    releaseDocumentWithKey: (path, key, kind?: ts.ScriptKind, format?: ts.ResolutionMode) =>
      pick(path).releaseDocumentWithKey(path, isDeclarationFile(path) ? declarationKeys.get(key) ?? key : key, kind!, format),
    reportStats: () => `${full.reportStats()}\n${lean.reportStats()}`,
  };
}
