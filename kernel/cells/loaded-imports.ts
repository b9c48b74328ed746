import ts = require('typescript');

/**
 * The modules the emitted cell will require: its import declarations (up to the engine's suffix) that import
 * something with a value meaning (an untyped package's names too), or nothing (`import "./setup"`). Imports of
 * types only are dropped from the emitted code, and so are not loaded here either.
 */
export function loadedImports(program: ts.Program, fileName: string, codeLength: number): string[] {
  const file = program.getSourceFile(fileName);
  if (!file) return [];
  const checker = program.getTypeChecker();
  const isValue = (name: ts.Identifier) => {
    const symbol = checker.getSymbolAtLocation(name);
    if (!symbol) return true;
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    return checker.isUnknownSymbol(target) || (target.flags & ts.SymbolFlags.Value) !== 0;
  };
  const specifiers: string[] = [];
  for (const stmt of file.statements) {
    if (stmt.pos >= codeLength) break;
    if (ts.isImportEqualsDeclaration(stmt) && ts.isExternalModuleReference(stmt.moduleReference) && !stmt.isTypeOnly && isValue(stmt.name)) {
      if (ts.isStringLiteralLike(stmt.moduleReference.expression)) specifiers.push(stmt.moduleReference.expression.text);
    }
    if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteralLike(stmt.moduleSpecifier)) continue;
    const clause = stmt.importClause;
    if (clause?.isTypeOnly) continue;
    const names: ts.Identifier[] = [];
    if (clause?.name) names.push(clause.name);
    if (clause?.namedBindings && ts.isNamespaceImport(clause.namedBindings)) names.push(clause.namedBindings.name);
    if (clause?.namedBindings && ts.isNamedImports(clause.namedBindings)) names.push(...clause.namedBindings.elements.filter((e) => !e.isTypeOnly).map((e) => e.name));
    if (!clause || names.some(isValue)) specifiers.push(stmt.moduleSpecifier.text);
  }
  return specifiers;
}
