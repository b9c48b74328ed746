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
 *   (nodeLite.ts) until a cell imports a Node builtin, names `NodeJS.` or fails on something the lite script
 *   declares; from then on the full @types/node (one-time ~0.5 s), and the cell is checked against it.
 * - Speed (`npm run bench:kernel`, 2026-11-25 session 3, 400 cells, vs ipykernel in the same run: declare median
 *   0.80-0.82x with the default young generation, 0.91-0.96x with the kernel's 2 x 4 MB one): the compiler loads from
 *   a V8 code cache (typescriptCode.ts) or the kernel's start-up snapshot; the ES lib is one merged file (lib.ts: ~50
 *   lib files made every new program and checker ~1.5 ms slower); @types/node is left out until needed (nodeLite.ts);
 *   a cell of plain variables, functions or library-typed interfaces leaves the program's file set alone (their types
 *   are printed into the global scripts, declarations.ts), which come in chunks of 128 names so a cell re-parses and
 *   re-binds at most two small files; a checked cell is emitted from the program it was checked in (transform.ts);
 *   @types doc comments are not parsed (documents.ts); TurboFan is kept off the per-cell factories
 *   createTypeChecker/createProgram (jit.ts); a cell that cannot run long skips the SIGINT watchdog thread (inert.ts).
 *   Per-cell floor (in-process): a new program ~0.5 ms and checker ~0.6 ms (createTypeChecker's own closures are
 *   ~150 KB of the ~580 KB a declaring cell allocates), diagnostics ~0.6, emit ~0.5, GC ~0.6.
 * - Running: in the kernel's own realm (runner.ts), top-level names become globals (transform.ts).
 * - Run-time errors: ename = error.name; a thrown non-Error gives ename `Uncaught`, evalue util.inspect(value);
 *   SIGINT during synchronous code or interrupt() during an await gives `KeyboardInterrupt`. An interrupted
 *   cell's pending work is abandoned, not cancelled (JavaScript cannot cancel a promise).
 */
// First: loads the compiler from V8's code cache (and sets the GC flag) before anything requires 'typescript'.
import { saveTypeScriptCodeCache } from './typescriptCode';
// `import ts = require` in every engine module: `import * as` copied the compiler's ~2250 exports into a new
// namespace object per importing module (~30 ms of start-up over ten modules).
import ts = require('typescript');
import type { CellEngine, CellOutcome, Completeness, Completion, Inspection } from '../engine';
import { isComplete } from './completeness';
import { isInert } from './inert';
import { GlobalDeclarations } from './declarations';
import { complete, identifierStart, inspect } from './introspect';
import { topLevelNames } from './names';
import { mayNeedNodeTypes, usesNodeModules } from './nodeLite';
import { CellProject } from './project';
import { CellRunner, REALM_GLOBAL } from './runner';
import { createCellRequire, loadRuntime } from './runtimeLocation';
import { CellSources, runtimeErrorOutcome, typeErrorOutcome } from './traceback';
import { emitCheckedCell, transformCell } from './transform';
import { keepFactoriesUnoptimized } from './jit';

export interface EngineOptions {
  /** The notebook's directory: relative and package imports resolve from here. */
  cwd: string;
  /** Extra globals for the cells (the protocol side passes display, clear_output, input). Typed `any`-ish. */
  globals?: Record<string, unknown>;
}

/** Whether the cell's code holds a function or class (whose code may run, and throw, after the cell). */
function createsFunctions(file: ts.SourceFile): boolean {
  const visit = (node: ts.Node): boolean => ts.isFunctionLike(node) || ts.isClassLike(node) || !!ts.forEachChild(node, (child) => (visit(child) ? true : undefined));
  return visit(file);
}

const CANNOT_FIND_MODULE = 2307;

/** Names JavaScript/Node already define globally; a runtime export of the same name must not shadow them. */
const NATIVE_GLOBALS = new Set(Object.getOwnPropertyNames(REALM_GLOBAL));

keepFactoriesUnoptimized(ts);

export function createEngine(options: EngineOptions): CellEngine {
  return new TypeScriptCellEngine(options);
}

export class TypeScriptCellEngine implements CellEngine {
  readonly languageVersion = ts.version;
  /** Whether cells are checked against the full @types/node yet, or still the lite globals (nodeLite.ts). */
  get nodeTypes(): 'lite' | 'full' {
    return this.project.hasNodeTypes ? 'full' : 'lite';
  }
  private readonly project: CellProject;
  private readonly declarations = new GlobalDeclarations();
  private readonly sources = new CellSources();
  private readonly runner: CellRunner;
  private executionCount = 0;
  private evaluationCount = 0;

  constructor(options: EngineOptions) {
    const runtime = loadRuntime();
    if (runtime.error) process.emitWarning(`tsfutures runtime not loaded: ${String(runtime.error)}`);
    const cellRequire = createCellRequire(options.cwd, runtime.exports);
    this.runner = new CellRunner({ require: cellRequire, importDefault: (m) => ((m as { __esModule?: boolean })?.__esModule ? (m as { default: unknown }).default : m) }, this.sources);
    this.project = new CellProject(options.cwd);

    const installed: Record<string, unknown> = { require: cellRequire };
    for (const [name, value] of Object.entries(runtime.exports)) if (!NATIVE_GLOBALS.has(name)) installed[name] = value;
    Object.assign(installed, options.globals);
    Object.assign(REALM_GLOBAL, installed);

    this.declareRuntime();
    for (const [name, value] of Object.entries(options.globals ?? {})) {
      this.declarations.set(name, `declare const ${name}: ${typeof value === 'function' ? '(...args: any[]) => any' : 'any'};`);
    }
    this.publishDeclarations();
  }

  /** Hands the declarations to the project: the global scripts (unchanged chunks stay as they are) and aliases. */
  private publishDeclarations(): void {
    this.project.setGlobalScripts(this.declarations.chunkTexts());
    this.project.setFile(this.project.namespacesFile, this.declarations.namespaceModuleText());
  }

  /** Global declarations for everything the runtime exports, read from its types through a scratch import. */
  private declareRuntime(): void {
    const probe = 'import * as __tsf_runtime from "tsfutures";\nexport {};';
    this.project.setFile(this.project.scratchFile, probe);
    const program = this.project.program();
    const file = program.getSourceFile(this.project.scratchFile);
    const importDecl = file?.statements[0];
    if (!importDecl || !ts.isImportDeclaration(importDecl)) return;
    const checker = program.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation(importDecl.moduleSpecifier);
    if (moduleSymbol) this.declarations.addModuleExports(checker, moduleSymbol, 'tsfutures', { skip: NATIVE_GLOBALS });
  }

  async execute(code: string): Promise<CellOutcome> {
    const n = ++this.executionCount;
    this.runner.beginCell();
    const label = `Cell In[${n}]`;
    const fileName = this.project.checkedFile;

    // The export clause goes after the cell, on a line of its own, so the cell's lines and JSDoc stay its own.
    const parsed = ts.createSourceFile(fileName, code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
    const names = topLevelNames(parsed);
    const text = `${code}\nexport { ${names.join(', ')} };`;
    if (usesNodeModules(parsed)) this.project.useNodeTypes();
    // Earlier cells' names this cell mentions join the global scripts now (declarations.ts `use`).
    if (this.declarations.use(code)) this.publishDeclarations();
    this.project.setCheckedCell(text);
    let diagnostics = this.diagnostics(fileName, code.length);
    if (diagnostics.length && !this.project.hasNodeTypes) {
      const program = this.project.program();
      if (mayNeedNodeTypes(program, program.getSourceFile(fileName)!, diagnostics, this.project.nodeLiteFile)) {
        // The lite globals may be what is wrong (nodeLite.ts): the full @types/node decides.
        this.project.useNodeTypes();
        diagnostics = this.diagnostics(fileName, code.length);
      }
    }
    if (diagnostics.some((d) => d.code === CANNOT_FIND_MODULE)) {
      // Maybe installed since we last looked (npm install from a cell): look at the disk again, once.
      this.project.forgetDisk();
      diagnostics = this.diagnostics(fileName, code.length);
    }
    if (diagnostics.length) return typeErrorOutcome(label, code, diagnostics);

    // The program the cell was checked in; publishing changes the global script, and so the next program.
    const program = this.project.program();
    const valueNames = names.length ? this.publishCell(program, n) : new Set<string>();
    let transformed;
    try {
      transformed = emitCheckedCell(program, program.getSourceFile(fileName)!, { fileName: `${label}.ts`, valueNames });
    } catch (error) {
      return runtimeErrorOutcome(error, this.sources);
    }
    const scriptFile = `__tsfutures_cell_${n}.js`;
    this.sources.add(scriptFile, label, code, transformed.sourceMap);
    // After the first check the compiler's hot functions are compiled: worth keeping for the next start.
    if (n === 1) setTimeout(saveTypeScriptCodeCache, 0);
    let ranInert = false;
    const outcome = await this.runner.run(transformed.js, scriptFile, () => (ranInert = isInert(parsed, REALM_GLOBAL)));
    // A cell that ran no code but its own operators and created no function (`total += 5; total`, `const x = 1`)
    // leaves no frame that a later traceback could show: its text, map and label (~250 B) need not stay.
    if (ranInert && !createsFunctions(parsed)) this.sources.forget(scriptFile);
    return outcome;
  }

  /** Errors only (suggestions are not failures); one past the code (e.g. a missing `}`) is shown at its end. */
  private diagnostics(fileName: string, codeLength: number): ts.Diagnostic[] {
    const service = this.project.service;
    return [...service.getSyntacticDiagnostics(fileName), ...service.getSemanticDiagnostics(fileName)]
      .filter((d) => d.category === ts.DiagnosticCategory.Error)
      .map((d) => ({ ...d, start: d.start === undefined ? undefined : Math.min(d.start, codeLength) }));
  }

  /** Points the global declarations at this cell's definitions; returns the names that have a runtime value. */
  private publishCell(program: ts.Program, n: number): Set<string> {
    const checker = program.getTypeChecker();
    const file = program.getSourceFile(this.project.checkedFile);
    const moduleSymbol = file && checker.getSymbolAtLocation(file);
    if (!moduleSymbol) return new Set();
    // Declarations are read from the checked file; those that cannot be printed point at the cell's own copy,
    // which then joins the project (a cell of printable variables only adds no file: see declarations.ts).
    const { values, referencesModule } = this.declarations.addModuleExports(checker, moduleSymbol, this.project.cellSpecifier(n), {
      isStable: (f) => !this.project.isVirtual(f),
      lazy: true,
    });
    if (referencesModule) this.project.setFile(this.project.cellFileName(n), file.text);
    this.publishDeclarations();
    return new Set(values);
  }

  /**
   * A throwaway cell, checked and emitted in the scratch module (completion's file, so no cell, name or count
   * changes): the first real cell then finds the checker's and emitter's code compiled. Measured from the start-up
   * snapshot: the first `1+1` took ~24 ms against ~1.3 ms for later ones.
   */
  warmUp(): void {
    const file = this.project.scratchFile;
    this.project.setFile(file, 'const __tsf_warm_up = [1 + 1, "a"];\n__tsf_warm_up;\nexport {};');
    const service = this.project.service;
    if (service.getSyntacticDiagnostics(file).length + service.getSemanticDiagnostics(file).length) return;
    const program = this.project.program();
    emitCheckedCell(program, program.getSourceFile(file)!, { fileName: 'warm-up.ts', valueNames: new Set() });
  }

  async evaluate(expression: string): Promise<CellOutcome> {
    const n = ++this.evaluationCount;
    const label = `<user expression ${n}>`;
    const scriptFile = `__tsfutures_eval_${n}.js`;
    try {
      const transformed = transformCell(expression, { fileName: `${label}.ts` });
      this.sources.add(scriptFile, label, expression, transformed.sourceMap);
      return await this.runner.run(transformed.js, scriptFile);
    } catch (error) {
      return runtimeErrorOutcome(error, this.sources);
    }
  }

  complete(code: string, cursorPos: number): Completion {
    // The names the code mentions, and the global names the completion could list (not after a `.`: members), must
    // be declared to be found.
    const start = identifierStart(code, cursorPos);
    const prefix = /\.\s*$/.test(code.slice(0, start)) ? undefined : code.slice(start, cursorPos);
    if (this.declarations.use(code, prefix)) this.publishDeclarations();
    return complete(this.project, code, cursorPos);
  }

  inspect(code: string, cursorPos: number, detailLevel: number): Inspection {
    if (this.declarations.use(code)) this.publishDeclarations();
    return inspect(this.project, code, cursorPos, detailLevel);
  }

  isComplete(code: string): Completeness {
    return isComplete(code);
  }

  interrupt(): void {
    this.runner.interrupt();
  }
}
