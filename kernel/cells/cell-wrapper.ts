import ts = require('typescript');

/**
 * The script around a rewritten cell (statement-rewrite.ts does the rewrite): the `var` that makes its top-level names
 * globals, and the arrow it runs in, async when it awaits at top level.
 *
 * A name the cell binds that is also one of the platform's globals (`import * as crypto from "node:crypto"`,
 * `const { setTimeout } = await import(...)`, `let fetch = ...`) must not replace that global, which the kernel and
 * the packages it loads use too (and some are getter-only; global-shadows.ts): it is kept in `__tsf.shadows` as
 * soon as it is bound, and every later cell receives these names as the arrow's parameters, so the cell and the
 * functions it defines see the cell's binding; one the cell may assign is kept again at its end:
 *
 *   ((setTimeout) => { try { setTimeout = ...; __tsf.shadows.setTimeout = setTimeout; ... }
 *     finally { __tsf.shadows.setTimeout = setTimeout; } })(__tsf.shadows.setTimeout)
 */

/** The global through which emitted code reaches the engine (runner.ts CellHelper): require, import, shadows. */
export const CELL_HELPER = '__tsf';

/** `__tsf.<name>`. */
export function helperAccess(f: ts.NodeFactory, name: string): ts.PropertyAccessExpression {
  return f.createPropertyAccessExpression(f.createIdentifier(CELL_HELPER), name);
}

/** `__tsf.shadows.name = name` for each of `names` that is `shadowed`: the binding, kept for later cells. */
export function keepShadows(f: ts.NodeFactory, shadowed: ReadonlySet<string>, names: Iterable<string>, into: ts.Statement[]): void {
  for (const name of names) {
    if (shadowed.has(name)) into.push(f.createExpressionStatement(f.createAssignment(f.createPropertyAccessExpression(helperAccess(f, 'shadows'), name), f.createIdentifier(name))));
  }
}

/** What the rewrite of one cell produced, in the order the wrapper runs it. */
export interface RewrittenCell {
  /** Imports and function declarations, run first. */
  hoisted: readonly ts.Statement[];
  /** The rest of the cell, in place, but for its value. */
  body: readonly ts.Statement[];
  /** The cell's last statement when it is an expression: the arrow returns its value, boxed (valueReturn). */
  value: ts.ExpressionStatement | undefined;
  /** The top-level names the cell makes globals. */
  globals: readonly string[];
  /** This cell's own names that shadow a global: kept in `__tsf.shadows` once the hoisted statements ran. */
  shadowing: readonly string[];
  /** Every shadowed name the cell sees: its own and the earlier cells' (the arrow's parameters). */
  shadowed: ReadonlySet<string>;
  /** Shadowed names the cell may assign: kept again when it ends, even by a throw. */
  writeBack: ReadonlySet<string>;
  /** Whether it awaits at top level (the arrow is then async). */
  isAsync: boolean;
}

/**
 * `var globals...; ((shadowed...) => { hoisted; keep shadows; body })(__tsf.shadows.x...)`, async when it awaits;
 * the body in `try { } finally { keep writeBack }` when the cell may assign a shadowed name.
 */
export function wrapCell(f: ts.NodeFactory, file: ts.SourceFile, cell: RewrittenCell): ts.SourceFile {
  const { shadowed, globals } = cell;
  const inner = wrappedStatements(f, cell);
  const kept: ts.Statement[] = [];
  keepShadows(f, shadowed, cell.writeBack, kept);
  const statements = kept.length ? [f.createTryStatement(f.createBlock(inner, true), undefined, f.createBlock(kept, true))] : inner;
  const parameters = [...shadowed].map((name) => f.createParameterDeclaration(undefined, undefined, name));
  const wrapper = f.createArrowFunction(
    cell.isAsync ? [f.createModifier(ts.SyntaxKind.AsyncKeyword)] : undefined,
    undefined, parameters, undefined, undefined,
    f.createBlock(statements, true),
  );
  const args = [...shadowed].map((name) => f.createPropertyAccessExpression(helperAccess(f, 'shadows'), name));
  const run = f.createExpressionStatement(f.createCallExpression(f.createParenthesizedExpression(wrapper), undefined, args));
  const vars = globals.length
    ? [f.createVariableStatement(undefined, f.createVariableDeclarationList(globals.map((n) => f.createVariableDeclaration(n))))]
    : [];
  return f.updateSourceFile(file, [...vars, run]);
}

/**
 * The statements the wrapper's arrow runs: the hoisted ones, this cell's shadowing names kept (after all imports:
 * one may fail), the body, and the return of the cell's value unless `withValue` is false.
 */
export function wrappedStatements(f: ts.NodeFactory, cell: RewrittenCell, withValue = true): ts.Statement[] {
  const keep: ts.Statement[] = [];
  keepShadows(f, cell.shadowed, cell.shadowing, keep);
  const statements = [...cell.hoisted, ...keep, ...cell.body];
  if (withValue && cell.value) statements.push(ts.setTextRange(f.createReturnStatement(boxedValue(f, cell.value)), cell.value));
  return statements;
}

/** `[value]`: the cell's value boxed, so that an un-awaited promise is shown as is (runner.ts unboxes it). */
export function boxedValue(f: ts.NodeFactory, value: ts.ExpressionStatement): ts.ArrayLiteralExpression {
  return f.createArrayLiteralExpression([value.expression]);
}

/** One level of the printer's indentation (a TextWriter's, at its default). */
const INDENT = '    ';

/**
 * The text the printer writes for wrapCell's script around its wrappedStatements, which go between `head` and
 * `tail` printed `depth` levels deep (each on its own lines): the printer's formatting of these fixed nodes,
 * written directly (test/cells/plain-emit.test.ts compares the two for every shape of wrapper).
 */
export function wrapperText(cell: RewrittenCell): { head: string; tail: string; depth: number } {
  const { shadowed, globals } = cell;
  const names = [...shadowed];
  // The printer leaves out the parentheses of a lone plain parameter, except after `async`.
  const parameters = names.length === 1 && !cell.isAsync ? names[0] : `(${names.join(', ')})`;
  let head = `${globals.length ? `var ${globals.join(', ')};\n` : ''}(${cell.isAsync ? 'async ' : ''}${parameters} => {\n`;
  let tail = `})(${names.map((name) => `${CELL_HELPER}.shadows.${name}`).join(', ')});\n`;
  const kept = [...cell.writeBack].filter((name) => shadowed.has(name));
  if (!kept.length) return { head, tail, depth: 1 };
  head += `${INDENT}try {\n`;
  const keeps = kept.map((name) => `${INDENT}${INDENT}${CELL_HELPER}.shadows.${name} = ${name};\n`).join('');
  tail = `${INDENT}}\n${INDENT}finally {\n${keeps}${INDENT}}\n${tail}`;
  return { head, tail, depth: 2 };
}
