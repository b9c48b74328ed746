/**
 * A module's own top-level names, read from its code: what a function of the module may use besides its imports
 * (a helper function, a class, a constant), which reflection cannot see. Each name is classified once per module:
 * exported (the worker gets the value the parent's module holds), a function or class that can travel by its
 * source, a literal that can be re-evaluated (the worker's copy starts from the module's initial value, as a
 * module CPython's worker imports does), or neither (an unexported value computed at load time: re-evaluating it
 * could differ or have effects, so shipping refuses it and says to export it).
 */
import type * as TS from 'typescript';

export type ScopeName =
  /** `exports.K = X` / `module.exports = { K: X }`: read from the module's exports at that path. */
  | { kind: 'exported'; path: string[]; source?: string }
  /** A function or class declaration, or a function- or class-valued initializer: `code` evaluates to it. */
  | { kind: 'source'; code: string }
  /** A literal initializer (or none): `code` is it. */
  | { kind: 'literal'; code: string }
  /** Any other unexported top-level binding. */
  | { kind: 'opaque'; declaration: 'const' | 'let' | 'var' | 'binding' };

let tsModule: typeof TS | undefined;
function ts(): typeof TS {
  return (tsModule ??= require('typescript') as typeof TS);
}

/** The top-level names a CommonJS module's code declares (ES module syntax is not read: its functions are not found). */
export function topLevelNames(text: string, filename: string): Map<string, ScopeName> {
  const t = ts();
  const file = t.createSourceFile(filename, text, t.ScriptTarget.Latest, true, t.ScriptKind.JS);
  const declared = new Map<string, ScopeName>();
  const exported = new Map<string, string[]>();
  for (const s of file.statements) {
    if ((t.isFunctionDeclaration(s) || t.isClassDeclaration(s)) && s.name && !t.getModifiers(s)?.length) {
      declared.set(s.name.text, { kind: 'source', code: `(${s.getText(file)})` });
    } else if (t.isVariableStatement(s)) {
      const flags = s.declarationList.flags;
      const declaration = flags & t.NodeFlags.Const ? 'const' : flags & t.NodeFlags.Let ? 'let' : 'var';
      for (const d of s.declarationList.declarations) {
        if (!t.isIdentifier(d.name)) {
          for (const name of bindingNames(t, d.name)) declared.set(name, { kind: 'opaque', declaration: 'binding' });
          continue;
        }
        const init = d.initializer && skipParentheses(t, d.initializer);
        if (init && (t.isArrowFunction(init) || t.isFunctionExpression(init) || t.isClassExpression(init))) {
          declared.set(d.name.text, { kind: 'source', code: `(${init.getText(file)})` });
        } else if (!init || isLiteral(t, init)) {
          declared.set(d.name.text, { kind: 'literal', code: init ? `(${init.getText(file)})` : 'undefined' });
        } else {
          declared.set(d.name.text, { kind: 'opaque', declaration });
        }
      }
    } else if (t.isExpressionStatement(s)) {
      exportsOf(t, s.expression, exported);
    }
  }
  for (const [name, path] of exported) {
    const known = declared.get(name);
    if (known) declared.set(name, { kind: 'exported', path, source: known.kind === 'source' ? known.code : undefined });
  }
  return declared;
}

/** `exports.K = X`, `module.exports.K = X`, `exports.a = exports.b = X`, `module.exports = X | { X, K: X }`. */
function exportsOf(t: typeof TS, e: TS.Expression, into: Map<string, string[]>): void {
  const targets: string[][] = [];
  while (t.isBinaryExpression(e) && e.operatorToken.kind === t.SyntaxKind.EqualsToken) {
    const target = exportTarget(t, e.left);
    if (!target) return;
    targets.push(target);
    e = skipParentheses(t, e.right);
  }
  if (!targets.length) return;
  const first = targets[0]!;
  if (t.isIdentifier(e)) {
    if (!into.has(e.text)) into.set(e.text, first);
    return;
  }
  if (first.length === 0 && t.isObjectLiteralExpression(e)) {
    for (const p of e.properties) {
      if (t.isShorthandPropertyAssignment(p) && !into.has(p.name.text)) into.set(p.name.text, [p.name.text]);
      if (t.isPropertyAssignment(p) && t.isIdentifier(p.initializer) && (t.isIdentifier(p.name) || t.isStringLiteral(p.name)) &&
        !into.has(p.initializer.text)) into.set(p.initializer.text, [p.name.text]);
    }
  }
}

/** The export path an assignment target names: [] for `module.exports`, [K] for `exports.K` / `module.exports.K`. */
function exportTarget(t: typeof TS, e: TS.Expression): string[] | undefined {
  const isModuleExports = (x: TS.Expression) => t.isPropertyAccessExpression(x) && t.isIdentifier(x.expression) &&
    x.expression.text === 'module' && x.name.text === 'exports';
  if (isModuleExports(e)) return [];
  if (t.isPropertyAccessExpression(e) && ((t.isIdentifier(e.expression) && e.expression.text === 'exports') || isModuleExports(e.expression))) {
    return [e.name.text];
  }
  return undefined;
}

function skipParentheses(t: typeof TS, e: TS.Expression): TS.Expression {
  while (t.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/** Literals whose re-evaluation in a worker gives an equal value with no effect: numbers, strings, arrays/objects of them. */
function isLiteral(t: typeof TS, e: TS.Expression): boolean {
  e = skipParentheses(t, e);
  if (t.isNumericLiteral(e) || t.isBigIntLiteral(e) || t.isStringLiteral(e) || t.isNoSubstitutionTemplateLiteral(e) ||
    t.isRegularExpressionLiteral(e)) return true;
  if (e.kind === t.SyntaxKind.TrueKeyword || e.kind === t.SyntaxKind.FalseKeyword || e.kind === t.SyntaxKind.NullKeyword) return true;
  if (t.isIdentifier(e)) return e.text === 'undefined' || e.text === 'NaN' || e.text === 'Infinity';
  if (t.isPrefixUnaryExpression(e)) return (e.operator === t.SyntaxKind.MinusToken || e.operator === t.SyntaxKind.PlusToken) && isLiteral(t, e.operand);
  if (t.isArrayLiteralExpression(e)) return e.elements.every((x) => !t.isSpreadElement(x) && !t.isOmittedExpression(x) && isLiteral(t, x));
  if (t.isObjectLiteralExpression(e)) {
    return e.properties.every((p) => t.isPropertyAssignment(p) && !t.isComputedPropertyName(p.name) && isLiteral(t, p.initializer));
  }
  return false;
}

function bindingNames(t: typeof TS, name: TS.BindingName): string[] {
  if (t.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((el) => (t.isOmittedExpression(el) ? [] : bindingNames(t, el.name)));
}
