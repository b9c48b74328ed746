import ts = require('typescript');

/**
 * The text the program checks for a cell: the cell, then on a line of its own the export clause that makes its
 * top-level names the module's exports (later cells import them from the cell's copy, project.ts), then the
 * statements that bind earlier cells' shadowing names (global-shadows.ts). The export clause goes after the cell so
 * the cell's lines and JSDoc stay its own.
 */
export function checkedText(code: string, names: readonly string[], shadowText: string): string {
  return `${code}\nexport { ${names.join(', ')} };${shadowText}`;
}

/**
 * The checked text before the cell's names are known: the program's own parse of it then gives them, and the cell
 * is parsed once instead of twice (docs/performance.md, "The cell engine"). The clause is written into the cell's
 * copy only (checkedText), which is what later cells import.
 */
export function unnamedCheckedText(code: string): string {
  return `${code}\nexport {};`;
}

/**
 * Statements whose check the export clause changes, so that unnamedCheckedText would check them differently (found
 * by parsing after the fact: exportClauseMatters): a `let` or `var` (exported, it is taken as assignable anywhere,
 * so a closure loses its narrowing), an `export` of the cell's own (a name exported twice is an error) and `declare
 * global` (its name `global` cannot be exported). Cells that start a statement so are given the clause at once.
 */
const CLAUSE_SENSITIVE = /(?:^|;)[ \t]*(?:let|var|export|declare[ \t]+global)(?![\w$])/m;

/** Whether unnamedCheckedText may check `code` as checkedText would; `exportClauseMatters` says for sure. */
export function mayCheckUnnamed(code: string, options: ts.CompilerOptions): boolean {
  // With noUnusedLocals, a name the cell does not use itself is an error unless exported.
  return !options.noUnusedLocals && !CLAUSE_SENSITIVE.test(code);
}

/** Whether the cell's statements (those before `codeLength` in the checked file) need the export clause to check alike. */
export function exportClauseMatters(file: ts.SourceFile, codeLength: number): boolean {
  for (const stmt of file.statements) {
    if (stmt.end > codeLength) break;
    if (ts.isExportDeclaration(stmt) || ts.isExportAssignment(stmt)) return true;
    if (ts.canHaveModifiers(stmt) && ts.getModifiers(stmt)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return true;
    if (ts.isVariableStatement(stmt) && !(stmt.declarationList.flags & (ts.NodeFlags.Const | ts.NodeFlags.Using))) return true;
    if (ts.isModuleDeclaration(stmt) && ts.isIdentifier(stmt.name) && stmt.name.text === 'global') return true;
  }
  return false;
}
