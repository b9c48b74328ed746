import ts = require('typescript');
import { GlobalDeclarations, moduleScopeSymbols } from './declarations';
import type { CellProject } from './project';
import { emitCheckedCell } from './transform';
import { unnamedCheckedText } from './checked-text';
import { cellExportOptions } from './publishing';

/**
 * Throwaway cells, checked and emitted in the scratch module (completion's file), so no cell, name, count or global
 * changes. V8 compiles code only once it has run often enough: without them, the first cells ran the compiler's
 * paths cold, several times slower than later ones.
 */

/** The one cell the engine runs while the kernel waits for a client (CellEngine.warmUp): a value and an array. */
export function warmUpCell(project: CellProject): void {
  checkAndEmit(project, 'const __tsf_warm_up = [1 + 1, "a"];\n__tsf_warm_up;', new Set());
}

/**
 * One of the cells for a kernel that has nothing to do yet (engine-loader.ts runs them while no request has come):
 * each goes the way a `const x = 1` cell goes -- a new program and checker, the check, its declaration printed
 * (by a declarations object of its own), its emit. False when the cell does not check (a notebook tsconfig.json
 * that rejects it): no more steps.
 */
export function warmUpDeclaringCell(project: CellProject, step: number): boolean {
  const name = `__tsf_warm_up_${step}`;
  const checked = checkAndEmit(project, `const ${name} = ${step};`, new Set([name]));
  if (!checked) return false;
  const checker = checked.program.getTypeChecker();
  new GlobalDeclarations().addExports(checker, moduleScopeSymbols(checker, checked.source, [name]), './__tsf_warm_up', cellExportOptions(project));
  return true;
}

/** `code` checked as a cell in the scratch module and emitted; undefined when it does not check. */
function checkAndEmit(project: CellProject, code: string, valueNames: ReadonlySet<string>): { program: ts.Program; source: ts.SourceFile } | undefined {
  const file = project.scratchFile;
  project.setFile(file, unnamedCheckedText(code));
  const service = project.service;
  if (service.getSyntacticDiagnostics(file).length + service.getSemanticDiagnostics(file).length) return undefined;
  const program = project.program();
  const source = program.getSourceFile(file);
  if (!source) return undefined;
  emitCheckedCell(program, source, { fileName: 'warm-up.ts', valueNames, suffixStart: code.length });
  return { program, source };
}
