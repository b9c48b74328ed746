import ts = require('typescript');
import type { Completion, Inspection } from '../protocol/engine';
import { libDocumentation } from './lib-docs';
import { usesNodeModules } from './node-lite';
import type { CellProject } from './project';

/** complete_request and inspect_request, answered by the language service on a scratch copy of the cell. */

/**
 * The scratch file is a module (so its declarations shadow, not clash with, the globals). `suffix`: the earlier
 * imports that shadow globals, which the code mentions (index.ts), after it so its positions stay.
 */
function loadScratch(project: CellProject, code: string, suffix = ''): string {
  // Completing `fs.` after `import * as fs from "fs"` needs the full Node types, as executing it would.
  if (!project.hasNodeTypes && usesNodeModules(ts.createSourceFile(project.scratchFile, code, ts.ScriptTarget.ES2022))) {
    project.useNodeTypes();
  }
  project.setFile(project.scratchFile, `${code}\nexport {};${suffix}`);
  return project.scratchFile;
}

const IDENTIFIER_CHAR = /[\p{ID_Continue}$\u200c\u200d]/u;

export function identifierStart(code: string, pos: number): number {
  let start = pos;
  while (start > 0 && IDENTIFIER_CHAR.test(code[start - 1])) start--;
  return start;
}

function identifierEnd(code: string, pos: number): number {
  let end = pos;
  while (end < code.length && IDENTIFIER_CHAR.test(code[end])) end++;
  return end;
}

/** Names the engine itself defines in the program: never offered to the user. */
const isInternal = (name: string) => name.startsWith('__tsf');

export function complete(project: CellProject, code: string, cursorPos: number, suffix?: string): Completion {
  const file = loadScratch(project, code, suffix);
  const start = identifierStart(code, cursorPos);
  const prefix = code.slice(start, cursorPos).toLowerCase();
  const info = project.service.getCompletionsAtPosition(file, cursorPos, {
    includeCompletionsWithInsertText: true,
    includeCompletionsForModuleExports: false,
  });
  const entries = (info?.entries ?? [])
    .filter((e) => !isInternal(e.name) && e.kind !== ts.ScriptElementKind.warning && e.name.toLowerCase().startsWith(prefix))
    .sort((a, b) => (a.sortText === b.sortText ? a.name.localeCompare(b.name) : a.sortText < b.sortText ? -1 : 1));
  const cursorEnd = cursorPos;
  return {
    matches: entries.map((e) => e.name),
    cursor_start: start,
    cursor_end: cursorEnd,
    metadata: {
      _jupyter_types_experimental: entries.map((e) => ({ start, end: cursorEnd, text: e.name, type: e.kind })),
    },
  };
}

/** Positions to ask about: the identifier at/just before the cursor, or the callee when the cursor follows `f(`. */
function candidatePositions(code: string, cursorPos: number): number[] {
  const out = [cursorPos, cursorPos - 1];
  let p = cursorPos;
  while (p > 0 && /[\s(]/.test(code[p - 1])) p--;
  out.push(p - 1);
  return out.filter((p) => p >= 0 && p < code.length);
}

/** detailLevel is accepted for the protocol; there is no source to show beyond the signature and doc (level 1). */
export function inspect(project: CellProject, code: string, cursorPos: number, _detailLevel: number, suffix?: string): Inspection {
  const file = loadScratch(project, code, suffix);
  for (const pos of candidatePositions(code, cursorPos)) {
    if (!IDENTIFIER_CHAR.test(code[pos])) continue;
    const info = definitionQuickInfo(project, file, pos) ?? project.service.getQuickInfoAtPosition(file, pos);
    if (!info) continue;
    const name = code.slice(identifierStart(code, pos), identifierEnd(code, pos));
    if (isInternal(name)) continue;
    const signature = ts.displayPartsToString(info.displayParts);
    // The lib is parsed without its doc comments (lib-docs.ts): its symbols' docs are read on demand.
    const docs = info.documentation?.length || info.tags?.length ? info : (libDocumentation(symbolAt(project, file, pos)) ?? info);
    const doc = ts.displayPartsToString(docs.documentation);
    const tags = (docs.tags ?? []).map((t) => `@${t.name}${t.text ? ' ' + ts.displayPartsToString(t.text) : ''}`);
    const plainDoc = [doc, ...tags].filter(Boolean).join('\n');
    const mdTags = tags.map((t) => `*${t.replace(/^@(\S+)/, '@$1*')}`);
    return {
      found: true,
      data: {
        'text/plain': plainDoc ? `${signature}\n\n${plainDoc}` : signature,
        'text/markdown': ['```ts\n' + signature + '\n```', doc, ...mdTags].filter(Boolean).join('\n\n'),
      },
    };
  }
  return { found: false, data: {} };
}

/**
 * A name from an earlier cell or the runtime is, in the scratch file, a `declare const f: typeof import(..).f` from
 * the global script: its own quick info would show that const and no doc. Ask at the definition instead.
 */
function definitionQuickInfo(project: CellProject, file: string, pos: number): ts.QuickInfo | undefined {
  const at = identifierInProgram(project, file, pos);
  if (!at) return undefined;
  const { node, checker } = at;
  const symbol = checker.getSymbolAtLocation(node);
  const declared = symbol?.declarations?.[0]?.getSourceFile().fileName;
  if (!symbol || !declared || !project.isGlobalScript(declared)) return undefined;
  const type = symbol.flags & ts.SymbolFlags.Value ? checker.getTypeOfSymbolAtLocation(symbol, node) : checker.getDeclaredTypeOfSymbol(symbol);
  const target = type.symbol?.declarations?.[0] as ts.NamedDeclaration | undefined;
  if (!target?.name || project.isGlobalScript(target.getSourceFile().fileName)) return undefined;
  return project.service.getQuickInfoAtPosition(target.getSourceFile().fileName, target.name.getStart());
}

function symbolAt(project: CellProject, file: string, pos: number): ts.Symbol | undefined {
  const at = identifierInProgram(project, file, pos);
  return at?.checker.getSymbolAtLocation(at.node);
}

/** The identifier at `pos` of `file` in the current program, and that program's checker. */
function identifierInProgram(project: CellProject, file: string, pos: number): { node: ts.Identifier; checker: ts.TypeChecker } | undefined {
  const program = project.program();
  const source = program.getSourceFile(file);
  const node = source && identifierAt(source, pos);
  return node && { node, checker: program.getTypeChecker() };
}

function identifierAt(source: ts.SourceFile, pos: number): ts.Identifier | undefined {
  const visit = (node: ts.Node): ts.Identifier | undefined => {
    if (pos < node.getStart(source) || pos >= node.getEnd()) return undefined;
    if (ts.isIdentifier(node)) return node;
    return ts.forEachChild(node, visit);
  };
  return ts.forEachChild(source, visit);
}
