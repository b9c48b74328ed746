import ts = require('typescript');

/** The top-level names of a cell, as the type checker's view of it exports them to later cells. */

export function boundNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  const out: string[] = [];
  for (const el of name.elements) if (!ts.isOmittedExpression(el)) out.push(...boundNames(el.name));
  return out;
}

function isExported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false);
}

/**
 * Names declared at the top of the cell that later cells should see: variables (not `using` ones, which are
 * disposed with the cell), functions, classes, interfaces, type aliases, enums, namespaces and imports.
 * Names the cell already exports itself are left out (exporting them twice is an error).
 */
export function topLevelNames(file: ts.SourceFile): string[] {
  const names = new Set<string>();
  for (const stmt of file.statements) {
    if (isExported(stmt)) continue;
    if (ts.isVariableStatement(stmt)) {
      if (stmt.declarationList.flags & ts.NodeFlags.Using) continue;
      for (const d of stmt.declarationList.declarations) for (const n of boundNames(d.name)) names.add(n);
    } else if (
      (ts.isFunctionDeclaration(stmt) || ts.isClassDeclaration(stmt) || ts.isInterfaceDeclaration(stmt) ||
        ts.isTypeAliasDeclaration(stmt) || ts.isEnumDeclaration(stmt) || ts.isImportEqualsDeclaration(stmt)) &&
      stmt.name
    ) {
      names.add(stmt.name.text);
    } else if (ts.isModuleDeclaration(stmt) && ts.isIdentifier(stmt.name)) {
      names.add(stmt.name.text);
    } else if (ts.isImportDeclaration(stmt) && stmt.importClause) {
      const clause = stmt.importClause;
      if (clause.name) names.add(clause.name.text);
      const b = clause.namedBindings;
      if (b && ts.isNamespaceImport(b)) names.add(b.name.text);
      if (b && ts.isNamedImports(b)) for (const el of b.elements) names.add(el.name.text);
    }
  }
  return [...names];
}

/**
 * The names a cell's imports bind, each with an import statement binding that name alone (as written: default,
 * namespace, named or `import x = require()`); type-only imports are left out.
 */
export function importBindings(file: ts.SourceFile): Map<string, string> {
  const bindings = new Map<string, string>();
  for (const stmt of file.statements) {
    if (ts.isImportEqualsDeclaration(stmt) && !stmt.isTypeOnly && ts.isExternalModuleReference(stmt.moduleReference)) {
      bindings.set(stmt.name.text, `import ${stmt.name.text} = require(${stmt.moduleReference.expression.getText(file)});`);
    }
    if (!ts.isImportDeclaration(stmt) || !stmt.importClause || stmt.importClause.isTypeOnly) continue;
    const from = stmt.moduleSpecifier.getText(file);
    const clause = stmt.importClause;
    if (clause.name) bindings.set(clause.name.text, `import ${clause.name.text} from ${from};`);
    const b = clause.namedBindings;
    if (b && ts.isNamespaceImport(b)) bindings.set(b.name.text, `import * as ${b.name.text} from ${from};`);
    if (b && ts.isNamedImports(b)) {
      for (const el of b.elements) {
        if (!el.isTypeOnly) bindings.set(el.name.text, `import { ${el.propertyName ? `${el.propertyName.getText(file)} as ` : ''}${el.name.text} } from ${from};`);
      }
    }
  }
  return bindings;
}
