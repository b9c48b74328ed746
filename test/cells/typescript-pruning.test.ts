/**
 * The kernel's compiler is typescript.js without the sections the kernel never runs (typescript-source.ts). What the
 * kept code still names in them is left undeclared: the audit below pins every such reference to the function it is
 * in, each one the kernel never calls (a language service method it does not use, a lower target's transformer, a
 * watcher). The engine, run in a child node on the built dist/ (jest loads its own whole compiler), must answer
 * cells, completions, inspection and completeness exactly as it does on the whole compiler.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import ts = require('typescript');
import { CELL_DEFAULTS, cellCompilerOptions } from '../../kernel/cells/compiler-options';
import { compilerSource, PRUNED_VERSION } from '../../kernel/cells/typescript-source';

const ROOT = path.resolve(__dirname, '..', '..');
const TS_FILE = path.join(ROOT, 'node_modules', 'typescript', 'lib', 'typescript.js');
const original = readFileSync(TS_FILE, 'utf8');
const pruned = compilerSource(original);

/**
 * Functions of the kept code that name what was dropped, and those names. Why the kernel never runs them:
 * - createLanguageService's methods here: the kernel asks the service for diagnostics, completions (without
 *   auto-imports or formatting settings) and quick info only (kernel/cells/index.ts, introspect.ts);
 * - getScriptTransformers, getModuleTransformer: cells and local modules compile to ES2022 as ES or CommonJS modules,
 *   whatever a tsconfig.json says (compiler-options.ts; checked below);
 * - insertImports, doAddExistingFix, promoteFromTypeOnly: an import fix's edits, written by code actions
 *   (getCompletionEntryDetails, getCodeFixesAtPosition), never by getCompletionsAtPosition;
 * - computeSuggestionDiagnostics: the service's getSuggestionDiagnostics;
 * - createProgramHost, performIncrementalCompilation, isIgnoredFileFromWildCardWatching: tsc --watch, --incremental.
 */
const AUDITED: Record<string, string[]> = {
  'createLanguageService > findReferences': ['ts_FindAllReferences_exports'],
  'createLanguageService > findRenameLocations': ['ts_FindAllReferences_exports', 'ts_Rename_exports'],
  'createLanguageService > getApplicableRefactors2': ['ts_refactor_exports'],
  'createLanguageService > getBreakpointStatementAtPosition': ['ts_BreakpointResolver_exports'],
  'createLanguageService > getDefinitionAndBoundSpan2': ['ts_GoToDefinition_exports'],
  'createLanguageService > getDefinitionAtPosition2': ['ts_GoToDefinition_exports'],
  'createLanguageService > getDocumentHighlights': ['DocumentHighlights'],
  'createLanguageService > getEditsForFileRename2': ['getEditsForFileRename'],
  'createLanguageService > getEditsForRefactor2': ['ts_refactor_exports'],
  'createLanguageService > getEmitOutput': ['getFileEmitOutput'],
  'createLanguageService > getEncodedSemanticClassifications3': ['getEncodedSemanticClassifications', 'getEncodedSemanticClassifications2'],
  'createLanguageService > getEncodedSyntacticClassifications2': ['getEncodedSyntacticClassifications'],
  'createLanguageService > getFileReferences': ['ts_FindAllReferences_exports'],
  'createLanguageService > getImplementationAtPosition': ['ts_FindAllReferences_exports'],
  'createLanguageService > getMoveToRefactoringFileSuggestions': ['containsJsx', 'createNewFileName', 'getStatementsToMove'],
  'createLanguageService > getNavigateToItems2': ['getNavigateToItems'],
  'createLanguageService > getNavigationBarItems2': ['getNavigationBarItems'],
  'createLanguageService > getNavigationTree2': ['getNavigationTree'],
  'createLanguageService > getOutliningSpans': ['ts_OutliningElementsCollector_exports'],
  'createLanguageService > getPasteEdits': ['ts_PasteEdits_exports'],
  'createLanguageService > getReferencesAtPosition': ['ts_FindAllReferences_exports'],
  'createLanguageService > getReferencesWorker2': ['ts_FindAllReferences_exports'],
  'createLanguageService > getRenameInfo2': ['ts_Rename_exports'],
  'createLanguageService > getSemanticClassifications3': ['getSemanticClassifications', 'getSemanticClassifications2'],
  'createLanguageService > getSmartSelectionRange2': ['ts_SmartSelectionRange_exports'],
  'createLanguageService > getSyntacticClassifications2': ['getSyntacticClassifications'],
  'createLanguageService > getTypeDefinitionAtPosition2': ['ts_GoToDefinition_exports'],
  'createLanguageService > mapCode2': ['ts_MapCode_exports'],
  'createLanguageService > organizeImports2': ['ts_OrganizeImports_exports'],
  'createLanguageService > prepareCallHierarchy': ['ts_CallHierarchy_exports'],
  'createLanguageService > preparePasteEditsForFile': ['ts_preparePasteEdits_exports'],
  'createLanguageService > provideCallHierarchyIncomingCalls': ['ts_CallHierarchy_exports'],
  'createLanguageService > provideCallHierarchyOutgoingCalls': ['ts_CallHierarchy_exports'],
  'createLanguageService > provideInlayHints2': ['ts_InlayHints_exports'],
  'createLanguageService > updateIsDefinitionOfReferencedSymbols': ['ts_FindAllReferences_exports'],
  computeSuggestionDiagnostics: ['ts_codefix_exports.getJSDocTypedefNodes', 'ts_codefix_exports.parameterShouldGetTypeFromJSDoc'],
  createProgramHost: ['createEmitAndSemanticDiagnosticsBuilderProgram'],
  doAddExistingFix: ['ts_OrganizeImports_exports'],
  getModuleTransformer: ['transformSystemModule'],
  getScriptTransformers: ['transformES2015', 'transformES2016', 'transformES2017', 'transformES2018', 'transformES2019', 'transformES2020', 'transformES2021', 'transformGenerators'],
  insertImports: ['ts_OrganizeImports_exports'],
  isIgnoredFileFromWildCardWatching: ['removeIgnoredPath'],
  performIncrementalCompilation: ['createIncrementalCompilerHost', 'createIncrementalProgram'],
  promoteFromTypeOnly: ['ts_OrganizeImports_exports'],
};

/** The bundle's statements: it is `var ts = {}; ((module) => { ...statements... })(...)`. */
function bundleStatements(file: ts.SourceFile): ts.NodeArray<ts.Statement> {
  const call = (file.statements[1] as ts.ExpressionStatement).expression as ts.CallExpression;
  return (((call.expression as ts.ParenthesizedExpression).expression as ts.ArrowFunction).body as ts.Block).statements;
}

/** The bundle's top-level names. */
function topLevelNames(file: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const add = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const e of name.elements) if (!ts.isOmittedExpression(e)) add(e.name);
  };
  for (const s of bundleStatements(file)) {
    if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) names.add(s.name.text);
    else if (ts.isVariableStatement(s)) s.declarationList.declarations.forEach((d) => add(d.name));
  }
  return names;
}

/**
 * The entries of the namespace objects (esbuild's `__export(ts_codefix_exports, { name: () => target })`) that point
 * at a dropped name, by namespace: `ts_codefix_exports.name` is then undefined in the kept code.
 */
function droppedEntries(file: ts.SourceFile, dropped: Set<string>): Map<string, Set<string>> {
  const entries = new Map<string, Set<string>>();
  for (const s of bundleStatements(file)) {
    const call = ts.isExpressionStatement(s) && ts.isCallExpression(s.expression) ? s.expression : undefined;
    if (!call || !ts.isIdentifier(call.expression) || call.expression.text !== '__export') continue;
    const [namespace, table] = call.arguments as unknown as [ts.Identifier, ts.ObjectLiteralExpression];
    for (const entry of table.properties as ts.NodeArray<ts.PropertyAssignment>) {
      const target = ((entry.initializer as ts.ArrowFunction).body as ts.Identifier).text;
      if (dropped.has(target)) entries.set(namespace.text, (entries.get(namespace.text) ?? new Set()).add((entry.name as ts.Identifier).text));
    }
  }
  return entries;
}

/** An identifier that names a property or a label, not a variable. */
function isNameOnly(id: ts.Identifier): boolean {
  const p = id.parent;
  return (
    ((ts.isPropertyAccessExpression(p) || ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) ||
      ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p)) && p.name === id) ||
    (ts.isBindingElement(p) && p.propertyName === id) ||
    (ts.isQualifiedName(p) && p.right === id) ||
    ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)
  );
}

/** The enclosing top-level function, and for createLanguageService the method: the audit's key. */
function auditKey(node: ts.Node): string {
  const names: string[] = [];
  for (let p = node.parent; p && !ts.isSourceFile(p); p = p.parent) {
    const named = ts.isFunctionDeclaration(p) || ts.isVariableDeclaration(p) || ts.isClassDeclaration(p) || ts.isMethodDeclaration(p) || ts.isPropertyAssignment(p);
    const name = named ? (p as ts.NamedDeclaration).name : undefined;
    if (name && ts.isIdentifier(name)) names.unshift(name.text);
  }
  return names.slice(0, names[0] === 'createLanguageService' ? 2 : 1).join(' > ');
}

test('the installed TypeScript is the audited one, pruned with its line numbers kept', () => {
  // Another TypeScript is compiled whole: audit it (the test below) and set PRUNED_VERSION.
  expect(ts.version).toBe(PRUNED_VERSION);
  expect(pruned.length).toBeLessThan(0.8 * original.length);
  expect(pruned.split('\n').length).toBe(original.split('\n').length);
  for (const gone of ['// src/server/', '// src/services/refactors/', '// src/services/codefixes/fixAddMissingMember.ts', '// src/compiler/tsbuildPublic.ts']) {
    expect(pruned).not.toContain(gone);
  }
  expect(pruned).toContain('// src/services/codefixes/importFixes.ts');
});

test('what the kept code names of the dropped sections is the audited list', () => {
  const file = ts.createSourceFile('/typescript.js', pruned, ts.ScriptTarget.ESNext, true, ts.ScriptKind.JS);
  const kept = topLevelNames(file);
  const whole = ts.createSourceFile('/original.js', original, ts.ScriptTarget.ESNext, false, ts.ScriptKind.JS);
  const dropped = new Set([...topLevelNames(whole)].filter((n) => !kept.has(n)));
  expect(dropped.size).toBeGreaterThan(1000);
  // Namespaces kept with some of their members dropped (the codefix namespace keeps the import fixes).
  const entries = new Map([...droppedEntries(whole, dropped)].filter(([namespace]) => kept.has(namespace)));
  expect([...entries.keys()].sort()).toEqual(['ts_codefix_exports', 'typescript_exports']);
  const host = ts.createCompilerHost({});
  host.getSourceFile = (name) => (name === file.fileName ? file : undefined);
  host.fileExists = (name) => name === file.fileName;
  const checker = ts.createProgram([file.fileName], { allowJs: true, noLib: true, noResolve: true, types: [] }, host).getTypeChecker() as ts.TypeChecker & {
    resolveName(name: string, location: ts.Node, meaning: ts.SymbolFlags, excludeGlobals: boolean): ts.Symbol | undefined;
  };
  const dangling: Record<string, Set<string>> = {};
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && entries.get(node.expression.text)?.has(node.name.text)) {
      (dangling[auditKey(node)] ??= new Set()).add(`${node.expression.text}.${node.name.text}`);
    }
    if (ts.isIdentifier(node) && dropped.has(node.text) && !isNameOnly(node) && !checker.resolveName(node.text, node, ts.SymbolFlags.Value | ts.SymbolFlags.Alias, false)) {
      (dangling[auditKey(node)] ??= new Set()).add(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  expect(Object.fromEntries(Object.entries(dangling).map(([key, names]) => [key, [...names].sort()]))).toEqual(AUDITED);
});

test("every export of the pruned compiler can be read, and tsserver's are gone", () => {
  const mod = { exports: {} as Record<string, unknown> };
  const wrapper = vm.runInThisContext(Module.wrap(pruned), { filename: TS_FILE }) as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(TS_FILE), mod, TS_FILE, path.dirname(TS_FILE));
  const exports = mod.exports;
  for (const name of Object.keys(exports)) expect(() => exports[name]).not.toThrow();
  expect(exports.server).toBeUndefined();
  expect(exports.refactor).toBeUndefined();
  expect(typeof exports.createLanguageService).toBe('function');
});

test("the kernel's target and module kinds, which the dropped transformers would serve, stay whatever tsconfig.json says", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-pruning-'));
  try {
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'es5', module: 'system', downlevelIteration: true } }));
    const options = cellCompilerOptions(dir);
    expect([options.target, options.module]).toEqual([ts.ScriptTarget.ES2022, ts.ModuleKind.ESNext]);
    expect(CELL_DEFAULTS.target).toBe(ts.ScriptTarget.ES2022);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs the built engine in a child node over the requests below and prints its answers as JSON. */
const CHILD = (cwd: string) => `
const { createEngine } = require(${JSON.stringify(path.join(ROOT, 'dist', 'kernel', 'cells'))});
const { hasKernelCompiler } = require(${JSON.stringify(path.join(ROOT, 'dist', 'kernel', 'cells', 'kernel-compiler.js'))});
(async () => {
  const e = createEngine({ cwd: ${JSON.stringify(cwd)} });
  const out = { pruned: hasKernelCompiler(), cells: [], completions: [], inspections: [], completeness: [] };
  const cells = [
    'type Kind = "a" | "b" | "c";\\nconst k = "a" as Kind;\\nenum Color { Red, Green }\\nconst c = Color.Red as Color;\\nconst o = { alpha: 1, beta: "x" };\\nfunction pick(name: "one" | "two") { return name; }',
    'const n: string = 1;',
    'function logged(v: any, ctx: ClassMethodDecoratorContext) { return function (this: any) { return String(ctx.name) + ":" + v.call(this); }; }\\nclass A { static #made = 0; label = "a"; @logged m() { return this.label + A.#made; } static { A.#made = 2; } }\\nnew A().m()',
    'const log: string[] = [];\\n{ await using r = { [Symbol.asyncDispose]: async () => { log.push("disposed"); } }; log.push("used"); }\\nlog',
    'const React = { createElement: (t: any, p: any, ...c: any[]) => ({ t, p, c }) };\\nconst el = <div id="x">hi</div>;\\nJSON.stringify(el)',
    'import { double, Counter } from "./helpers";\\n[double(21), new Counter().next(), new Counter().next()]',
    'const t = o?.alpha ?? 0;\\nconst big = 2n ** 64n;\\nconst [first, ...rest] = [1, 2, 3];\\nasync function* gen() { yield 1; }\\nlet got = 0; for await (const v of gen()) got += v;\\n[t, String(big), first, rest, got, Object.hasOwn(o, "beta")]',
  ];
  for (const code of cells) {
    const r = await e.execute(code);
    out.cells.push(r.status === 'ok' ? { status: 'ok', value: JSON.stringify(r.value) } : { status: r.status, evalue: r.evalue });
  }
  const complete = ['o.', 'switch (k) {\\n  case ', 'switch (c) {\\n  ', 'pick("', '// o.', 'const s = \`\${o.', 'Math.ma', 'import { readFile } from "node:f', 'new A().', 'Color.'];
  for (const code of complete) out.completions.push(e.complete(code, code.length).matches);
  for (const [code, pos] of [['Math.max(1, 2)', 6], ['pick("one")', 2], ['o.alpha', 3], ['new A().m()', 9]]) out.inspections.push(e.inspect(code, pos, 0).data['text/plain']);
  for (const code of ['for (;;) {', 'x = 1', 'class {']) out.completeness.push(e.isComplete(code));
  // The JavaScript kernel's cells: checked as .js files, types from JSDoc and inference.
  const js = createEngine({ cwd: ${JSON.stringify(cwd)}, language: 'javascript' });
  out.javascript = [];
  for (const code of ['/** @param {number} x */\\nfunction twice(x) { return x * 2; }\\nclass P { #a = 1; static s = 2; get a() { return this.#a; } }\\n[twice(2), new P().a, P.s]', 'let m = 1; m += "x"; m']) {
    const r = await js.execute(code);
    out.javascript.push(r.status === 'ok' ? JSON.stringify(r.value) : r.evalue);
  }
  out.javascript.push(js.complete('const p = new P();\\np.', 21).matches, js.inspect('twice(1)', 1, 0).data['text/plain']);
  console.log(JSON.stringify(out));
})().catch((error) => { console.error(error); process.exit(1); });
`;

/** The child's answers, from the kernel's compiler, or from the whole one when `whole` (preloaded: `node -r`). */
function answers(cwd: string, whole: boolean): { pruned: boolean } & Record<string, unknown[]> {
  const out = execFileSync(process.execPath, [...(whole ? ['-r', 'typescript'] : []), '-e', CHILD(cwd)], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

test('cells, completions, inspection and completeness answer as on the whole compiler', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsfutures-pruning-'));
  try {
    writeFileSync(
      path.join(dir, 'helpers.ts'),
      'export const double = (x: number): number => x * 2;\nexport class Counter { static #count = 0; next(): number { return ++Counter.#count; } }\n',
    );
    const kernel = answers(dir, false);
    const whole = answers(dir, true);
    expect([kernel.pruned, whole.pruned]).toEqual([true, false]);
    expect({ ...kernel, pruned: undefined }).toEqual({ ...whole, pruned: undefined });
    // What the requests exercise: the transformers kept, exhaustive case snippets (import fixes), string literal
    // completions (signature help), completion in comments (formatting).
    expect(kernel.cells).toEqual([
      { status: 'ok', value: undefined },
      { status: 'error', evalue: "TS2322: Type 'number' is not assignable to type 'string'." },
      { status: 'ok', value: '"m:a2"' },
      { status: 'ok', value: '["used","disposed"]' },
      { status: 'ok', value: '"{\\"t\\":\\"div\\",\\"p\\":{\\"id\\":\\"x\\"},\\"c\\":[\\"hi\\"]}"' },
      { status: 'ok', value: '[42,1,2]' },
      { status: 'ok', value: '[1,"18446744073709551616",1,[2,3],1,true]' },
    ]);
    const [member, literalCases, enumCases, literalArgument, inComment] = kernel.completions as string[][];
    expect(member).toEqual(['alpha', 'beta']);
    expect(literalCases).toContain('case "a": ...');
    expect(enumCases).toContain('case Color.Red: ...');
    expect(literalArgument).toEqual(['one', 'two']);
    expect(inComment).toEqual([]);
    expect(kernel.inspections[0]).toMatch(/^\(method\) Math\.max\(\.\.\.values: number\[\]\): number/);
    expect(kernel.javascript).toEqual(['[4,1,2]', '"1x"', ['a'], 'function twice(x: number): number\n\n@param x']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a cell importing the kernel's own typescript gets the whole compiler", () => {
  const child = `
const { createEngine } = require(${JSON.stringify(path.join(ROOT, 'dist', 'kernel', 'cells'))});
(async () => {
  const r = await createEngine({ cwd: ${JSON.stringify(ROOT)} }).execute('import * as ts from "typescript";\\n[typeof ts.server, ts.transpileModule("const f = async () => 1;", { compilerOptions: { target: ts.ScriptTarget.ES5 } }).outputText.includes("__awaiter")]');
  console.log(JSON.stringify(r.status === 'ok' ? r.value : r));
})();
`;
  const out = execFileSync(process.execPath, ['-e', child], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual(['object', true]);
});
