import ts = require('typescript');

/**
 * Whether running a cell's top-level code cannot take long: then the runner leaves out the SIGINT watchdog
 * (runner.ts), as there is no loop for an interrupt to break.
 *
 * Why bother: `breakOnSigint` makes node start a watchdog thread for the run and join it afterwards. Right after a
 * type check, with V8's background threads busy on 2 cores, that costs 0.45-0.6 ms a cell (measured in-process over
 * 400 `const x = n` cells: the run took 461-598 us with it, 32-38 us without), a sixth of a declaring cell.
 *
 * Inert, conservatively: declarations of types and functions, and variables or expression statements made only of
 * literals, function expressions, array and object literals of those, reads and assignments of variables, and
 * operators over primitives (`const x = 5`, `1 + 1`, `const f = (a) => a * 2`, `total += 5; total`, `df`).
 * Asked just before the run (runner.ts), against the realm's globals as they are then: a variable must be a data
 * property of globalThis (a getter or setter is user code) or declared by the cell (which makes it one), and an
 * operator's variable operands must hold primitives (an object's valueOf/toString is user code). Anything else may
 * run user code and is not inert: calls, `new`, property reads, spreads and destructuring (iterators), classes
 * (static blocks, `extends`), imports (module code), loops, await.
 */
export function isInert(file: ts.SourceFile, globals: object): boolean {
  const declared = new Set<string>();
  for (const s of file.statements) {
    if (ts.isVariableStatement(s)) for (const d of s.declarationList.declarations) if (ts.isIdentifier(d.name)) declared.add(d.name.text);
    if (ts.isFunctionDeclaration(s) && s.name) declared.add(s.name.text);
  }
  return new InertCheck(globals, declared).statements(file.statements);
}

class InertCheck {
  constructor(private readonly globals: object, private readonly declared: ReadonlySet<string>) {}

  statements(list: readonly ts.Statement[]): boolean {
    return list.every((s) => this.statement(s));
  }

  private statement(s: ts.Statement): boolean {
    if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEmptyStatement(s)) return true;
    // An export clause of the module's own names (the engine's own after the cell, index.ts) runs nothing.
    if (ts.isExportDeclaration(s) && !s.moduleSpecifier) return true;
    if (ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) return true;
    // The body runs only when called; the name is hoisted (and set: a data property, unless a setter is there).
    if (ts.isFunctionDeclaration(s)) return !s.name || this.assignable(s.name);
    if (ts.isVariableStatement(s)) {
      return s.declarationList.declarations.every((d) => ts.isIdentifier(d.name) && this.assignable(d.name) && (!d.initializer || this.expression(d.initializer)));
    }
    if (ts.isExpressionStatement(s)) return this.expression(s.expression);
    return false;
  }

  private expression(e: ts.Expression): boolean {
    e = skipWrappers(e);
    // Created, not run.
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return true;
    if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => !ts.isSpreadElement(x) && (ts.isOmittedExpression(x) || this.expression(x)));
    if (ts.isObjectLiteralExpression(e)) return e.properties.every((p) => this.property(p));
    if (ts.isIdentifier(e)) return this.readable(e);
    if (ts.isBinaryExpression(e) && ts.isIdentifier(skipWrappers(e.left))) {
      const target = skipWrappers(e.left) as ts.Identifier;
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.EqualsToken) return this.assignable(target) && this.expression(e.right);
      // `total += 5`: both sides primitives, so no conversion calls user code.
      if (op >= ts.SyntaxKind.FirstCompoundAssignment && op <= ts.SyntaxKind.LastCompoundAssignment) {
        return this.assignable(target) && this.primitive(target) && this.primitive(e.right);
      }
    }
    return this.primitive(e);
  }

  /** Primitive literals, variables holding primitives, and operators over them. */
  private primitive(e: ts.Expression): boolean {
    e = skipWrappers(e);
    switch (e.kind) {
      case ts.SyntaxKind.NumericLiteral:
      case ts.SyntaxKind.BigIntLiteral:
      case ts.SyntaxKind.StringLiteral:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
      case ts.SyntaxKind.TrueKeyword:
      case ts.SyntaxKind.FalseKeyword:
      case ts.SyntaxKind.NullKeyword:
        return true;
    }
    if (ts.isIdentifier(e)) {
      // A variable of this cell holds what the cell assigns, unknown here.
      const d = this.declared.has(e.text) ? undefined : dataProperty(this.globals, e.text);
      return d !== undefined && (d.value === null || (typeof d.value !== 'object' && typeof d.value !== 'function'));
    }
    if (ts.isPrefixUnaryExpression(e)) {
      return e.operator !== ts.SyntaxKind.PlusPlusToken && e.operator !== ts.SyntaxKind.MinusMinusToken && this.primitive(e.operand);
    }
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      const assigns = op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment;
      return !assigns && op !== ts.SyntaxKind.InKeyword && op !== ts.SyntaxKind.InstanceOfKeyword && this.primitive(e.left) && this.primitive(e.right);
    }
    if (ts.isConditionalExpression(e)) return this.primitive(e.condition) && this.primitive(e.whenTrue) && this.primitive(e.whenFalse);
    return false;
  }

  /** Reading it runs no code: a data property of globalThis, or a variable of this cell (var: a data property). */
  private readable(id: ts.Identifier): boolean {
    return this.declared.has(id.text) ? this.assignable(id) : dataProperty(this.globals, id.text) !== undefined;
  }

  /** Setting it runs no code: absent (the cell's var creates a data property) or a data property, not a setter. */
  private assignable(id: ts.Identifier): boolean {
    const d = Object.getOwnPropertyDescriptor(this.globals, id.text);
    return d === undefined ? this.declared.has(id.text) : 'value' in d;
  }

  private property(p: ts.ObjectLiteralElementLike): boolean {
    // A computed name is an expression run now; a spread reads the source's getters.
    if (!p.name || ts.isComputedPropertyName(p.name)) return false;
    if (ts.isPropertyAssignment(p)) return this.expression(p.initializer);
    if (ts.isShorthandPropertyAssignment(p)) return !p.objectAssignmentInitializer && this.readable(p.name);
    // Methods and accessors are created, not run.
    return ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p);
  }
}

function dataProperty(globals: object, name: string): PropertyDescriptor | undefined {
  const d = Object.getOwnPropertyDescriptor(globals, name);
  return d && 'value' in d ? d : undefined;
}

/** Type-only wrappers (`as`, `satisfies`, `!`, `<T>`) and parentheses, which run nothing themselves. */
function skipWrappers(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e) || ts.isNonNullExpression(e)) {
    e = e.expression;
  }
  return e;
}
