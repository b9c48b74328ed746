import ts = require('typescript');
import { helperAccess, keepShadows, type RewrittenCell } from './cell-wrapper';
import { boundNames } from './names';

/**
 * Rewrites a cell's top-level statements so that its script (cell-wrapper.ts puts them into it) runs in the
 * notebook's global scope:
 *
 *   var x, f, C;                       // every top-level name becomes a global (a property of globalThis)
 *   (async () => {                     // async only when the cell awaits at top level
 *     x = __tsf.require("m").x;        // imports, hoisted
 *     f = function (...) {...};        // function declarations, hoisted
 *     x = 1; C = class C {...};        // declarations become assignments, in place
 *     return [lastExpression];         // the cell's value, boxed so an un-awaited promise is shown as is
 *   })()
 *
 * An import or declaration whose name is also one of the platform's globals (`let fetch = ...`) is not a global: it
 * is bound for the notebook's code only, as the wrapper's parameter (cell-wrapper.ts). `import()` is rewritten apart,
 * anywhere in the cell (transform.ts).
 *
 * Declarations turn into assignments rather than staying bindings so that a function in one cell sees a later
 * cell's redefinition of a name (as Python's globals do) and re-running a `const` cell cannot clash.
 * `using`/`await using` declarations stay local to the cell (the resource is disposed when the cell ends), and
 * TypeScript downlevels them (Node 20 has no `using` syntax) since the target is ES2022.
 */

/** What the rewrite needs to know of a cell besides its syntax tree. */
export interface RewriteOptions {
  /** Top-level names with a value meaning; when given, imports of other (type-only) names are dropped. */
  valueNames?: ReadonlySet<string>;
  /**
   * Where the engine's own text after the cell begins (its export line, `export { names };` or `export {};`, and the
   * imports that shadow globals, index.ts): statements from there on are not part of the cell.
   */
  suffixStart?: number;
  /** Imports and declarations that shadow a global (see above): this cell's own, and earlier cells' it may use. */
  shadowed?: ReadonlySet<string>;
  /** Shadowed names the cell may assign: their values are kept in `__tsf.shadows` when it ends, even by a throw. */
  writeBack?: ReadonlySet<string>;
}

/** The cell's statements rewritten (the wrapper goes around them: cell-wrapper.ts); dynamic imports already rewritten. */
export function rewriteStatements(file: ts.SourceFile, f: ts.NodeFactory, options: RewriteOptions, globals: string[]): RewrittenCell {
  const cell = new CellRewrite(f, options, globals);
  const suffixStart = options.suffixStart ?? Infinity;
  // By where a statement ends: its pos includes the trivia before it, so the engine's first statement starts inside
  // a cell that ends with a newline (and the cell's last expression would no longer be last).
  const statements = file.statements.filter((s) => !ts.isEmptyStatement(s) && s.end <= suffixStart);
  const last = statements[statements.length - 1];
  for (const stmt of statements) {
    cell.isAsync ||= mayAwaitAtTopLevel(stmt) && awaitsAtTopLevel(stmt);
    if (!hasModifier(stmt, ts.SyntaxKind.DeclareKeyword)) rewriteStatement(cell, stmt, stmt === last);
  }
  return cell;
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node)?.some((m) => m.kind === kind) ?? false);
}

/** Modifiers that still mean something on an expression: async, decorators. */
function runtimeModifiers(node: ts.FunctionDeclaration | ts.ClassDeclaration): ts.ModifierLike[] | undefined {
  const kept = node.modifiers?.filter((m: ts.ModifierLike) => m.kind === ts.SyntaxKind.AsyncKeyword || m.kind === ts.SyntaxKind.Decorator);
  return kept?.length ? kept : undefined;
}

/**
 * The parser's marks (node.transformFlags, a TypeScript internal) of what awaitsAtTopLevel looks for: an `await`
 * outside functions (functions clear the mark), `for await` (ES2018 syntax) and `await using` (ESNext). A statement
 * with none of them, and no TypeScript syntax (an ambient statement keeps no marks of its parts), is not walked.
 */
const MAY_AWAIT = ((f) => (f ? f.ContainsAwait | f.ContainsES2018 | f.ContainsESNext | f.ContainsTypeScript : 0))(
  (ts as unknown as { TransformFlags?: Record<'ContainsAwait' | 'ContainsES2018' | 'ContainsESNext' | 'ContainsTypeScript', number> }).TransformFlags);
const mayAwaitAtTopLevel = (stmt: ts.Statement): boolean => MAY_AWAIT === 0 || ((stmt as ts.Statement & { transformFlags: number }).transformFlags & MAY_AWAIT) !== 0;

/** True when the statement awaits outside any nested function (so the wrapper must be async). */
function awaitsAtTopLevel(node: ts.Node): boolean {
  if (ts.isFunctionLike(node) || ts.isClassLike(node)) return false;
  if (ts.isAwaitExpression(node)) return true;
  if (ts.isForOfStatement(node) && node.awaitModifier) return true;
  if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.AwaitUsing) return true;
  return ts.forEachChild(node, awaitsAtTopLevel) ?? false;
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** What the rewrite of one cell gathers: hoisted imports and functions, the body in order, and the names declared. */
class CellRewrite implements RewrittenCell {
  readonly hoisted: ts.Statement[] = [];
  readonly body: ts.Statement[] = [];
  /** This cell's imports that shadow a global: kept in `__tsf.shadows` rather than made globals. */
  readonly shadowing: string[] = [];
  readonly shadowed: ReadonlySet<string>;
  readonly writeBack: ReadonlySet<string>;
  isAsync = false;
  value: ts.ExpressionStatement | undefined;
  private readonly names = new Set<string>();

  constructor(readonly f: ts.NodeFactory, private readonly options: RewriteOptions, readonly globals: string[]) {
    this.shadowed = options.shadowed ?? NO_NAMES;
    this.writeBack = options.writeBack ?? NO_NAMES;
  }

  declare(name: string): void {
    if (this.names.has(name)) return;
    this.names.add(name);
    if (this.shadowed.has(name)) this.shadowing.push(name);
    else this.globals.push(name);
  }

  isValue(name: string): boolean {
    return !this.options.valueNames || this.options.valueNames.has(name);
  }

  /** `__tsf.shadows.name = name` for each of `names` that shadows a global, in place: later cells see the binding. */
  keepShadows(names: Iterable<string>): void {
    keepShadows(this.f, this.shadowed, names, this.body);
  }

  assign(target: ts.Expression, value: ts.Expression, range: ts.Node): ts.Statement {
    return ts.setTextRange(this.f.createExpressionStatement(this.f.createAssignment(target, value)), range);
  }

  /** `name = value` to a global (or a shadowing import) of that name. */
  assignName(name: string, value: ts.Expression, range: ts.Node): ts.Statement {
    return this.assign(this.f.createIdentifier(name), value, range);
  }

  helper(name: string): ts.PropertyAccessExpression {
    return helperAccess(this.f, name);
  }

  requireCall(spec: ts.Expression): ts.CallExpression {
    return this.f.createCallExpression(this.helper('require'), undefined, [spec]);
  }
}

/** One top-level statement: declarations become assignments to globals, everything else keeps its place. */
function rewriteStatement(cell: CellRewrite, stmt: ts.Statement, isLast: boolean): void {
  if (ts.isImportDeclaration(stmt)) return rewriteImport(cell, stmt);
  if (ts.isImportEqualsDeclaration(stmt)) return rewriteImportEquals(cell, stmt);
  if (ts.isExportDeclaration(stmt)) return;
  if (ts.isExportAssignment(stmt)) {
    cell.body.push(ts.setTextRange(cell.f.createExpressionStatement(stmt.expression), stmt));
    return;
  }
  if (ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) return;
  if (ts.isVariableStatement(stmt)) return rewriteVariables(cell, stmt);
  if (ts.isFunctionDeclaration(stmt)) return rewriteFunction(cell, stmt);
  if (ts.isClassDeclaration(stmt) && stmt.name) return rewriteClass(cell, stmt, stmt.name);
  if ((ts.isEnumDeclaration(stmt) || ts.isModuleDeclaration(stmt)) && ts.isIdentifier(stmt.name)) {
    return rewriteEnumOrNamespace(cell, stmt, stmt.name.text);
  }
  if (isLast && ts.isExpressionStatement(stmt)) {
    // The cell's value: the wrapper returns it (cell-wrapper.ts).
    cell.value = stmt;
    return;
  }
  cell.body.push(stmt);
}

/** `import d, * as ns, { a, b as c } from "m"` -> hoisted assignments from `__tsf.require("m")`. */
function rewriteImport(cell: CellRewrite, stmt: ts.ImportDeclaration): void {
  const { f } = cell;
  const clause = stmt.importClause;
  if (clause?.isTypeOnly) return;
  const mod = cell.requireCall(stmt.moduleSpecifier);
  if (!clause) {
    cell.hoisted.push(ts.setTextRange(f.createExpressionStatement(mod), stmt));
    return;
  }
  if (clause.name && cell.isValue(clause.name.text)) {
    cell.declare(clause.name.text);
    const interop = f.createCallExpression(cell.helper('importDefault'), undefined, [mod]);
    cell.hoisted.push(cell.assignName(clause.name.text, interop, stmt));
  }
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings) && cell.isValue(bindings.name.text)) {
    cell.declare(bindings.name.text);
    cell.hoisted.push(cell.assignName(bindings.name.text, mod, stmt));
  } else if (bindings && ts.isNamedImports(bindings)) {
    for (const spec of bindings.elements) {
      if (spec.isTypeOnly || !cell.isValue(spec.name.text)) continue;
      cell.declare(spec.name.text);
      const imported = spec.propertyName ?? spec.name;
      const access = ts.isIdentifier(imported)
        ? f.createPropertyAccessExpression(cell.requireCall(stmt.moduleSpecifier), imported.text)
        : f.createElementAccessExpression(cell.requireCall(stmt.moduleSpecifier), f.createStringLiteral(imported.text));
      cell.hoisted.push(cell.assignName(spec.name.text, access, spec));
    }
  }
}

/** `import x = require("m")` or `import x = A.B`: hoisted like an import. */
function rewriteImportEquals(cell: CellRewrite, stmt: ts.ImportEqualsDeclaration): void {
  if (stmt.isTypeOnly || !cell.isValue(stmt.name.text)) return;
  cell.declare(stmt.name.text);
  const ref = stmt.moduleReference;
  const value = ts.isExternalModuleReference(ref) ? cell.requireCall(ref.expression) : entityToExpression(cell.f, ref);
  cell.hoisted.push(cell.assignName(stmt.name.text, value, stmt));
}

/** `const/let/var` -> assignments in place (destructuring too); `using` stays a local binding. */
function rewriteVariables(cell: CellRewrite, stmt: ts.VariableStatement): void {
  const list = stmt.declarationList;
  if (list.flags & ts.NodeFlags.Using) {
    // using / await using: stays a local binding so it is disposed at the end of the cell.
    cell.body.push(stmt);
    return;
  }
  const isVar = (list.flags & ts.NodeFlags.BlockScoped) === 0;
  for (const decl of list.declarations) {
    for (const n of boundNames(decl.name)) cell.declare(n);
    if (decl.initializer) {
      cell.body.push(cell.assign(bindingToTarget(cell.f, decl.name), decl.initializer, decl));
    } else if (!isVar && ts.isIdentifier(decl.name)) {
      // `let x;` run again resets x, as it would in a fresh scope.
      cell.body.push(cell.assignName(decl.name.text, cell.f.createVoidZero(), decl));
    }
    cell.keepShadows(boundNames(decl.name));
  }
}

/** `function f() {}` -> a hoisted `f = function () {}`; an overload signature emits nothing. */
function rewriteFunction(cell: CellRewrite, stmt: ts.FunctionDeclaration): void {
  if (!stmt.body || !stmt.name) {
    if (stmt.body) cell.body.push(stmt);
    return;
  }
  cell.declare(stmt.name.text);
  const fn = cell.f.createFunctionExpression(
    runtimeModifiers(stmt) as ts.Modifier[] | undefined,
    stmt.asteriskToken,
    undefined, // anonymous: it takes the global's name, and recursion goes through the global like Python's
    stmt.typeParameters,
    stmt.parameters,
    stmt.type,
    stmt.body,
  );
  ts.setTextRange(fn, stmt);
  cell.hoisted.push(cell.assignName(stmt.name.text, fn, stmt));
}

/** `class C {}` -> `C = class C {}` in place (classes are not hoisted). */
function rewriteClass(cell: CellRewrite, stmt: ts.ClassDeclaration, name: ts.Identifier): void {
  cell.declare(name.text);
  const cls = cell.f.createClassExpression(runtimeModifiers(stmt), name, stmt.typeParameters, stmt.heritageClauses, stmt.members);
  ts.setTextRange(cls, stmt);
  cell.body.push(cell.assignName(name.text, cls, stmt));
  cell.keepShadows([name.text]);
}

/** `enum E {}` / `namespace N {}` -> `E = (() => { enum E {...}; return E; })()` in place. */
function rewriteEnumOrNamespace(cell: CellRewrite, stmt: ts.EnumDeclaration | ts.ModuleDeclaration, name: string): void {
  if (!cell.isValue(name)) return; // a namespace of types only emits nothing
  cell.declare(name);
  const { f } = cell;
  // TypeScript emits these as `var E; (function (E) {...})(E || (E = {}))`: evaluate that in a closure.
  const stripped = ts.isEnumDeclaration(stmt)
    ? f.updateEnumDeclaration(stmt, undefined, stmt.name, stmt.members)
    : f.updateModuleDeclaration(stmt, undefined, stmt.name, stmt.body);
  const closure = f.createArrowFunction(undefined, undefined, [], undefined, undefined,
    f.createBlock([stripped, f.createReturnStatement(f.createIdentifier(name))], true));
  cell.body.push(cell.assignName(name, f.createCallExpression(f.createParenthesizedExpression(closure), undefined, []), stmt));
  cell.keepShadows([name]);
}

function entityToExpression(f: ts.NodeFactory, name: ts.EntityName): ts.Expression {
  return ts.isIdentifier(name)
    ? f.createIdentifier(name.text)
    : f.createPropertyAccessExpression(entityToExpression(f, name.left), name.right.text);
}

/** `{ a, b: [c = 1], ...r }` as a binding -> the same shape as an assignment target. */
function bindingToTarget(f: ts.NodeFactory, name: ts.BindingName): ts.Expression {
  if (ts.isIdentifier(name)) return f.createIdentifier(name.text);
  if (ts.isObjectBindingPattern(name)) {
    return f.createObjectLiteralExpression(
      name.elements.map((el) => {
        if (el.dotDotDotToken) return f.createSpreadAssignment(bindingToTarget(f, el.name));
        if (!el.propertyName && ts.isIdentifier(el.name)) return f.createShorthandPropertyAssignment(el.name.text, el.initializer);
        const target = bindingToTarget(f, el.name);
        return f.createPropertyAssignment(el.propertyName ?? (el.name as ts.Identifier),
          el.initializer ? f.createAssignment(target, el.initializer) : target);
      }),
    );
  }
  return f.createArrayLiteralExpression(
    name.elements.map((el) => {
      if (ts.isOmittedExpression(el)) return f.createOmittedExpression();
      const target = bindingToTarget(f, el.name);
      if (el.dotDotDotToken) return f.createSpreadElement(target);
      return el.initializer ? f.createAssignment(target, el.initializer) : target;
    }),
  );
}
