import ts = require('typescript');
import { flattenRope } from './flatten-rope';

/**
 * How many declarations one global script holds. The scripts are chunks: a new name goes to the last one, a
 * redefined name leaves its old chunk, and a full last chunk is followed by a new one. So a cell re-parses and
 * re-binds at most two chunks, never the whole notebook's names: with one script, binding it (and re-parsing it,
 * joining its text) grew with every name, and so did each cell's latency (docs/performance.md, "The cell engine").
 * Each chunk is a file in the program (a new root file costs one program rebuild, ~10 ms, once per CHUNK_SIZE
 * names), so chunks are not tiny.
 */
export const CHUNK_SIZE = 128;

/** How addModuleExports declares a module's exports. */
export interface ExportOptions {
  skip?: ReadonlySet<string>;
  isStable?: (fileName: string) => boolean;
  lazy?: boolean;
}

/**
 * The global declaration script (in chunks, see CHUNK_SIZE) that makes names visible to the next cell. A variable whose type is made only of
 * global library names is declared with its type printed (`declare const x17: 17;`): the script then changes text
 * but not imports, so TypeScript reuses the whole program structure (measured: a new cell file per cell makes
 * every later program re-walk all lib and @types files, ~10 ms a cell). Functions likewise, as their signatures
 * (`declare function f(a: number): number;`, one per overload, doc comment kept), so that latency and memory stay
 * flat over a notebook of functions (docs/performance.md, "The cell engine"). Interfaces and type aliases made of
 * library names are printed verbatim; classes and enums are not printed yet. Anything else maps to the newest
 * module that defines it (a cell, or the runtime), e.g.
 *   declare let x: typeof import("./__tsfutures_cell_3").x;
 *   declare const C: typeof import("./__tsfutures_cell_3").C;
 *   type C<T> = import("./__tsfutures_cell_3").C<T>;
 * Value vs type meaning and let vs const come from the checker's symbol of the definition.
 * A cell's names enter the scripts only once a later cell (or a completion or inspection) mentions them: see `use`.
 *
 * Names that are also namespaces (`import * as fs from "fs"`, a cell's `namespace N`, an enum) must work in type
 * positions too (`fs.Stats`, `E.A`), which no `declare const`/`type` line can express. They go to a second,
 * module file instead, as global import aliases, which carry every meaning of their target:
 *   import { fs as __tsf_ns_fs } from "./__tsfutures_cell_3";
 *   declare global { export import fs = __tsf_ns_fs; }
 */
export class GlobalDeclarations {
  /** Name -> declaration text, one map per global script chunk, in definition order within a chunk. */
  private readonly chunks: Array<Map<string, string>> = [new Map()];
  private readonly chunkOf = new Map<string, number>();
  /** Each chunk's text, undefined when it changed since it was last joined. */
  private readonly texts: Array<string | undefined> = [];
  /** Global name -> the module specifier it is re-exported from (see namespaceModuleText). */
  private readonly aliases = new Map<string, string>();
  /** Cells' names no later cell has mentioned yet (see `use`): name -> declaration text, not in any chunk. */
  private readonly pending = new Map<string, string>();
  /**
   * Records every export of moduleSymbol (reached as `specifier`). Returns the names that have a value meaning,
   * and whether any declaration refers to the module (if none does, the module need not stay in the program).
   * `isStable(fileName)`: declarations in that file never change, so a printed type may name them (lib files).
   * `lazy`: the names wait in `pending` until a later cell mentions them (cells' names; the runtime's are eager).
   */
  addModuleExports(
    checker: ts.TypeChecker,
    moduleSymbol: ts.Symbol,
    specifier: string,
    options: ExportOptions = {},
  ): { values: string[]; referencesModule: boolean } {
    return this.addExports(checker, checker.getExportsOfModule(moduleSymbol), specifier, options);
  }

  /** As addModuleExports, for the module's exports given as symbols (its export aliases or the local symbols they name). */
  addExports(checker: ts.TypeChecker, exports: readonly ts.Symbol[], specifier: string, options: ExportOptions = {}): { values: string[]; referencesModule: boolean } {
    const values: string[] = [];
    let referencesModule = false;
    for (const exported of exports) {
      const name = exported.name;
      if (name === 'default' || options.skip?.has(name)) continue;
      const printedValue =
        options.isStable && (printedVariable(checker, exported, options.isStable) ?? printedFunction(checker, exported, options.isStable));
      const printedType = !printedValue && options.isStable && printedTypeDeclaration(checker, exported, options.isStable);
      const printed = printedValue || printedType;
      const text = printed ? { declaration: printed, isValue: !!printedValue } : declarationFor(checker, exported, specifier);
      if (text === undefined) continue;
      referencesModule ||= !printed;
      if (text.isNamespace) this.setAlias(name, specifier);
      else if (options.lazy) this.defer(name, text.declaration);
      else this.set(name, text.declaration);
      if (text.isValue) values.push(name);
    }
    return { values, referencesModule };
  }

  /** Declares the name in the global scripts now (replacing an earlier declaration of it). */
  set(name: string, declaration: string): void {
    this.forget(name);
    let last = this.chunks.length - 1;
    if (this.chunks[last].size >= CHUNK_SIZE) this.chunks.push(new Map()), last++;
    this.chunks[last].set(name, flattenRope(declaration));
    this.chunkOf.set(name, last);
    this.texts[last] = undefined;
    this.aliases.delete(name);
  }

  /** Declares a name the kernel provides once a cell mentions it (as cells' names are, see `defer`). */
  declareWhenMentioned(name: string, declaration: string): void {
    this.defer(name, declaration);
  }

  /**
   * Declares a cell's name once a later cell mentions it. Most of what a name costs in memory is its declaration's
   * syntax tree, symbols and types in the program, kept for the whole session (docs/performance.md, "The cell
   * engine"); a name used only in the cell that defines it, as notebooks often do, need not pay it.
   * A name that was already mentioned stays declared: earlier cells' modules may name it.
   */
  private defer(name: string, declaration: string): void {
    if (this.chunkOf.has(name)) return this.set(name, declaration);
    this.forget(name);
    this.aliases.delete(name);
    this.pending.set(name, flattenRope(declaration));
  }

  /**
   * Before a cell (or the code of a completion or inspection) is checked: declares the pending names its text
   * mentions, any word that could be one (in strings and comments too: one name too many costs nothing but its
   * declaration), and with `prefix`, those a completion of that prefix would list. Returns whether any was added.
   */
  use(text: string, prefix?: string): boolean {
    if (!this.pending.size) return false;
    const mentioned: string[] = [];
    for (const [word] of text.matchAll(WORD)) if (this.pending.has(word)) mentioned.push(word);
    if (prefix !== undefined) {
      const lower = prefix.toLowerCase();
      for (const name of this.pending.keys()) if (name.toLowerCase().startsWith(lower)) mentioned.push(name);
    }
    for (const name of mentioned) {
      const declaration = this.pending.get(name);
      if (declaration !== undefined) this.set(name, declaration);
    }
    return mentioned.length > 0;
  }

  private setAlias(name: string, specifier: string): void {
    this.aliases.set(name, specifier);
    this.forget(name);
  }

  /** Takes the name's declaration out of its chunk (a name lives in one chunk at most: duplicates would clash). */
  private forget(name: string): void {
    this.pending.delete(name);
    const chunk = this.chunkOf.get(name);
    if (chunk === undefined) return;
    this.chunks[chunk].delete(name);
    this.chunkOf.delete(name);
    this.texts[chunk] = undefined;
  }

  /** The module of global namespace aliases; `export {};` alone while there are none. */
  namespaceModuleText(): string {
    const imports: string[] = [];
    const globals: string[] = [];
    for (const [name, specifier] of this.aliases) {
      imports.push(`import { ${name} as __tsf_ns_${name} } from ${JSON.stringify(specifier)};`);
      globals.push(`  export import ${name} = __tsf_ns_${name};`);
    }
    return imports.length ? `${imports.join('\n')}\ndeclare global {\n${globals.join('\n')}\n}\nexport {};\n` : 'export {};\n';
  }

  /** The global scripts' texts, one per chunk (unchanged chunks give the same string as last time). */
  chunkTexts(): string[] {
    return this.chunks.map((chunk, i) => (this.texts[i] ??= [...chunk.values()].join('\n') + '\n'));
  }
}

/**
 * The symbols `names` have in a module file's own scope: what an export clause naming them would export (a cell
 * checked without its clause, index.ts), for addExports.
 */
export function moduleScopeSymbols(checker: ts.TypeChecker, file: ts.SourceFile, names: readonly string[]): ts.Symbol[] {
  const symbols: ts.Symbol[] = [];
  for (const name of names) {
    const symbol = checker.resolveName(name, file, ANY_MEANING, true);
    if (symbol) symbols.push(symbol);
  }
  return symbols;
}

const ANY_MEANING = ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace | ts.SymbolFlags.Alias;

/** What could be an identifier in a cell's text (a unicode escape in a name is not seen: never in practice). */
const WORD = /[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/gu;

/** Declaration text for one exported symbol, or undefined when it cannot be named globally (e.g. a pure namespace). */
export function declarationFor(
  checker: ts.TypeChecker,
  exported: ts.Symbol,
  specifier: string,
): { declaration: string; isValue: boolean; isNamespace?: boolean } | undefined {
  const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const name = exported.name;
  // An import from a package without types (which the checker lets through as `any`): `any` in later cells too.
  if (checker.isUnknownSymbol(target) && exported.flags & ts.SymbolFlags.Alias) return { declaration: `declare const ${name}: any;`, isValue: true };
  if (target.flags & ts.SymbolFlags.Alias || checker.isUnknownSymbol(target)) return undefined;
  if (target.flags & ts.SymbolFlags.Namespace) {
    return { declaration: '', isValue: (target.flags & ts.SymbolFlags.Value) !== 0, isNamespace: true };
  }
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

const PRINT_FLAGS =
  ts.NodeBuilderFlags.NoTruncation | ts.NodeBuilderFlags.IgnoreErrors | ts.NodeBuilderFlags.UseFullyQualifiedType;
const printer = ts.createPrinter({ removeComments: true });
const NO_FILE = ts.createSourceFile('__tsfutures_printed.ts', '', ts.ScriptTarget.ES2022);

/**
 * `declare const x: <type>;` for a plain variable whose printed type means the same anywhere: every name in it
 * is a global declared in a stable file. Otherwise undefined (the caller uses the module reference), e.g. for
 * types naming a cell's own class, a type parameter, a module export, `typeof x` (unique symbols), or JSDoc'd
 * variables (inspect then finds the doc at the definition).
 */
function printedVariable(checker: ts.TypeChecker, exported: ts.Symbol, isStable: (fileName: string) => boolean): string | undefined {
  // The cell's `export { x }` makes an alias; its target must be a plain variable declared by the cell itself
  // (not also a type, namespace, function or class of the same name, not an import).
  const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const meanings = target.flags & (ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace | ts.SymbolFlags.Alias);
  if (!(meanings & ts.SymbolFlags.Variable) || meanings & ~ts.SymbolFlags.Variable) return undefined;
  const decl = target.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || target.declarations?.length !== 1) return undefined;
  if (isStable(decl.getSourceFile().fileName) || ts.getJSDocCommentsAndTags(decl).length) return undefined;
  const node = checker.typeToTypeNode(checker.getTypeOfSymbol(target), undefined, PRINT_FLAGS);
  if (!node || !namesOnlyStableGlobals(checker, node, isStable)) return undefined;
  const type = printer.printNode(ts.EmitHint.Unspecified, node, NO_FILE);
  return `declare ${isReassignable(target) ? 'let' : 'const'} ${exported.name}: ${type};`;
}

/**
 * `declare function f(a: number): string;`, one line per overload (JSDoc kept: inspect and completion read it from
 * the global script), for a function declared by the cell whose printed signatures mean the same anywhere (as for
 * variables) apart from their own type parameters. Then the cell's file need not join the program, which otherwise
 * grows by a file per function cell (measured: latency and RSS drift over thousands of cells). Undefined for
 * functions that are also something else (a merged namespace), carry expando properties (`f.x = 1`), or share
 * their name with a library global (a printed declaration would merge with it as an overload instead of hiding it).
 */
function printedFunction(checker: ts.TypeChecker, exported: ts.Symbol, isStable: (fileName: string) => boolean): string | undefined {
  const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const meanings = target.flags & (ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace | ts.SymbolFlags.Alias);
  if (meanings !== ts.SymbolFlags.Function) return undefined;
  const decls = target.declarations ?? [];
  if (!decls.length || !decls.every((d) => ts.isFunctionDeclaration(d) && !isStable(d.getSourceFile().fileName))) return undefined;
  if (isLibraryGlobal(checker, exported.name, isStable)) return undefined;
  const type = checker.getTypeOfSymbol(target);
  if (checker.getPropertiesOfType(type).length) return undefined;
  const lines: string[] = [];
  for (const signature of checker.getSignaturesOfType(type, ts.SignatureKind.Call)) {
    const node = checker.signatureToSignatureDeclaration(signature, ts.SyntaxKind.FunctionDeclaration, undefined, PRINT_FLAGS);
    if (!node || !ts.isFunctionDeclaration(node) || !namesOnlyStableGlobals(checker, node, isStable, true)) return undefined;
    const declared = ts.factory.updateFunctionDeclaration(
      node,
      [ts.factory.createModifier(ts.SyntaxKind.DeclareKeyword)],
      node.asteriskToken,
      ts.factory.createIdentifier(exported.name),
      node.typeParameters,
      node.parameters,
      node.type,
      undefined,
    );
    lines.push(docComment(signature.declaration) + printer.printNode(ts.EmitHint.Unspecified, declared, NO_FILE));
  }
  return lines.length ? lines.join('\n') : undefined;
}

/**
 * An interface or type alias declared once by the cell, verbatim (doc comment kept), when every name in it is a
 * library global, its own type parameter or itself (recursive types). Undefined otherwise (`extends`, nested
 * generics, names from cells or imports), and for names of library globals (an interface would merge with them).
 */
function printedTypeDeclaration(checker: ts.TypeChecker, exported: ts.Symbol, isStable: (fileName: string) => boolean): string | undefined {
  const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const meanings = target.flags & (ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace | ts.SymbolFlags.Alias);
  if (meanings !== ts.SymbolFlags.Interface && meanings !== ts.SymbolFlags.TypeAlias) return undefined;
  const decl = target.declarations?.length === 1 ? target.declarations[0] : undefined;
  if (!decl || !(ts.isInterfaceDeclaration(decl) || ts.isTypeAliasDeclaration(decl)) || decl.modifiers?.length) return undefined;
  if (isStable(decl.getSourceFile().fileName) || isLibraryGlobal(checker, exported.name, isStable)) return undefined;
  if (!namesOnlyStableGlobals(checker, decl, isStable, true, target)) return undefined;
  return docComment(decl) + decl.getText();
}

function isLibraryGlobal(checker: ts.TypeChecker, name: string, isStable: (fileName: string) => boolean): boolean {
  const global = checker.resolveName(name, undefined, ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace, false);
  return !!global?.declarations?.some((d) => isStable(d.getSourceFile().fileName));
}

/** The declaration's own doc comment(s), verbatim, each followed by a line break; '' when it has none. */
function docComment(declaration: ts.Node | undefined): string {
  if (!declaration) return '';
  const text = declaration.getSourceFile().text;
  return ts
    .getJSDocCommentsAndTags(declaration)
    .filter(ts.isJSDoc)
    .map((doc) => `${text.slice(doc.pos, doc.end)}\n`)
    .join('');
}

/**
 * The node builder marks each name it writes with its symbol (`identifier.symbol`, internal but long-standing).
 * `ownTypeParameters`: the root may declare type parameters (a generic signature) and name them.
 */
function namesOnlyStableGlobals(
  checker: ts.TypeChecker,
  root: ts.Node,
  isStable: (fileName: string) => boolean,
  ownTypeParameters = false,
  self?: ts.Symbol,
): boolean {
  // Synthesized nodes have no parent pointers: the root's own type parameters are recognised by identity.
  const hasOwn = ts.isFunctionLike(root) || ts.isInterfaceDeclaration(root) || ts.isTypeAliasDeclaration(root);
  const own = new Set<ts.Node>(ownTypeParameters && hasOwn ? root.typeParameters ?? [] : []);
  const declared = new Set([...own].map((p) => (p as ts.TypeParameterDeclaration).name.text));
  const stableGlobal = (name: ts.EntityName): boolean => {
    while (!ts.isIdentifier(name)) name = name.left;
    // Source nodes (a printed declaration's own text) have no builder mark: ask the checker.
    const symbol = (name as ts.Identifier & { symbol?: ts.Symbol }).symbol ?? (name.pos >= 0 ? checker.getSymbolAtLocation(name) : undefined);
    if (self && symbol === self) return true;
    if (declared.has(name.text) && (!symbol || symbol.flags & ts.SymbolFlags.TypeParameter)) return true;
    if (!symbol || checker.getFullyQualifiedName(symbol) !== name.text) return false; // a module member, or unknown
    const decls = symbol.declarations ?? [];
    return decls.length > 0 && decls.every((d) => isStable(d.getSourceFile().fileName));
  };
  const visit = (node: ts.Node): boolean => {
    if (ts.isImportTypeNode(node) || (ts.isTypeParameterDeclaration(node) && !own.has(node)) || ts.isInferTypeNode(node)) return false;
    if (ts.isTypeReferenceNode(node) && !stableGlobal(node.typeName)) return false;
    if (ts.isTypeQueryNode(node) && !stableGlobal(node.exprName)) return false;
    if (ts.isExpressionWithTypeArguments(node)) return false;
    return !ts.forEachChild(node, (child) => (visit(child) ? undefined : true));
  };
  return visit(root);
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
