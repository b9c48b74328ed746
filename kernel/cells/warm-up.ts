import { GlobalDeclarations, moduleScopeSymbols } from './declarations';
import type { CellProject } from './project';
import { emitCheckedCell } from './transform';
import { unnamedCheckedText } from './checked-text';

/**
 * Throwaway declaring cells for a kernel that has nothing to do yet (engine-loader.ts runs them while no request
 * has come): each one goes the way a `const x = 1` cell goes -- a new program and checker, the check, its
 * declaration printed, its emit -- in the scratch module, with a declarations object of its own, so no cell, name,
 * count or global changes. V8 compiles code only once it has run often enough: without this, a human's first cells
 * after a start ran the compiler's paths cold, several times slower than later ones.
 * Returns false when the throwaway cell does not check (a notebook tsconfig.json that rejects it): no more steps.
 */
export function warmUpDeclaringCell(project: CellProject, step: number): boolean {
  const file = project.scratchFile;
  const name = `__tsf_warm_up_${step}`;
  const code = `const ${name} = ${step};`;
  project.setFile(file, unnamedCheckedText(code));
  const service = project.service;
  if (service.getSyntacticDiagnostics(file).length + service.getSemanticDiagnostics(file).length) return false;
  const program = project.program();
  const source = program.getSourceFile(file);
  if (!source) return false;
  const checker = program.getTypeChecker();
  new GlobalDeclarations().addExports(checker, moduleScopeSymbols(checker, source, [name]), './__tsf_warm_up', {
    isStable: (f) => !project.isVirtual(f),
    lazy: true,
  });
  emitCheckedCell(program, source, { fileName: 'warm-up.ts', valueNames: new Set([name]), suffixStart: code.length });
  return true;
}
