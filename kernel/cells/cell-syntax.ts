import ts = require('typescript');
import { isRelativeSpecifier } from './local-modules';

/** What the engine (index.ts) reads from a cell's own syntax tree, before and after its check. */

/** Whether the cell's code holds a function or class (whose code may run, and throw, after the cell). */
export function createsFunctions(file: ts.SourceFile): boolean {
  const visit = (node: ts.Node): boolean => ts.isFunctionLike(node) || ts.isClassLike(node) || !!ts.forEachChild(node, (child) => (visit(child) ? true : undefined));
  return visit(file);
}

/** The cell's syntax tree: TSX when it has JSX (it does not parse as TS then, but does as TSX), else TS. */
export function parseCell(code: string): ts.SourceFile {
  const parse = (kind: ts.ScriptKind) => ts.createSourceFile(kind === ts.ScriptKind.TSX ? 'cell.tsx' : 'cell.ts', code, ts.ScriptTarget.ES2022, false, kind);
  const parsed = parse(ts.ScriptKind.TS);
  if (!hasParseErrors(parsed) || !/<[\w>]/.test(code)) return parsed;
  const tsx = parse(ts.ScriptKind.TSX);
  return hasParseErrors(tsx) ? parsed : tsx;
}

export function hasParseErrors(file: ts.SourceFile): boolean {
  return ((file as ts.SourceFile & { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics?.length ?? 0) > 0;
}

/** Whether `code` has `name` as a whole word (anywhere: strings and comments too). */
export function mentions(code: string, name: string): boolean {
  return new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(code);
}

/** Whether the emit needs to know which of the cell's names are values (statement-rewrite.ts isValue): imports, enums, namespaces. */
export function declaresImportsOrScopes(file: ts.SourceFile): boolean {
  return file.statements.some((s) => ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s) || ts.isEnumDeclaration(s) || ts.isModuleDeclaration(s));
}

export function importsLocalModule(file: ts.SourceFile): boolean {
  return file.statements.some((s) => ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier) && isRelativeSpecifier(s.moduleSpecifier.text));
}
