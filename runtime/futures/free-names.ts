/**
 * Free-variable analysis of a function's (or class's) JavaScript source, as returned by `fn.toString()`.
 * Used only in the parent process to find what a function needs from its defining scope before it is shipped
 * to a worker. The `typescript` package is required lazily so that workers never load it.
 */
import type * as TS from 'typescript';

let tsModule: typeof TS | undefined;
function ts(): typeof TS {
  return (tsModule ??= require('typescript') as typeof TS);
}

export interface FreeNames {
  /** Identifiers the source reads but does not declare, in order of first use. */
  names: string[];
  /** For a free `exports` (tsc's CommonJS output reads exported constants as `exports.X`): the X's. */
  exportsMembers: string[];
  /** For each free name, the members read as `name.X`, or null when the name is also used otherwise. */
  members: Map<string, string[] | null>;
}

/**
 * `fn.toString()` is not always an expression: methods print as `name() {}` / `async *name() {}` / `[k]() {}`.
 * Returns an expression evaluating to the function, or undefined when the source cannot be made standalone.
 */
export function asExpression(source: string): string | undefined {
  const t = ts();
  for (const candidate of [`(${source})`, `({${source}})`]) {
    const file = t.createSourceFile('ship.js', candidate, t.ScriptTarget.Latest, false, t.ScriptKind.JS);
    if ((file as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length) continue;
    const stmt = file.statements[0];
    if (file.statements.length !== 1 || !stmt || !t.isExpressionStatement(stmt)) continue;
    const inner = (stmt.expression as TS.ParenthesizedExpression).expression;
    if (t.isFunctionExpression(inner) || t.isArrowFunction(inner) || t.isClassExpression(inner)) return candidate;
    if (t.isObjectLiteralExpression(inner) && inner.properties.length === 1) {
      const member = inner.properties[0];
      if (member && (t.isMethodDeclaration(member) || t.isGetAccessor(member) || t.isSetAccessor(member))) {
        // A method: evaluate the one-member object and take its only own key (which may be computed).
        return `((o) => { const k = Reflect.ownKeys(o)[0]; const d = Object.getOwnPropertyDescriptor(o, k); return d.value ?? d.get ?? d.set; })(${candidate})`;
      }
    }
  }
  return undefined;
}

/** Analyses by source: a module's helper is shipped with each new function (a fresh closure) that uses it. */
const analysed = new Map<string, FreeNames>();
const ANALYSED_LIMIT = 2000;

/** The free names of a standalone expression (the output of asExpression); callers only read the result. */
export function freeNames(expression: string): FreeNames {
  const known = analysed.get(expression);
  if (known) return known;
  if (analysed.size >= ANALYSED_LIMIT) analysed.clear();
  const found = analyse(expression);
  analysed.set(expression, found);
  return found;
}

function analyse(expression: string): FreeNames {
  const t = ts();
  const file = t.createSourceFile('ship.js', expression, t.ScriptTarget.Latest, true, t.ScriptKind.JS);
  const free = new Set<string>();
  const exportsMembers = new Set<string>();
  const members = new Map<string, string[] | null>();
  const scopes: Set<string>[] = [];
  const declared = (name: string) => scopes.some((s) => s.has(name));

  function visit(n: TS.Node): void {
    if (t.isIdentifier(n)) {
      if (isReference(t, n) && !declared(n.text)) {
        free.add(n.text);
        const member = t.isPropertyAccessExpression(n.parent) && n.parent.expression === n ? n.parent.name.text : undefined;
        if (n.text === 'exports' && member !== undefined) exportsMembers.add(member);
        const seen = members.get(n.text);
        if (member === undefined) members.set(n.text, null);
        else if (seen === undefined) members.set(n.text, [member]);
        else if (seen && !seen.includes(member)) seen.push(member);
      }
      return;
    }
    const scope = scopeNames(t, n);
    if (!scope) {
      t.forEachChild(n, visit);
      return;
    }
    scopes.push(scope);
    try {
      t.forEachChild(n, visit);
    } finally {
      scopes.pop();
    }
  }

  visit(file);
  return { names: [...free], exportsMembers: [...exportsMembers], members };
}

/** The names a node declares for the code inside it, when it opens a scope (function, class, block, loop, catch). */
function scopeNames(t: typeof TS, n: TS.Node): Set<string> | undefined {
  const names = new Set<string>();
  if (t.isFunctionLike(n)) {
    names.add('arguments');
    // A named function expression sees its own name.
    if (t.isFunctionExpression(n) && n.name) names.add(n.name.text);
    for (const p of n.parameters) bindingNames(t, p.name, names);
    const body = (n as TS.FunctionLikeDeclarationBase).body;
    if (body) {
      hoistedNames(t, body, names);
      if (t.isBlock(body)) lexicalNames(t, body.statements, names);
    }
    // Computed method names and parameter defaults are visited inside the scope: close enough for shipping.
    return names;
  }
  if (t.isClassLike(n)) {
    if (n.name) names.add(n.name.text);
    return names;
  }
  if (t.isBlock(n) || t.isCaseBlock(n) || t.isSourceFile(n)) {
    lexicalNames(t, t.isCaseBlock(n) ? n.clauses.flatMap((c) => [...c.statements]) : [...n.statements], names);
    return names;
  }
  if (t.isForStatement(n) || t.isForInStatement(n) || t.isForOfStatement(n)) {
    const init = n.initializer;
    if (init && t.isVariableDeclarationList(init)) for (const d of init.declarations) bindingNames(t, d.name, names);
    return names;
  }
  if (t.isCatchClause(n)) {
    if (n.variableDeclaration) bindingNames(t, n.variableDeclaration.name, names);
    return names;
  }
  return undefined;
}

/** Names bound by a declaration name (identifier or destructuring pattern). */
function bindingNames(t: typeof TS, name: TS.BindingName, into: Set<string>): void {
  if (t.isIdentifier(name)) into.add(name.text);
  else for (const el of name.elements) if (!t.isOmittedExpression(el)) bindingNames(t, el.name, into);
}

/** var declarations and nested function declarations hoisted to a function scope (not entering nested functions). */
function hoistedNames(t: typeof TS, body: TS.Node, into: Set<string>): void {
  const visit = (n: TS.Node): void => {
    if (t.isVariableDeclarationList(n) && !(n.flags & (t.NodeFlags.Let | t.NodeFlags.Const))) {
      for (const d of n.declarations) bindingNames(t, d.name, into);
    }
    if (t.isFunctionDeclaration(n)) {
      if (n.name) into.add(n.name.text);
      return;
    }
    if (t.isFunctionLike(n) || t.isClassLike(n)) return;
    t.forEachChild(n, visit);
  };
  t.forEachChild(body, visit);
}

/** let/const/class/function declared directly in a block-like node. */
function lexicalNames(t: typeof TS, statements: readonly TS.Node[], into: Set<string>): void {
  for (const s of statements) {
    if (t.isVariableStatement(s) && s.declarationList.flags & (t.NodeFlags.Let | t.NodeFlags.Const)) {
      for (const d of s.declarationList.declarations) bindingNames(t, d.name, into);
    } else if ((t.isClassDeclaration(s) || t.isFunctionDeclaration(s)) && s.name) {
      into.add(s.name.text);
    }
  }
}

/** False for identifiers that name rather than read: property names, declared names, labels, `new.target`. */
function isReference(t: typeof TS, id: TS.Identifier): boolean {
  const p = id.parent;
  if (!p) return true;
  if (t.isPropertyAccessExpression(p) && p.name === id) return false;
  if ((t.isPropertyAssignment(p) || t.isMethodDeclaration(p) || t.isPropertyDeclaration(p) ||
    t.isGetAccessor(p) || t.isSetAccessor(p) || t.isPropertySignature(p)) && p.name === id) return false;
  if (t.isBindingElement(p) && p.propertyName === id) return false;
  if ((t.isVariableDeclaration(p) || t.isParameter(p) || t.isBindingElement(p) || t.isFunctionDeclaration(p) ||
    t.isFunctionExpression(p) || t.isClassDeclaration(p) || t.isClassExpression(p)) && p.name === id) return false;
  if (t.isLabeledStatement(p) || t.isBreakStatement(p) || t.isContinueStatement(p)) return false;
  if (t.isMetaProperty(p)) return false;
  return true;
}

/** The private names (`#x` fields and methods) a class's source declares: instances holding them cannot travel. */
export function privateNames(expression: string): string[] {
  const t = ts();
  const file = t.createSourceFile('ship.js', expression, t.ScriptTarget.Latest, true, t.ScriptKind.JS);
  const found: string[] = [];
  const visit = (n: TS.Node): void => {
    if (t.isClassLike(n)) {
      for (const m of n.members) {
        const isStatic = t.canHaveModifiers(m) && t.getModifiers(m)?.some((x) => x.kind === t.SyntaxKind.StaticKeyword);
        if (m.name && t.isPrivateIdentifier(m.name) && !isStatic) found.push(m.name.text.slice(1));
      }
      return; // a nested class's fields are its own instances' business
    }
    t.forEachChild(n, visit);
  };
  visit(file);
  return found;
}
