import * as ts from 'typescript';

/**
 * The global declaration script that makes names visible to the next cell. Each name maps to the newest module
 * that defines it (a cell, or the runtime), e.g.
 *   declare let x: typeof import("./__tsfutures_cell_3").x;
 *   declare const C: typeof import("./__tsfutures_cell_3").C;
 *   type C<T> = import("./__tsfutures_cell_3").C<T>;
 * Value vs type meaning and let vs const come from the checker's symbol of the definition.
 */
export class GlobalDeclarations {
  private readonly entries = new Map<string, string>();
  private cached: string | undefined;

  /** Records every export of moduleSymbol (reached as `specifier`); returns the names that have a value meaning. */
  addModuleExports(checker: ts.TypeChecker, moduleSymbol: ts.Symbol, specifier: string, skip?: ReadonlySet<string>): string[] {
    const values: string[] = [];
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const name = exported.name;
      if (name === 'default' || skip?.has(name)) continue;
      const text = declarationFor(checker, exported, specifier);
      if (text === undefined) continue;
      this.set(name, text.declaration);
      if (text.isValue) values.push(name);
    }
    return values;
  }

  set(name: string, declaration: string): void {
    // Re-insert so the text order follows definition order (readable when debugging the script).
    this.entries.delete(name);
    this.entries.set(name, declaration);
    this.cached = undefined;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  text(): string {
    return (this.cached ??= [...this.entries.values()].join('\n') + '\n');
  }
}

/** Declaration text for one exported symbol, or undefined when it cannot be named globally (e.g. a pure namespace). */
export function declarationFor(
  checker: ts.TypeChecker,
  exported: ts.Symbol,
  specifier: string,
): { declaration: string; isValue: boolean } | undefined {
  const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  if (target.flags & ts.SymbolFlags.Alias || checker.isUnknownSymbol(target)) return undefined;
  const name = exported.name;
  const ref = `import(${JSON.stringify(specifier)}).${name}`;
  const parts: string[] = [];
  const isValue = (target.flags & ts.SymbolFlags.Value) !== 0;
  if (isValue) parts.push(`declare ${isReassignable(target) ? 'let' : 'const'} ${name}: typeof ${ref};`);
  if (target.flags & ts.SymbolFlags.Type && !(target.flags & ts.SymbolFlags.TypeParameter)) {
    const params = typeParametersOf(target);
    const args = params ? `<${params.map((p) => p.name.text).join(', ')}>` : '';
    const decl = params ? `<${params.map((p) => p.getText()).join(', ')}>` : '';
    parts.push(`type ${name}${decl} = ${ref}${args};`);
  }
  return parts.length ? { declaration: parts.join(' '), isValue } : undefined;
}

/** let/var can be assigned from a later cell; const, functions, classes, enums, imports cannot. */
function isReassignable(symbol: ts.Symbol): boolean {
  if (!(symbol.flags & ts.SymbolFlags.Variable)) return false;
  const decl = symbol.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl)) return false;
  return (ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Constant) === 0;
}

function typeParametersOf(symbol: ts.Symbol): readonly ts.TypeParameterDeclaration[] | undefined {
  for (const d of symbol.declarations ?? []) {
    if (
      (ts.isClassDeclaration(d) || ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d)) &&
      d.typeParameters?.length
    ) {
      return d.typeParameters;
    }
  }
  return undefined;
}
