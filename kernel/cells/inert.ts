import ts = require('typescript');

/**
 * Whether running a cell's top-level code cannot take long: then the runner leaves out the SIGINT watchdog
 * (runner.ts), as there is no loop for an interrupt to break.
 *
 * Why bother: `breakOnSigint` makes node start a watchdog thread for the run and join it afterwards. Right after a
 * type check, with V8's background threads busy on 2 cores, that costs 0.45-0.6 ms a cell (measured in-process over
 * 400 `const x = n` cells: the run took 461-598 us with it, 32-38 us without), a sixth of a declaring cell.
 *
 * Inert, syntactically and conservatively: declarations of types and functions, and variables or expression
 * statements made only of literals, function expressions, array and object literals of those, and operators over
 * primitive literals (`const x = 5`, `1 + 1`, `const f = (a) => a * 2`, `const o = { n: 1, f() {} }`). Anything that may call user code is not: calls, `new`, property reads (getters), reading
 * a variable (a getter on globalThis), spreads and destructuring (iterators), classes (static blocks, `extends`),
 * imports (module code), loops, await.
 */
export function isInert(file: ts.SourceFile): boolean {
  return file.statements.every(isInertStatement);
}

function isInertStatement(s: ts.Statement): boolean {
  if (ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEmptyStatement(s)) return true;
  if (ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) return true;
  // The body runs only when called; the name is hoisted.
  if (ts.isFunctionDeclaration(s)) return true;
  if (ts.isVariableStatement(s)) {
    return s.declarationList.declarations.every((d) => ts.isIdentifier(d.name) && (!d.initializer || isInertExpression(d.initializer)));
  }
  if (ts.isExpressionStatement(s)) return isInertExpression(s.expression);
  return false;
}

function isInertExpression(e: ts.Expression): boolean {
  e = skipWrappers(e);
  // Created, not run.
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return true;
  if (ts.isArrayLiteralExpression(e)) return e.elements.every((x) => !ts.isSpreadElement(x) && (ts.isOmittedExpression(x) || isInertExpression(x)));
  if (ts.isObjectLiteralExpression(e)) return e.properties.every(isInertProperty);
  return isPrimitive(e);
}

/**
 * Literals of primitive values and operators over them only: an operator applied to an object (even a literal one)
 * may call its valueOf/toString/Symbol.toPrimitive, which is user code.
 */
function isPrimitive(e: ts.Expression): boolean {
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
  if (ts.isPrefixUnaryExpression(e)) {
    return e.operator !== ts.SyntaxKind.PlusPlusToken && e.operator !== ts.SyntaxKind.MinusMinusToken && isPrimitive(e.operand);
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    const assigns = op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment;
    return !assigns && op !== ts.SyntaxKind.InKeyword && op !== ts.SyntaxKind.InstanceOfKeyword && isPrimitive(e.left) && isPrimitive(e.right);
  }
  if (ts.isConditionalExpression(e)) return isPrimitive(e.condition) && isPrimitive(e.whenTrue) && isPrimitive(e.whenFalse);
  return false;
}

/** Type-only wrappers (`as`, `satisfies`, `!`, `<T>`) and parentheses, which run nothing themselves. */
function skipWrappers(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e) || ts.isNonNullExpression(e)) {
    e = e.expression;
  }
  return e;
}

function isInertProperty(p: ts.ObjectLiteralElementLike): boolean {
  // A computed name is an expression run now; a spread reads the source's getters.
  if (!p.name || ts.isComputedPropertyName(p.name)) return false;
  if (ts.isPropertyAssignment(p)) return isInertExpression(p.initializer);
  // Methods and accessors are created, not run; a shorthand `{ x }` reads a variable.
  return ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p);
}
