/**
 * The cell engine: TypeScript cells, type-checked against the earlier ones, run in one persistent global scope.
 *
 * Choices (see the files for the why):
 * - Type errors fail the cell before it runs: ename `TSError`, evalue `TS2322: <message>`, traceback blocks
 *   `Cell In[N], line L` + the line + a caret (traceback.ts). N is this engine's execution counter.
 * - Checking: one LanguageService (project.ts); earlier cells are seen through one generated global declaration
 *   script (declarations.ts; a name enters it once a later cell mentions it), plus a module of global aliases for
 *   names that are namespaces too (`fs.Stats`).
 *   Options: ES2022 target, lib ES2023 + esnext.disposable (as one merged file, lib.ts), strict except
 *   noImplicitAny, "concurrent.futures" /
 *   "concurrent" / "tsfutures" resolve to the runtime. Node types: a small script of Node's common globals
 *   (node-lite.ts) until a cell imports a Node builtin, names `NodeJS.` or fails on something the lite script
 *   declares; from then on the full @types/node (one-time ~0.5 s), and the cell is checked against it.
 * - Speed (figures and the commands that measure them: docs/performance.md, "The cell engine"): the compiler loads
 *   from a V8 code cache (typescript-code.ts) or the kernel's start-up snapshot; the ES lib is one merged file
 *   (lib.ts: separate lib files made every new program and checker slower); @types/node is left out until needed (node-lite.ts);
 *   a cell of plain variables, functions or library-typed interfaces leaves the program's file set alone (their types
 *   are printed into the global scripts, declarations.ts), which come in chunks of 128 names so a cell re-parses and
 *   re-binds at most two small files; a checked cell is emitted from the program it was checked in (transform.ts),
 *   or printed directly when it has no TypeScript syntax (plain-emit.ts); its declarations wait for its reply
 *   (publishing.ts); it is parsed once, by the program, unless its check needs its export clause (checked-text.ts);
 *   @types doc comments are not parsed (documents.ts); TurboFan is kept off the per-cell factories
 *   createTypeChecker/createProgram (jit.ts); a cell that cannot run long skips the SIGINT watchdog thread (inert.ts);
 *   a kernel idle before its first cell runs throwaway declaring cells, so that cell finds the compiler warm (warm-up.ts).
 * - Running: in the kernel's own realm (runner.ts), top-level names become globals (statement-rewrite.ts); the
 *   globals cells start with (the runtime's exports, the host's, `require`, `Deno`) are installed by cell-globals.ts.
 * - Run-time errors: ename = error.name; a thrown non-Error gives ename `Uncaught`, evalue util.inspect(value);
 *   SIGINT during synchronous code or interrupt() during an await gives `KeyboardInterrupt`. An interrupted
 *   cell's pending work is abandoned, not cancelled (JavaScript cannot cancel a promise).
 */
// First: loads the compiler from V8's code cache (and sets the GC flag) before anything requires 'typescript'.
import { saveTypeScriptCodeCache } from './typescript-code';
// `import ts = require` in every engine module: `import * as` copied the compiler's ~2250 exports into a new
// namespace object per importing module (~30 ms of start-up over ten modules).
import ts = require('typescript');
import type { CellEngine, CellOutcome, Completeness, Completion, Inspection } from '../protocol/engine';
import { isComplete } from './completeness';
import { isInert } from './inert';
import { loadedImports } from './loaded-imports';
import { GlobalDeclarations } from './declarations';
import { complete, identifierStart, inspect } from './introspect';
import { importBindings, topLevelNames } from './names';
import { CellModules } from './cell-modules';
import { cellCompilerOptions, CELL_DEFAULTS, TSCONFIG_NAME } from './compiler-options';
import { mayNeedNodeTypes, usesNodeModules } from './node-lite';
import { CellProject } from './project';
import { DeclarationPublisher } from './publishing';
import { type CellHelper, CellRunner, REALM_GLOBAL } from './runner';
import { loadRuntime } from './runtime-location';
import { installCellGlobals } from './cell-globals';
import { CellSources, runtimeErrorOutcome, typeErrorOutcome } from './traceback';
import { emitCheckedCell, transformCell, type TransformedCell } from './transform';
import { keepFactoriesUnoptimized, withBaselineCode, withoutBaselineCode } from './jit';
import { warmUpCell, warmUpDeclaringCell } from './warm-up';
import { GlobalShadows } from './global-shadows';
import { createsFunctions, declaresImportsOrScopes, hasParseErrors, importsLocalModule, mentions, parseCell } from './cell-syntax';
import { checkedText, exportClauseMatters, mayCheckUnnamed, unnamedCheckedText } from './checked-text';
import type { CellLanguage } from './language';
import { setTimeout } from 'node:timers';

export interface EngineOptions {
  /** The notebook's directory: relative and package imports resolve from here. */
  cwd: string;
  /** Extra globals for the cells (the protocol side passes display, clear_output, input). Typed `any`-ish. */
  globals?: Record<string, unknown>;
  /** JavaScript cells are checked as JavaScript files (project.ts): type errors are not failures, as in tslab's --js. */
  language?: CellLanguage;
}

const CANNOT_FIND_MODULE = 2307;

keepFactoriesUnoptimized(ts);

export function createEngine(options: EngineOptions): CellEngine {
  return new TypeScriptCellEngine(options);
}

export class TypeScriptCellEngine implements CellEngine {
  readonly languageVersion = ts.version;
  /** Whether cells are checked against the full @types/node yet, or still the lite globals (node-lite.ts). */
  get nodeTypes(): 'lite' | 'full' {
    return this.project.hasNodeTypes ? 'full' : 'lite';
  }
  private readonly project: CellProject;
  /** Hands the global declarations to the project: the notebook's, those cells mention, a cell's own after its run. */
  private readonly publisher: DeclarationPublisher;
  private readonly sources = new CellSources();
  private readonly runner: CellRunner;
  private readonly modules: CellModules;
  private readonly helper: CellHelper;
  /** Cells' imports and declarations of names that are also platform globals: not globals (global-shadows.ts). */
  private readonly shadows: GlobalShadows;
  /** Whether cells get the kernel's `Deno` (kernel/output/deno.ts): until a cell defines a `Deno` of its own. */
  private denoBound = false;
  private executionCount = 0;
  private evaluationCount = 0;

  constructor(options: EngineOptions) {
    const runtime = loadRuntime();
    if (runtime.error) process.emitWarning(`tsfutures runtime not loaded: ${String(runtime.error)}`);
    this.project = new CellProject(options.cwd, notebookOptions(options.cwd), options.language);
    this.shadows = new GlobalShadows(options.language);
    this.modules = new CellModules(options.cwd, runtime.exports, () => this.project.compilerOptions);
    this.helper = {
      require: (specifier) => this.modules.require(specifier),
      import: (specifier) => this.modules.import(specifier),
      importDefault: (m) => (isModuleNamespace(m) || (m as { __esModule?: boolean })?.__esModule ? (m as { default: unknown }).default : m),
      shadows: Object.create(null),
    };
    this.runner = new CellRunner(this.helper, this.sources);
    const declarations = new GlobalDeclarations();
    this.denoBound = installCellGlobals({
      cwd: options.cwd,
      runtime: runtime.exports,
      globals: options.globals,
      modules: this.modules,
      shadows: this.helper.shadows,
      declarations,
      project: this.project,
    });
    this.publisher = new DeclarationPublisher(this.project, declarations);
    this.publisher.publishDeclarations();
  }

  async execute(code: string): Promise<CellOutcome> {
    const n = ++this.executionCount;
    this.runner.beginCell();
    const label = `Cell In[${n}]`;
    const prepared = withoutBaselineCode(() => this.checkAndEmit(code, n, label));
    if ('outcome' in prepared) return prepared.outcome;
    const { parsed, transformed } = prepared;
    const scriptFile = `__tsfutures_cell_${n}.js`;
    this.sources.add(scriptFile, label, code, transformed.sourceMap);
    // After the first check the compiler's hot functions are compiled: worth keeping for the next start.
    if (n === 1) setTimeout(saveTypeScriptCodeCache, 0);
    let ranInert = false;
    const outcome = await this.runner.run(transformed.js, scriptFile, () => (ranInert = isInert(parsed, REALM_GLOBAL)));
    // A cell that ran no code but its own operators and created no function (`total += 5; total`, `const x = 1`)
    // leaves no frame that a later traceback could show: its text, map and label (~250 B) need not stay.
    if (ranInert && !createsFunctions(parsed)) this.sources.forget(scriptFile);
    this.publisher.publishAfterRun();
    return outcome;
  }

  /** Checks cell number `n`, loads the modules it imports and emits it: its JavaScript, or the outcome that ends it. */
  private checkAndEmit(code: string, n: number, label: string): { outcome: CellOutcome } | { parsed: ts.SourceFile; transformed: TransformedCell } {
    this.publisher.settle();
    const { parsed, names, text, unnamed } = this.loadCell(code);
    const imports = importBindings(parsed);
    // Names bound over native globals: the cell's own, and earlier ones it does not redefine (checked: those it mentions).
    const { own: ownShadows, shadowed, writeBack } = this.shadows.forCell(parsed, code, names, imports);
    if (this.denoBound && !names.includes('Deno') && mentions(code, 'Deno')) shadowed.add('Deno');
    const fileName = this.project.checkedFile;
    let diagnostics = this.diagnostics(fileName, code.length);
    if (diagnostics.length && !this.project.hasNodeTypes) {
      const program = this.project.program();
      if (mayNeedNodeTypes(program, program.getSourceFile(fileName)!, diagnostics, this.project.nodeLiteFile)) {
        // The lite globals may be what is wrong (node-lite.ts): the full @types/node decides.
        this.project.useNodeTypes();
        diagnostics = this.diagnostics(fileName, code.length);
      }
    }
    if (diagnostics.some((d) => d.code === CANNOT_FIND_MODULE)) {
      // Maybe installed since we last looked (npm install from a cell): look at the disk again, once.
      this.project.forgetDisk();
      diagnostics = this.diagnostics(fileName, code.length);
    }
    if (!diagnostics.length && importsLocalModule(parsed)) diagnostics = this.localModuleDiagnostics();
    if (diagnostics.length) return { outcome: typeErrorOutcome(label, code, diagnostics, fileName) };

    // The program the cell was checked in; publishing changes the global script, and so the next program.
    const program = this.project.program();
    // Its modules are loaded before anything is published or run, as an ES module is linked before it runs: an
    // import that fails leaves no name behind, declared but undefined.
    try {
      // Their top level is users' code, which keeps baseline compilation.
      withBaselineCode(() => {
        for (const specifier of loadedImports(program, fileName, code.length)) this.modules.require(specifier);
      });
    } catch (error) {
      return { outcome: runtimeErrorOutcome(error, this.sources) };
    }
    this.shadows.commit(parsed, names, imports, this.project.cellSpecifier(n));
    // A later cell's checker imports this cell's shadowing declarations from its module.
    if (this.shadows.declaresAny(ownShadows, imports)) this.project.setFile(this.project.cellFileName(n), text);
    if (names.includes('Deno')) this.denoBound = false;
    // Which names are values matters only to imports, enums and namespaces: without them, publishing can wait.
    const needsValueNames = names.length > 0 && declaresImportsOrScopes(parsed);
    const published = { names: unnamed ? names : undefined, text, skip: new Set(ownShadows) };
    const valueNames = needsValueNames ? this.publisher.publishCell(program, n, published) : new Set<string>();
    if (names.length && !needsValueNames) this.publisher.deferCell(program, n, published);
    // Shadowing names are not published (they are not globals), and are emitted as any other import.
    for (const name of ownShadows) valueNames.add(name);
    try {
      return { parsed, transformed: emitCheckedCell(program, program.getSourceFile(fileName)!, { fileName: `${label}.ts`, valueNames, suffixStart: code.length, shadowed, writeBack }) };
    } catch (error) {
      this.publisher.publishAfterRun();
      return { outcome: runtimeErrorOutcome(error, this.sources) };
    }
  }

  /**
   * Makes the cell the project's checked file; returns its syntax tree, top-level names and the checked text with
   * its export clause (checked-text.ts). When the clause can wait, the program's parse is the only one and gives the
   * names; else (or when that parse finds what needs the clause, or a syntax error) the cell is parsed here first
   * for the names, as the clause and the shadowing statements depend on them.
   */
  private loadCell(code: string): { parsed: ts.SourceFile; names: string[]; text: string; unnamed: boolean } {
    if (mayCheckUnnamed(code, this.project.compilerOptions) && !this.shadows.suffix(code, [])) {
      this.publisher.declareMentioned(code);
      this.project.setCheckedCell(unnamedCheckedText(code));
      const file = this.project.program().getSourceFile(this.project.checkedFile)!;
      // A JavaScript file parses JSX without errors: parseCell would have chosen the JSX file for it.
      const maybeJsx = file.languageVariant === ts.LanguageVariant.JSX && /<[\w>]/.test(code);
      if (!hasParseErrors(file) && !maybeJsx && !exportClauseMatters(file, code.length)) {
        if (usesNodeModules(file)) this.project.useNodeTypes();
        const names = topLevelNames(file);
        return { parsed: file, names, text: checkedText(code, names, ''), unnamed: true };
      }
    }
    const parsed = parseCell(code);
    const jsx = parsed.languageVariant === ts.LanguageVariant.JSX;
    const names = topLevelNames(parsed);
    const text = checkedText(code, names, this.shadows.suffix(code, names));
    if (usesNodeModules(parsed)) this.project.useNodeTypes();
    // Earlier cells' names this cell mentions join the global scripts now (declarations.ts `use`).
    // A JSX cell also uses its factory (`React.createElement`, `h`), which its text need not mention.
    this.publisher.declareMentioned(jsx ? `${code}\n${this.jsxFactoryNames()}` : code);
    this.project.setCheckedCell(text, jsx);
    return { parsed, names, text, unnamed: false };
  }

  /** Errors only (suggestions are not failures); one past the code (e.g. a missing `}`) is shown at its end. */
  private diagnostics(fileName: string, codeLength: number): ts.Diagnostic[] {
    const service = this.project.service;
    return [...service.getSyntacticDiagnostics(fileName), ...service.getSemanticDiagnostics(fileName)]
      .filter((d) => d.category === ts.DiagnosticCategory.Error)
      .map((d) => ({ ...d, start: d.start === undefined ? undefined : Math.min(d.start, codeLength) }));
  }

  private jsxFactoryNames(): string {
    const { jsxFactory = 'React.createElement', jsxFragmentFactory = 'React.Fragment' } = this.project.compilerOptions;
    return `${jsxFactory} ${jsxFragmentFactory}`;
  }

  /** Type errors in the notebook's own modules the cell imports (they are checked with it, as tslab does). */
  private localModuleDiagnostics(): ts.Diagnostic[] {
    const program = this.project.program();
    return this.project.localSourceFiles(program).flatMap((file) =>
      [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].filter((d) => d.category === ts.DiagnosticCategory.Error));
  }

  /** A throwaway cell in the scratch module (warm-up.ts): the first real cell finds the checker's and emitter's code compiled. */
  warmUp(): void {
    warmUpCell(this.project);
  }

  /** One throwaway declaring cell in the scratch module (warm-up.ts); false once more would not help. */
  warmUpIdle(step: number): boolean {
    return this.executionCount === 0 && warmUpDeclaringCell(this.project, step);
  }

  async evaluate(expression: string): Promise<CellOutcome> {
    const n = ++this.evaluationCount;
    const label = `<user expression ${n}>`;
    const scriptFile = `__tsfutures_eval_${n}.js`;
    try {
      const transformed = transformCell(expression, { fileName: `${label}.ts`, shadowed: this.shadows.names() });
      this.sources.add(scriptFile, label, expression, transformed.sourceMap);
      return await this.runner.run(transformed.js, scriptFile);
    } catch (error) {
      return runtimeErrorOutcome(error, this.sources);
    }
  }

  complete(code: string, cursorPos: number): Completion {
    return withoutBaselineCode(() => {
      this.publisher.settle();
      // The names the code mentions, and the global names the completion could list (not after a `.`: members),
      // must be declared to be found.
      const start = identifierStart(code, cursorPos);
      const prefix = /\.\s*$/.test(code.slice(0, start)) ? undefined : code.slice(start, cursorPos);
      this.publisher.declareMentioned(code, prefix);
      return complete(this.project, code, cursorPos, this.shadows.suffix(code, []));
    });
  }

  inspect(code: string, cursorPos: number, detailLevel: number): Inspection {
    return withoutBaselineCode(() => {
      this.publisher.settle();
      this.publisher.declareMentioned(code);
      return inspect(this.project, code, cursorPos, detailLevel, this.shadows.suffix(code, []));
    });
  }

  isComplete(code: string): Completeness {
    return isComplete(code);
  }

  interrupt(): void {
    this.runner.interrupt();
  }
}

function isModuleNamespace(m: unknown): boolean {
  return m !== null && typeof m === 'object' && Object.prototype.toString.call(m) === '[object Module]';
}

/** The notebook folder's options (compiler-options.ts); a tsconfig.json that cannot be read is reported, not fatal. */
function notebookOptions(cwd: string): ts.CompilerOptions {
  try {
    return cellCompilerOptions(cwd);
  } catch (error) {
    process.emitWarning(`tsfutures: ${TSCONFIG_NAME} ignored: ${(error as Error).message}`);
    return CELL_DEFAULTS;
  }
}
