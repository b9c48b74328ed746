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
