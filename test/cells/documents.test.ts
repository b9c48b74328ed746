/**
 * The document registry a start-up snapshot hands to the engine (kernel/cells/documents.ts): declaration files
 * parsed by the snapshot's warm-up must serve the engine's program too when a tsconfig.json beside the notebook
 * changes options that leave declaration files as they are; otherwise the lib and @types/node are parsed and held
 * twice (~15 MiB of the kernel's RSS).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts = require('typescript');
import { createDocumentRegistry } from '../../kernel/cells/documents';
import { CellProject } from '../../kernel/cells/project';
import { LIB_FILE } from '../../kernel/cells/lib';
import { cellCompilerOptions } from '../../kernel/cells/compiler-options';

const WARM_REGISTRY = Symbol.for('tsfutures.documentRegistry');

/** Updates that reach TypeScript's own registries (those documents.ts wraps), by file name. */
const mockUpdates = new Map<string, number>();
jest.mock('typescript', () => {
  const actual = jest.requireActual('typescript');
  const createDocumentRegistry: typeof ts.createDocumentRegistry = (...args) => {
    const inner = actual.createDocumentRegistry(...args);
    const update = inner.updateDocumentWithKey.bind(inner);
    inner.updateDocumentWithKey = (fileName: string, ...rest: unknown[]) => {
      mockUpdates.set(fileName, (mockUpdates.get(fileName) ?? 0) + 1);
      return (update as (...a: unknown[]) => ts.SourceFile)(fileName, ...rest);
    };
    return inner;
  };
  return { ...actual, createDocumentRegistry };
});
const dirs: string[] = [];

function notebookDir(tsconfig?: object): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsf-documents-'));
  dirs.push(dir);
  if (tsconfig) fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  return dir;
}

afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** As build-entry.ts does: a warm project fills the registry, which the next project then takes over. */
function checkedProject(dir: string, registry: ts.DocumentRegistry, code: string): CellProject {
  (globalThis as Record<symbol, unknown>)[WARM_REGISTRY] = registry;
  const project = new CellProject(dir, cellCompilerOptions(dir));
  project.setFile(project.scratchFile, code);
  project.service.getSemanticDiagnostics(project.scratchFile);
  return project;
}

test.each([
  ['noFallthroughCasesInSwitch', { noFallthroughCasesInSwitch: true }],
  ['allowUnreachableCode', { allowUnreachableCode: false }],
  ['strict: false', { strict: false }],
  ['jsx', { jsx: 'preserve' }],
])("a tsconfig.json's %s reuses the warm registry's declaration files", (_name, compilerOptions) => {
  const registry = createDocumentRegistry(ts.sys.useCaseSensitiveFileNames, os.tmpdir());
  const warm = checkedProject(notebookDir(), registry, 'export {};');
  const engine = checkedProject(notebookDir({ compilerOptions }), registry, 'export {};');
  const warmLib = warm.service.getProgram()!.getSourceFile(LIB_FILE);
  expect(warmLib).toBeDefined();
  expect(engine.service.getProgram()!.getSourceFile(LIB_FILE)).toBe(warmLib);
});

test('a cell is still checked with the options of its own tsconfig.json (TS7029 for a fallthrough)', () => {
  const registry = createDocumentRegistry(ts.sys.useCaseSensitiveFileNames, os.tmpdir());
  const code = 'declare const n: number;\nswitch (n) { case 1: console.log(1); case 2: console.log(2); }\nexport {};';
  const codes = (p: CellProject) => p.service.getSemanticDiagnostics(p.scratchFile).concat(p.service.getSyntacticDiagnostics(p.scratchFile))
    .map((d) => d.code);
  const plain = checkedProject(notebookDir(), registry, code);
  const strictSwitch = checkedProject(notebookDir({ compilerOptions: { noFallthroughCasesInSwitch: true } }), registry, code);
  expect(codes(plain)).not.toContain(7029);
  expect(codes(strictSwitch)).toContain(7029);
});

test("a new program's unchanged files are the registry's documents, without asking TypeScript's registry again", () => {
  const registry = createDocumentRegistry(ts.sys.useCaseSensitiveFileNames, os.tmpdir());
  const project = checkedProject(notebookDir(), registry, 'export const a = 1;');
  const lib = project.program().getSourceFile(LIB_FILE);
  project.setFile(project.scratchFile, 'export const b = 2;');
  mockUpdates.clear();
  const program = project.program();
  expect(program.getSourceFile(LIB_FILE)).toBe(lib);
  expect(program.getSourceFile(project.scratchFile)!.text).toBe('export const b = 2;');
  // The changed file is parsed anew through TypeScript's registry; the lib and the runtime's declarations are not asked for.
  expect(mockUpdates.get(project.scratchFile)).toBe(1);
  expect(mockUpdates.get(LIB_FILE)).toBeUndefined();
});

test("two projects sharing a registry: each program's files are those TypeScript's registry gives", () => {
  // Two projects in one folder hold the same global script path and change it in turns. TypeScript's registry keys a
  // document by version only (two projects' "version 2" share one document): the wrapped registry must answer the same.
  const run = (registry: ts.DocumentRegistry) => {
    const dir = notebookDir();
    const first = checkedProject(dir, registry, 'export {};');
    const second = checkedProject(dir, registry, 'export {};');
    const seen = new Map<CellProject, ts.SourceFile>();
    const log: string[] = [];
    const look = (p: CellProject, name: string) => {
      const file = p.program().getSourceFiles().find((f) => p.isGlobalScript(f.fileName))!;
      log.push(`${name}: ${file.text} (${seen.get(p) === file ? 'same' : 'new'} document)`);
      seen.set(p, file);
    };
    first.setGlobalScripts(['declare const a: number;']);
    look(first, 'first');
    second.setGlobalScripts(['declare const b: string;']);
    second.setGlobalScripts(['declare const b: string;\ndeclare const c: string;']);
    look(second, 'second');
    first.setFile(first.scratchFile, 'export const again = 1;');
    look(first, 'first');
    first.setGlobalScripts(['declare const a: number;\ndeclare const d: number;']);
    look(first, 'first');
    second.setFile(second.scratchFile, 'export const again = 2;');
    look(second, 'second');
    first.setFile(first.scratchFile, 'export const again = 3;');
    look(first, 'first');
    return log;
  };
  const wrapped = run(createDocumentRegistry(ts.sys.useCaseSensitiveFileNames, os.tmpdir()));
  expect(wrapped).toEqual(run(ts.createDocumentRegistry(ts.sys.useCaseSensitiveFileNames, os.tmpdir())));
  expect(wrapped).toContain('first: declare const a: number;\ndeclare const d: number; (same document)');
});
